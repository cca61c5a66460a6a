namespace Sure.Policy;

/// <summary>
/// A trained SURE policy read from a safetensors file (SPEC 8), for inference only. Load it once: it is immutable, and
/// any number of <see cref="PolicySession"/>s on any number of threads may share it.
/// <para>The configuration follows from the tensors' shapes (D, H, E) and the optional, partial "config" metadata
/// (<see cref="SureConfig.Of"/>); the rule around the network (residual base, dead band) from the metadata
/// (<see cref="ResidualBase"/>). The features the model reads follow from D: SPEC 3's eight, or eleven with the time of
/// day and the place in the span.</para>
/// </summary>
public sealed class PolicyWeights : IDecisionWeights
{
    readonly float[] _muWeight, _sigmaWeight, _headWeight;
    readonly float[][] _sageWeights, _sageBiases;

    public SureConfig Config { get; }
    public ResidualBase Base { get; }
    /// <summary>The file's free-form metadata (job, seed, training options ...), "config" left out.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    PolicyWeights(SafetensorsFile file)
    {
        // A file without the key is SURE's; the baselines of SPEC 11 have no host path.
        if (file.Metadata.TryGetValue(PolicyArchitecture.Key, out var architecture) && architecture != PolicyArchitecture.Sure)
            throw new SureFileException($"{file.SourceName}: the file holds a {architecture} model, not a SURE model");
        Config = SureConfig.Of(file);
        Config.CheckShapes(file);
        if (Config.D != TaskFeatures.SpecCount && Config.D != TaskFeatures.ForecastCount)
            throw new SureFileException($"{file.SourceName}: the model reads D = {Config.D} features; a host can feed {TaskFeatures.SpecCount} (SPEC 3) or {TaskFeatures.ForecastCount} (with the time of day)");
        float[] Read(string name)
        {
            var values = file.GetFloat(name).Values;
            for (int i = 0; i < values.Length; i++)
                if (!float.IsFinite(values[i]))
                    throw new SureFileException($"{file.SourceName}: parameter {name} holds a non-finite value ({values[i]}) at index {i}");
            return values;
        }
        _muWeight = Read("nvss.mu.weight");
        MuBias = Read("nvss.mu.bias")[0];
        _sigmaWeight = Read("nvss.sigma.weight");
        SigmaBias = Read("nvss.sigma.bias")[0];
        _sageWeights = Enumerable.Range(0, Config.E).Select(e => Read($"sage.{e}.weight")).ToArray();
        _sageBiases = Enumerable.Range(0, Config.E).Select(e => Read($"sage.{e}.bias")).ToArray();
        _headWeight = Read("head.weight");
        HeadBias = Read("head.bias")[0];
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in file.Metadata)
            if (key != "config" && key != PolicyArchitecture.Key) metadata[key] = value;
        Metadata = metadata;
        Base = ResidualBase.FromMetadata(metadata);
    }

    /// <summary>Reads and checks a weights file; a file that does not fit is one <see cref="SureFileException"/> or
    /// <see cref="SafetensorsFormatException"/> naming the file and the defect.</summary>
    public static PolicyWeights Load(string path) => new(SafetensorsFile.Read(path));

    /// <summary>The same from a file already in memory (F32 or F64 tensors).</summary>
    public static PolicyWeights FromSafetensors(SafetensorsFile file) => new(file);

    /// <summary>Whether the model reads the time of day and the place in the span (D = 11).</summary>
    public bool ReadsTime => Config.D == TaskFeatures.ForecastCount;

    public ReadOnlySpan<float> MuWeight => _muWeight;
    public float MuBias { get; }
    public ReadOnlySpan<float> SigmaWeight => _sigmaWeight;
    public float SigmaBias { get; }
    public ReadOnlySpan<float> SageWeight(int layer) => _sageWeights[layer];
    public ReadOnlySpan<float> SageBias(int layer) => _sageBiases[layer];
    public ReadOnlySpan<float> HeadWeight => _headWeight;
    public float HeadBias { get; }
}
