using System.Globalization;
using Sure.Sim;

namespace Sure.Models.Baselines;

/// <summary>The architectures by name: a fresh network for training, and a checkpoint read back as its architecture.</summary>
public static class PolicyNetworks
{
    /// <summary>Every architecture `sure train --model` accepts, SURE first.</summary>
    public static readonly string[] Names = [PolicyArchitecture.Sure, DeepWave<float>.Name, Dream<float>.Name, TvwRl<float>.Name, Astgcn<float>.Name, Ccrnn<float>.Name];

    public static bool IsBaseline(string name) => name != PolicyArchitecture.Sure && Names.Contains(name);

    /// <summary>An untrained baseline of <paramref name="architecture"/> for <paramref name="job"/> with SURE's
    /// initialisation and the trainer's small head (<see cref="Training.SureTrainer.HeadInitScale"/>).</summary>
    public static BaselineNetwork<float> CreateBaseline(string architecture, SureConfig config, JobGraph job, ulong seed)
    {
        var network = Empty<float>(architecture, config, job.TaskCount);
        network.Initialise(seed, Training.SureTrainer.HeadInitScale);
        return network;
    }

    /// <summary>A fresh network for training: SURE's (SureTrainer.CreateModel) or a baseline's.</summary>
    public static IPolicyNetwork<float> Create(string architecture, SureConfig config, JobGraph job, ulong seed) =>
        architecture == PolicyArchitecture.Sure ? Training.SureTrainer.CreateModel(config, seed) : CreateBaseline(architecture, config, job, seed);

    /// <summary>A baseline with zero weights; tasks matters only to a job-bound architecture (CCRNN).</summary>
    public static BaselineNetwork<T> Empty<T>(string architecture, SureConfig config, int tasks) where T : unmanaged, IFloatingPointIeee754<T> =>
        architecture switch
        {
            DeepWave<float>.Name => new DeepWave<T>(config),
            Dream<float>.Name => new Dream<T>(config),
            TvwRl<float>.Name => new TvwRl<T>(config),
            Astgcn<float>.Name => new Astgcn<T>(config),
            Ccrnn<float>.Name => new Ccrnn<T>(config, tasks),
            _ => throw new ArgumentException($"unknown architecture '{architecture}': expected {string.Join(", ", Names)}"),
        };

    /// <summary>Names and shapes of a baseline's parameters in registration order (its own, then the head's).</summary>
    public static IEnumerable<(string Name, int[] Shape)> Shapes(string architecture, SureConfig config, int tasks)
    {
        var body = architecture switch
        {
            DeepWave<float>.Name => DeepWave<float>.Shapes(config),
            Dream<float>.Name => Dream<float>.Shapes(config),
            TvwRl<float>.Name => LstmCell<float>.Shapes("lstm", config.D + 1, config.H),
            Astgcn<float>.Name => Astgcn<float>.Shapes(config),
            Ccrnn<float>.Name => Ccrnn<float>.Shapes(config, tasks),
            _ => throw new ArgumentException($"unknown architecture '{architecture}'"),
        };
        foreach (var shape in body) yield return shape;
        yield return ("head.weight", [config.H]);
        yield return ("head.bias", [1]);
        yield return ("head.log_std", [1]);
    }

    /// <summary>The architecture a file holds: its metadata "architecture", or SURE's when it has none.</summary>
    public static string ArchitectureOf(SafetensorsFile file) =>
        file.Metadata.TryGetValue(PolicyArchitecture.Key, out var name) ? name : PolicyArchitecture.Sure;

    public static IPolicyNetwork<float> Load(string path) => FromSafetensors(SafetensorsFile.Read(path));

    /// <summary>
    /// A checkpoint as its architecture. SURE's files load as SPEC 8 says; a baseline's config comes from its metadata
    /// (every key optional, defaults otherwise) and every tensor must match the shapes it implies, else
    /// SureFileException names the tensor. An unknown architecture is one clear error.
    /// </summary>
    public static IPolicyNetwork<float> FromSafetensors(SafetensorsFile file)
    {
        string architecture = ArchitectureOf(file);
        if (architecture == PolicyArchitecture.Sure) return SureModel<float>.FromSafetensors(file);
        if (!Names.Contains(architecture))
            throw new SureFileException($"{file.SourceName}: unknown architecture '{architecture}' in the metadata: expected {string.Join(", ", Names)}");
        SureConfig config;
        try { config = file.Metadata.TryGetValue("config", out var json) ? SureConfig.FromJson(json) : new SureConfig(); }
        catch (ArgumentException e) { throw new SureFileException($"{file.SourceName}: {e.Message}"); }
        int tasks = 0;
        if (architecture == Ccrnn<float>.Name)
        {
            if (!file.Metadata.TryGetValue(BaselineNetwork<float>.TasksKey, out var text)
                || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out tasks) || tasks is < 1 or > MaxTasks)
                throw new SureFileException($"{file.SourceName}: a {architecture} model needs its job's task count (metadata '{BaselineNetwork<float>.TasksKey}', 1..{MaxTasks})");
        }
        // Shapes first, from the config alone: the network is allocated only once the file holds every value it needs,
        // so metadata that states a huge size cannot make a small file allocate.
        foreach (var (name, shape) in Shapes(architecture, config, tasks))
        {
            if (!file.Contains(name))
                throw new SureFileException($"{file.SourceName}: parameter {name} of the {architecture} model is missing (expected shape [{string.Join(", ", shape)}])");
            var found = file[name].Shape;
            if (!found.AsSpan().SequenceEqual(shape))
                throw new SureFileException($"{file.SourceName}: parameter {name} has shape [{string.Join(", ", found)}], expected [{string.Join(", ", shape)}] for the {architecture} model with config {config.ToJson()}");
        }
        var network = Empty<float>(architecture, config, tasks);
        network.LoadFrom(file);
        return network;
    }

    /// <summary>Largest task count a job-bound model may state (the simulator's own limit on jobs).</summary>
    public const int MaxTasks = 100_000;
}
