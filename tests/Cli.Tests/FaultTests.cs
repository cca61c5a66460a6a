using System.Diagnostics;
using Sure.Autodiff;
using Sure.Models;

namespace Sure.Cli.Tests;

/// <summary>Interrupted writes and signals: the previous file survives anything short of a finished write.</summary>
public sealed class FaultTests : IDisposable
{
    readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    string[] FilesInScratch() => Directory.GetFiles(_scratch.Dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void A_committed_write_replaces_the_file_and_leaves_no_temporary_file()
    {
        string path = _scratch.Text("a.csv", "old\n");
        using (var file = new AtomicFile(path))
        {
            file.Text.Write("new\n");
            Assert.Equal("old\n", File.ReadAllText(path));       // nothing visible before the commit
            file.Commit();
        }
        Assert.Equal("new\n", File.ReadAllText(path));
        Assert.Equal(["a.csv"], FilesInScratch());
    }

    [Fact]
    public void A_write_that_fails_midway_keeps_the_previous_file()
    {
        string path = _scratch.Text("a.csv", "old\n");
        void Interrupted()
        {
            using var file = new AtomicFile(path);
            file.Text.Write(new string('x', 100_000));
            throw new InvalidOperationException("interrupted");
        }
        Assert.Throws<InvalidOperationException>(Interrupted);
        Assert.Equal("old\n", File.ReadAllText(path));
        Assert.Equal(["a.csv"], FilesInScratch());
    }

    [Fact]
    public void An_empty_target_is_written_in_place_and_a_link_keeps_pointing_at_its_target()
    {
        string empty = _scratch.Text("empty.csv", "");
        AtomicFile.WriteAllText(empty, "1\n");
        Assert.Equal("1\n", File.ReadAllText(empty));

        string target = _scratch.Text("target.csv", "old\n");
        string link = _scratch.PathOf("link.csv");
        File.CreateSymbolicLink(link, target);
        AtomicFile.WriteAllText(link, "new\n");
        Assert.Equal("new\n", File.ReadAllText(target));
        Assert.NotNull(new FileInfo(link).LinkTarget);
    }

    [Fact]
    public void A_rewritten_file_keeps_its_permissions()
    {
        if (OperatingSystem.IsWindows()) return;                       // Unix file modes only
        string path = _scratch.Text("a.csv", "old\n");
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        File.SetUnixFileMode(path, mode);
        AtomicFile.WriteAllText(path, "new\n");
        Assert.Equal(mode, File.GetUnixFileMode(path));
    }

    /// <summary>The built `sure` in its own process, so that a signal reaches it and not the test host.</summary>
    static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "sure"))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        return Process.Start(info)!;
    }

    /// <summary>Waits until the training log's temporary file holds the header and at least one iteration.</summary>
    void WaitForAnIteration(Process process)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (process.HasExited) Assert.Fail("training ended before the signal: " + process.StandardError.ReadToEnd());
            foreach (var temp in Directory.GetFiles(_scratch.Dir, ".m.csv.*.tmp"))
            {
                try
                {
                    using var reader = new StreamReader(new FileStream(temp, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
                    if (reader.ReadToEnd().Count(c => c == '\n') >= 2) return;
                }
                catch (IOException) { }
            }
            Thread.Sleep(100);
        }
        Assert.Fail("no training iteration within 90 s");
    }

    static void Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        Assert.True(process.WaitForExit(60_000), "no exit within 60 s of the signal");
    }

    string[] Train() =>
        ["train", "--job", "small-1", "--iterations", "100000", "--bootstrap", "1", "--hidden", "8", "--threads", "1",
         "--base", "current", "--teacher", "hpa", "--out", _scratch.PathOf("m.safetensors")];

    // A training over earlier files, sent the signal after its first iteration: the model's and the log's paths and the exit code.
    (string Model, string Log, int ExitCode) TrainAndSignal(string signal)
    {
        string model = _scratch.Text("m.safetensors", "previous weights");
        string log = _scratch.Text("m.csv", "previous log\n");
        using var process = Start(Train());
        try
        {
            WaitForAnIteration(process);
            Signal(process, signal);
        }
        finally
        {
            if (!process.HasExited) process.Kill();                    // a failed wait leaves no training behind
        }
        return (model, log, process.ExitCode);
    }

    [Fact]
    public void Sigterm_during_training_saves_the_model_and_the_log()
    {
        if (!OperatingSystem.IsLinux()) return;                        // signals are sent with kill(1)
        var (model, log, exitCode) = TrainAndSignal("TERM");
        Assert.Equal(0, exitCode);
        var trained = SureModel<float>.Load(model);                    // refuses non-finite weights
        Assert.Equal("small-1", trained.Metadata["job"]);
        var lines = File.ReadAllLines(log);
        Assert.StartsWith("Iteration,", lines[0]);
        Assert.True(lines.Length >= 2, "the log holds no iteration");
        Assert.Equal(["m.csv", "m.safetensors"], FilesInScratch());
    }

    [Fact]
    public void Sigkill_during_training_leaves_the_previous_model_and_log()
    {
        if (!OperatingSystem.IsLinux()) return;
        var (model, log, _) = TrainAndSignal("KILL");
        Assert.Equal("previous weights", File.ReadAllText(model));
        Assert.Equal("previous log\n", File.ReadAllText(log));
    }
}
