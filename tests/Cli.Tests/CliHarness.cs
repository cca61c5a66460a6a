using System.Security.Cryptography;
using Sure.Autodiff;
using Sure.Models;

namespace Sure.Cli.Tests;

/// <summary>Runs `sure` in process, through the same entry point as the executable (its top-level error handler included).</summary>
static class CliRunner
{
    public static (int Code, string Out, string Error) Invoke(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var (oldOut, oldError) = (Console.Out, Console.Error);
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try { return (SureCli.Invoke(args), stdout.ToString(), stderr.ToString()); }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }
}

/// <summary>A temporary folder of input files, with a fingerprint of everything in it (hidden temporary files too).</summary>
sealed class Scratch : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("sure-bad-input-").FullName;

    public void Dispose() => Directory.Delete(Dir, recursive: true);

    public string PathOf(string name) => System.IO.Path.Combine(Dir, name);

    public string Text(string name, string content)
    {
        File.WriteAllText(PathOf(name), content);
        return PathOf(name);
    }

    public string Bytes(string name, byte[] content)
    {
        File.WriteAllBytes(PathOf(name), content);
        return PathOf(name);
    }

    /// <summary>"relative path: SHA-256" of every file, sorted; folders as "relative path/".</summary>
    public string[] Fingerprint() =>
        Directory.EnumerateFileSystemEntries(Dir, "*", SearchOption.AllDirectories)
            .Select(path => Directory.Exists(path)
                ? System.IO.Path.GetRelativePath(Dir, path) + "/"
                : $"{System.IO.Path.GetRelativePath(Dir, path)}: {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)))}")
            .Order(StringComparer.Ordinal).ToArray();

    /// <summary>A trace of <paramref name="minutes"/> plausible values, one per line.</summary>
    public string Trace(string name = "trace.csv", int minutes = 120) =>
        Text(name, string.Concat(Enumerable.Range(0, minutes).Select(m => $"{100 + m % 17}\n")));

    /// <summary>A two-task job j_1 (M1 -> R2) in the Alibaba batch_task format.</summary>
    public string Jobs(string name = "jobs.csv") => Text(name, "1,j_1,M1,10,100,0.5,1\n1,j_1,R2_1,20,100,0.5,1\n");

    /// <summary>Weights of a small model (H = 8, the other sizes SPEC's defaults), changed by <paramref name="edit"/>.</summary>
    public string Weights(string name = "w.safetensors", Func<SafetensorsFile, SafetensorsFile>? edit = null)
    {
        var file = SureModel<float>.Create(new SureConfig { H = 8 }, seed: 1).ToSafetensors();
        (edit?.Invoke(file) ?? file).Write(PathOf(name));
        return PathOf(name);
    }

    public static string Fixture(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "fixtures", "forward", name);

    /// <summary>The forward fixture chain.input (SPEC 8's input: 4 tasks, L = 12, K = 3, D = 8), changed by <paramref name="edit"/>.</summary>
    public string ForwardInput(string name = "in.safetensors", Func<SafetensorsFile, SafetensorsFile>? edit = null)
    {
        var file = SafetensorsFile.Read(Fixture("chain.input.safetensors"));
        (edit?.Invoke(file) ?? file).Write(PathOf(name));
        return PathOf(name);
    }

    /// <summary>The weights that go with <see cref="ForwardInput"/>.</summary>
    public string ForwardModel(string name = "m.safetensors")
    {
        File.Copy(Fixture("chain.model.safetensors"), PathOf(name));
        return PathOf(name);
    }
}

/// <summary>Edited copies of a safetensors file, for crafting bad weights and inputs.</summary>
static class Edit
{
    /// <summary>A copy without tensor <paramref name="name"/>, plus whatever <paramref name="add"/> adds.</summary>
    public static SafetensorsFile Replace(SafetensorsFile source, string name, Action<SafetensorsFile>? add = null)
    {
        var copy = new SafetensorsFile();
        foreach (var (key, value) in source.Metadata) copy.Metadata[key] = value;
        foreach (var entry in source.Entries)
            if (entry.Name != name) copy.AddRaw(entry.Name, entry.Dtype, entry.Shape, entry.Data);
        add?.Invoke(copy);
        return copy;
    }

    public static SafetensorsFile Float(SafetensorsFile source, string name, int index, float value)
    {
        var (values, shape) = source.GetFloat(name);
        values[index] = value;
        return Replace(source, name, f => f.Add(name, values, shape));
    }

    public static SafetensorsFile Floats(SafetensorsFile source, string name, float[] values, params int[] shape) =>
        Replace(source, name, f => f.Add(name, values, shape));

    public static SafetensorsFile Ints(SafetensorsFile source, string name, int[] values, params int[] shape) =>
        Replace(source, name, f => f.Add(name, values, shape));

    /// <summary>A copy whose "config" metadata has <paramref name="key"/> set to the JSON <paramref name="json"/>.</summary>
    public static SafetensorsFile Config(SafetensorsFile source, string key, string json)
    {
        var copy = Replace(source, "");
        var config = System.Text.Json.Nodes.JsonNode.Parse(copy.Metadata["config"])!.AsObject();
        config[key] = System.Text.Json.Nodes.JsonNode.Parse(json);
        copy.Metadata["config"] = config.ToJsonString();
        return copy;
    }
}
