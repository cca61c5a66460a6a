using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Sure.Autodiff;
using Sure.Models;
using Sure.Models.Baselines;
using Sure.Sim;
using Sure.Sim.Autoscalers;

namespace Sure.Cli;

/// <summary>Helpers shared by the simulator's commands: input errors, policies, metric tables and JSON.</summary>
static class SimCli
{
    /// <summary>The `--device` of training: the CPU tape's "cpu" is null, any other backend name opens that backend.</summary>
    public const string TrainingDevices = "cpu (the CPU tape, default), or a backend for the loss passes: opencl, cuda, ilgpu-cpu, ilgpu-cuda, ilgpu-opencl (SURE only; the loss passes, gradient sum, clipping and Adam run there, the rollouts on the host)";

    /// <summary>Opens a training device (null for "cpu"); an unknown or unavailable one is a user error with the reason.</summary>
    public static Sure.Tensors.Devices.IComputeBackend? OpenTrainingDevice(string name)
    {
        if (name == "cpu") return null;
        if (!Sure.Tensors.Devices.Backends.TryCreate(name, out var backend, out var reason))
            throw new SimInputException($"--device {name} is unavailable: {reason}");
        return backend;
    }

    /// <summary>
    /// Checks an output path before any long work: it may not be one of the inputs (named by option), its folder must
    /// exist and take a new file (where <see cref="AtomicFile"/> puts its temporary file), and it may not be a folder.
    /// </summary>
    public static void CheckOutput(string option, string output, params (string Option, string? Path)[] inputs)
    {
        string target = AtomicFile.ResolveTarget(output);
        foreach (var (inputOption, path) in inputs)
            if (path is not null && AtomicFile.ResolveTarget(path) == target)
                throw new SimInputException($"{output}: {option} is also the {inputOption} file; writing it would destroy the input");
        if (Directory.Exists(target)) throw new SimInputException($"{output}: {option} is a folder, not a file");
        string folder = Path.GetDirectoryName(target) ?? ".";
        if (!Directory.Exists(folder)) throw new SimInputException($"{output}: the folder {folder} does not exist");
        try { AtomicFile.CheckWritable(target); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SimInputException($"{output}: cannot write: {e.Message}");
        }
    }

    /// <summary>
    /// The one place that turns a policy name into an <see cref="IAutoscaler"/>: the heuristics, and the learned
    /// policies ("sure" and the baselines deepwave, dream, tvw-rl, astgcn, ccrnn), built from <paramref name="model"/>
    /// (SURE's noise seeded with <paramref name="seed"/>), which must hold that architecture.
    /// </summary>
    public static IAutoscaler CreatePolicy(string spec, StreamEnvironment env, (int Start, int Minutes)? train, ulong seed,
        IPolicyNetwork<float>? model = null) =>
        CreatePolicy(spec, env, train, seed, model is null ? [] : [(model, "--model")]);

    /// <summary>As above with several checkpoints: a learned policy takes the one of its architecture.</summary>
    public static IAutoscaler CreatePolicy(string spec, StreamEnvironment env, (int Start, int Minutes)? train, ulong seed,
        IReadOnlyList<(IPolicyNetwork<float> Network, string Path)> models)
    {
        if (!IsLearned(spec)) return PolicyFactory.Create(spec, env, train, seed);
        var model = ModelFor(spec, models);
        try { return LearnedPolicy.Create(model, env, seed); }
        catch (SureFileException e) { throw new SimInputException($"the {spec} model does not fit job {env.Job.Name}: {e.Message}"); }
    }

    public const string SurePolicy = "sure";

    /// <summary>A policy name that needs a checkpoint: sure or one of the baselines of SPEC 11.</summary>
    public static bool IsLearned(string spec) => PolicyNetworks.Names.Contains(spec);

    static string NeedsModel(string spec) => $"policy '{spec}' needs --model W.safetensors holding a {spec} model (weights from `sure train --model {spec}`{(spec == SurePolicy ? " or `sure run`" : "")})";

    /// <summary>The checkpoint of policy <paramref name="spec"/>'s architecture among <paramref name="models"/>: exactly one
    /// must hold it, else one clear input error naming what the files hold.</summary>
    public static IPolicyNetwork<float> ModelFor(string spec, IReadOnlyList<(IPolicyNetwork<float> Network, string Path)> models)
    {
        if (models.Count == 0) throw new SimInputException(NeedsModel(spec));
        var matching = models.Where(m => m.Network.Architecture == spec).ToList();
        if (matching.Count == 1) return matching[0].Network;
        string held = string.Join(", ", models.Select(m => $"{m.Path} holds a {m.Network.Architecture} model"));
        if (matching.Count == 0) throw new SimInputException($"policy '{spec}' needs a {spec} model, but {held}");
        throw new SimInputException($"policy '{spec}': several --model files hold a {spec} model ({string.Join(", ", matching.Select(m => m.Path))}); give one");
    }

    public static void CheckPolicy(string spec, bool haveModel = false)
    {
        if (IsLearned(spec))
        {
            if (!haveModel) throw new SimInputException(NeedsModel(spec));
            return;
        }
        if (!PolicyFactory.IsKnown(spec))
            throw new SimInputException($"bad policy '{spec}': expected {PolicyFactory.Usage}, or (with --model) {string.Join(", ", PolicyNetworks.Names)}");
    }

