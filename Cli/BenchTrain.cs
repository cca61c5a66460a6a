using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Sure.Autodiff;
using Sure.Models;
using Sure.Models.Training;
using Sure.Sim;

namespace Sure.Cli;

/// <summary>
/// `sure bench train`: one training iteration (SPEC 9) per job and phase, the defaults of `sure train` (H = 64, R = 8,
/// 24-hour windows, all cores): seconds per iteration (median after warm-up) and bytes allocated per iteration; with
/// --device, the loss passes on that backend (`sure train --device`).
/// </summary>
static class BenchTrain
{
    public static Command Create()
    {
        var jobs = new Option<string>("--jobs") { Description = "Comma-separated jobs", DefaultValueFactory = _ => "small-1,large-2" };
        var iterations = new Option<int>("--iterations") { Description = "Measured iterations per job and phase (after 2 of warm-up)", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "Worker threads for the rollouts", DefaultValueFactory = _ => Environment.ProcessorCount };
        var json = new Option<bool>("--json") { Description = "Print JSON lines instead of a table" };
        var torch = new Option<bool>("--torch") { Description = "Also time Bench/torch_train.py (eager PyTorch, one thread; Debian's python3-torch) on small-1 and large-2 right after ours, and print the ratio" };
        var device = new Option<string>("--device") { Description = SimCli.TrainingDevices, DefaultValueFactory = _ => "cpu" };
        var profile = new Option<bool>("--profile") { Description = "Per-op time of one REINFORCE iteration (one thread), forward and backward, and what lies outside the tapes" };
        var command = new Command("train", "Seconds and bytes allocated per training iteration (bootstrap and REINFORCE)");
        foreach (var o in new Option[] { jobs, iterations, threads, json, profile, torch, device }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            int count = parse.GetValue(iterations), threadCount = parse.GetValue(threads);
            if (count < 1) throw new SimInputException($"bad --iterations {count}: at least 1");
            SimCli.CheckThreads(threadCount);
            var workload = WorkloadTrace.ClarkNet().Workload();
            bool withTorch = parse.GetValue(torch);
            string names = parse.GetValue(jobs)!;
            string? script = withTorch ? TorchPeer.Find() : null;
            if (withTorch)
                foreach (string name in names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    if (!TorchPeer.TaskCounts.ContainsKey(name))
                        throw new SimInputException($"--torch times small-1 and large-2 only (the peer script's real jobs), not '{name}'");
            string deviceName = parse.GetValue(device)!;
            if (deviceName != "cpu" && parse.GetValue(profile)) throw new SimInputException("--profile times the CPU tape's ops; leave out --device");
            using var backend = SimCli.OpenTrainingDevice(deviceName);
            if (parse.GetValue(profile))
            {
                foreach (string name in parse.GetValue(jobs)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    Profile(JobCatalog.Load(name), workload, count, parse.GetValue(json));
                return 0;
            }
            var table = new Table().Title(backend is null ? "CPU tape" : $"loss passes on {backend.Name} ({backend.Device})").AddColumn("job").AddColumn(new TableColumn("n").RightAligned()).AddColumn("phase")
                .AddColumn(new TableColumn("s / iteration").RightAligned()).AddColumn(new TableColumn("bytes / iteration").RightAligned());
            if (withTorch) table.AddColumn(new TableColumn("torch s / update").RightAligned()).AddColumn(new TableColumn("torch / ours").RightAligned());
            foreach (string name in parse.GetValue(jobs)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var job = JobCatalog.Load(name);
                foreach (var phase in new[] { TrainPhase.Bootstrap, TrainPhase.Reinforce })
                {
                    var (seconds, bytes) = Measure(job, workload, phase, count, threadCount, backend);
                    string phaseName = phase == TrainPhase.Bootstrap ? "bootstrap" : "reinforce";
                    // The peer is the REINFORCE update: timed right after ours, so both see the same machine.
                    double? peer = withTorch && phase == TrainPhase.Reinforce ? TorchPeer.Run(script!, job.TaskCount, count) : null;
                    if (parse.GetValue(json))
                        SimCli.JsonLine(w =>
                        {
                            w.WriteString("bench", "train");
                            w.WriteString("job", job.Name);
                            w.WriteNumber("n", job.TaskCount);
                            w.WriteString("phase", phaseName);
                            w.WriteNumber("threads", threadCount);
                            w.WriteString("device", backend is null ? "cpu" : backend.Name);
                            w.WriteNumber("median_s", Math.Round(seconds, 4));
                            w.WriteNumber("alloc_bytes_per_iteration", bytes);
                            if (peer is double t)
                            {
                                w.WriteNumber("torch_median_s", Math.Round(t, 4));
                                w.WriteNumber("torch_over_ours", Math.Round(t / seconds, 3));
                            }
                        });
                    else
                    {
                        var row = new List<string> { job.Name, job.TaskCount.ToString(CultureInfo.InvariantCulture), phaseName,
                            seconds.ToString("0.000", CultureInfo.InvariantCulture), bytes.ToString("N0", CultureInfo.InvariantCulture) };
                        if (withTorch)
                        {
                            row.Add(peer is double t ? t.ToString("0.000", CultureInfo.InvariantCulture) : "");
                            row.Add(peer is double u ? $"{u / seconds:0.00}x" : "");
                        }
                        table.AddRow(row.ToArray());
                    }
                }
            }
            if (!parse.GetValue(json)) SimCli.WriteTable(table);
            return 0;
        });
        return command;
    }

    /// <summary>Median seconds of `count` iterations after two of warm-up, and the least bytes any of them allocated.</summary>
    static (double Seconds, long Bytes) Measure(JobGraph job, double[] workload, TrainPhase phase, int count, int threads,
        Sure.Tensors.Devices.IComputeBackend? device)
    {
        var model = SureTrainer.CreateModel(new SureConfig(), 1);
        int total = count + 2;
        using var trainer = new SureTrainer(model, job, workload, SimOptions.Default, new TrainOptions
        {
            BootstrapIterations = phase == TrainPhase.Bootstrap ? total : 0,
            Threads = threads,
        }, device);
        var seconds = new List<double>();
        long bytes = long.MaxValue;
        for (int k = 0; k < total; k++)
        {
            long started = Stopwatch.GetTimestamp();
            trainer.Step();
            if (k >= 2)
            {
                seconds.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
                bytes = Math.Min(bytes, trainer.LastIterationAllocatedBytes);
            }
        }
        seconds.Sort();
        return (seconds[seconds.Count / 2], bytes);
    }

    /// <summary>
    /// `--profile`: `count` REINFORCE iterations on one thread after two of warm-up, with a <see cref="TapeProfile"/> on
    /// the worker's tapes; per op its calls, forward and backward milliseconds per iteration and share of the
    /// iteration, then the time outside the tapes (simulator steps, snapshot copies, batching, gradient sum, clip, Adam).
    /// </summary>
    static void Profile(JobGraph job, double[] workload, int count, bool json)
    {
        var trainer = new SureTrainer(SureTrainer.CreateModel(new SureConfig(), 1), job, workload, SimOptions.Default, new TrainOptions { Threads = 1 });
        trainer.Step();
        trainer.Step();
        var profile = new TapeProfile();
        trainer.Profile = profile;
        long started = Stopwatch.GetTimestamp();
        for (int k = 0; k < count; k++) trainer.Step();
        double iteration = Stopwatch.GetElapsedTime(started).TotalMilliseconds / count;
        var rows = profile.Rows().OrderByDescending(r => r.ForwardSeconds + r.BackwardSeconds).ToList();
        double tape = rows.Sum(r => r.ForwardSeconds + r.BackwardSeconds) * 1000 / count;
        string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
        if (json)
        {
            foreach (var r in rows)
                SimCli.JsonLine(w =>
                {
                    w.WriteString("bench", "train-profile");
                    w.WriteString("job", job.Name);
                    w.WriteString("op", r.Op);
                    w.WriteNumber("calls_per_iteration", r.Calls / (double)count);
                    w.WriteNumber("forward_ms", Math.Round(r.ForwardSeconds * 1000 / count, 3));
                    w.WriteNumber("backward_ms", Math.Round(r.BackwardSeconds * 1000 / count, 3));
                });
            SimCli.JsonLine(w =>
            {
                w.WriteString("bench", "train-profile");
                w.WriteString("job", job.Name);
                w.WriteNumber("iteration_ms", Math.Round(iteration, 3));
                w.WriteNumber("tape_ms", Math.Round(tape, 3));
            });
            return;
        }
        var table = new Table().Title($"{job.Name} (n = {job.TaskCount}): one REINFORCE iteration, one thread, {F(iteration)} ms")
            .AddColumn("op").AddColumn(new TableColumn("calls").RightAligned()).AddColumn(new TableColumn("forward ms").RightAligned())
            .AddColumn(new TableColumn("backward ms").RightAligned()).AddColumn(new TableColumn("share").RightAligned());
        foreach (var r in rows)
        {
            double forward = r.ForwardSeconds * 1000 / count, backward = r.BackwardSeconds * 1000 / count;
            table.AddRow(r.Op, (r.Calls / count).ToString(CultureInfo.InvariantCulture), F(forward), F(backward), $"{100 * (forward + backward) / iteration:0.0}%");
        }
        table.AddRow("outside the tapes", "", F(iteration - tape), "", $"{100 * (iteration - tape) / iteration:0.0}%");
        SimCli.WriteTable(table);
    }
}

/// <summary>Bench/torch_train.py, the eager-PyTorch peer of one REINFORCE update (issue 12), run as a child process.</summary>
static class TorchPeer
{
    /// <summary>The jobs the script knows by their task count (its REAL_JOBS).</summary>
    public static readonly IReadOnlyDictionary<string, int> TaskCounts = new Dictionary<string, int> { ["small-1"] = 6, ["large-2"] = 46 };

    const string Python = "/usr/bin/python3";

    /// <summary>The script, looked for from the working directory upwards (the repository's Bench/).</summary>
    public static string Find()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string path = Path.Combine(dir.FullName, "Bench", "torch_train.py");
            if (File.Exists(path)) return path;
        }
        throw new SimInputException("--torch: Bench/torch_train.py not found from the working directory upwards (run from the repository)");
    }

    /// <summary>Median seconds of one update of the n-task job, `iterations` measured after 2 of warm-up.</summary>
    public static double Run(string script, int tasks, int iterations)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { script, "--tasks", tasks.ToString(CultureInfo.InvariantCulture), "--iterations", iterations.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception e) { throw new SimInputException($"--torch: cannot start {Python}: {e.Message} (apt install python3-torch)"); }
        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new SimInputException($"--torch: {script} exited with {process.ExitCode}: {error.Result.Trim().Split('\n').LastOrDefault()}");
            string line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
            using var document = System.Text.Json.JsonDocument.Parse(line);
            return document.RootElement.GetProperty("median_s").GetDouble();
        }
    }
}