    /// <summary>Reads a checkpoint of any architecture (its metadata says which); unreadable, malformed or mismatched files
    /// become one-line input errors.</summary>
    public static IPolicyNetwork<float> LoadNetwork(string path)
    {
        try
        {
            return PolicyNetworks.Load(path);
        }
        catch (Exception e) when (e is SafetensorsFormatException or SureFileException)
        {
            throw new SimInputException(e.Message);
        }
    }

    /// <summary>--model as a comma-separated list of checkpoints, each loaded as its architecture.</summary>
    public static List<(IPolicyNetwork<float> Network, string Path)> LoadNetworks(string? paths) =>
        paths is null ? [] : [.. paths.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(p => (LoadNetwork(p), p))];

    /// <summary>Reads SURE weights; unreadable, malformed or mismatched files become one-line input errors.</summary>
    public static SureModel<float> LoadModel(string path)
    {
        try
        {
            return SureModel<float>.Load(path);
        }
        catch (Exception e) when (e is SafetensorsFormatException or SureFileException)
        {
            throw new SimInputException(e.Message);
        }
    }

    /// <summary>"hpa-tuned (target 0.60)" for a tuned policy, the name alone for the others.</summary>
    public static string PolicyLabel(string name, string? setting) => setting is null ? name : $"{name} ({setting})";

    /// <summary>The simulator's options for an evaluation: the noise, and the features a learned model reads (the extra
    /// forecast features of a D = 11 model change nothing for the heuristics).</summary>
    public static SimOptions SimOptionsFor(double sigma, IPolicyNetwork<float>? model, double lambda = 0.5)
    {
        var options = new SimOptions { NoiseSigma = sigma, LatencyWeight = lambda };
        return model is null ? options : SureAutoscaler.Fit(options, model.Config);
    }

    /// <summary>`--lambda`, SPEC 2's reward weight of the latency penalty against utilisation (train and eval).</summary>
    public static Option<double> LambdaOption() =>
        new("--lambda") { Description = "lambda of the reward (SPEC 2): the latency penalty's weight against utilisation, in [0, 1]", DefaultValueFactory = _ => SimOptions.Default.LatencyWeight };

    public static double CheckLambda(double lambda) =>
        lambda is >= 0 and <= 1 ? lambda : throw new SimInputException($"bad lambda {lambda}: need a number in [0, 1]");

    /// <summary>Most worker threads an option may ask for: far past any machine's cores, short of exhausting the system.</summary>
    public const int MaxThreads = 1024;

    public static void CheckThreads(int threads)
    {
        if (threads is < 1 or > MaxThreads) throw new SimInputException($"bad threads {threads}: need 1..{MaxThreads}");
    }

    /// <summary>Largest noise sigma: capacity varies by a factor e^(±3 sigma) most minutes, so 3 is far past any real
    /// machine, and a larger sigma overflows the simulated latencies.</summary>
    public const double MaxNoise = 3;

    public static void CheckNoise(double sigma)
    {
        if (!(sigma >= 0 && sigma <= MaxNoise)) throw new SimInputException($"bad noise {sigma}: sigma must be in [0, {MaxNoise}]");
    }

    public static readonly string[] MetricColumns =
        ["reward", "latency_mean_s", "latency_p95_s", "slo_violation_pct", "utilization", "instance_hours", "rescales"];

    public static string[] MetricCells(EvalMetrics m) =>
    [
        F(m.Reward, "0.0000"), F(m.LatencyMeanSeconds, "0.00"), F(m.LatencyP95Seconds, "0.00"),
        F(m.SloViolationPct, "0.00"), F(m.Utilization, "0.000"), F(m.InstanceHours, "0.0"), m.Rescales.ToString(CultureInfo.InvariantCulture),
    ];

    static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    public static void WriteMetrics(Utf8JsonWriter json, EvalMetrics m)
    {
        json.WriteNumber("reward", m.Reward);
        json.WriteNumber("latency_mean_s", m.LatencyMeanSeconds);
        json.WriteNumber("latency_p95_s", m.LatencyP95Seconds);
        json.WriteNumber("slo_violation_pct", m.SloViolationPct);
        json.WriteNumber("utilization", m.Utilization);
        json.WriteNumber("instance_hours", m.InstanceHours);
        json.WriteNumber("rescales", m.Rescales);
    }

    /// <summary>Writes one JSON object on its own line of stdout.</summary>
    public static void JsonLine(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        Console.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>Writes a table to stdout; a redirected stdout has no width, so it gets room for every column.</summary>
    public static void WriteTable(Table table)
    {
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 200;
            AnsiConsole.Profile.Capabilities.Ansi = false;   // a file or pipe gets plain text, no colour codes
        }
        AnsiConsole.Write(table);
    }

    /// <summary>A console on stderr for progress bars, so stdout stays clean for tables and JSON.</summary>
    /// <summary>Live progress bars on stderr: for a person at a terminal, and not inside `sure paper`, which draws its own.</summary>
    public static bool ShowProgress => !Console.IsErrorRedirected && !Nested;

    /// <summary>Set while `sure paper` runs a command in process (its own bar stays the only one).</summary>
    internal static bool Nested;

    public static IAnsiConsole ErrorConsole() =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    /// <summary>The evaluation split of a trace: the last week is the test week, everything before it trains.</summary>
    public static (int Start, int Minutes) TestWeek(WorkloadTrace trace)
    {
        if (trace.Length < WorkloadTrace.WeekMinutes)
            throw new SimInputException($"{trace.Source}: the trace has {trace.Length} minutes; evaluation needs a test week of {WorkloadTrace.WeekMinutes}");
        return (trace.Length - WorkloadTrace.WeekMinutes, WorkloadTrace.WeekMinutes);
    }
}
