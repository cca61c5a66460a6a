using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sure.Policy;

/// <summary>
/// Sizes and defaults of the SURE model (SPEC 3-4). Stored as JSON in a weights file's metadata entry "config",
/// with the SPEC's symbols as keys: {"L":60,"D":8,"H":64,"E":2,"k1":10,"k2":4,"c":2,"K_max":32,"p_max":64,...}.
/// </summary>
public sealed record SureConfig
{
    /// <summary>Snapshots per rescaling span.</summary>
    [JsonPropertyName("L")] public int L { get; init; } = 60;
    /// <summary>Features per snapshot.</summary>
    [JsonPropertyName("D")] public int D { get; init; } = 8;
    /// <summary>Hidden width of GraphSAGE and the readout.</summary>
    [JsonPropertyName("H")] public int H { get; init; } = 64;
    /// <summary>GraphSAGE layers.</summary>
    [JsonPropertyName("E")] public int E { get; init; } = 2;
    /// <summary>Anchors (snapshots) per subgraph.</summary>
    [JsonPropertyName("k1")] public int K1 { get; init; } = 10;
    /// <summary>Neighbour slots per anchor.</summary>
    [JsonPropertyName("k2")] public int K2 { get; init; } = 4;
    /// <summary>Hops that define a task's neighbourhood.</summary>
    [JsonPropertyName("c")] public int C { get; init; } = 2;
    /// <summary>Cap on neighbours per task.</summary>
    [JsonPropertyName("K_max")] public int KMax { get; init; } = 32;
    /// <summary>Largest parallelism an action may set.</summary>
    [JsonPropertyName("p_max")] public int PMax { get; init; } = 64;
    /// <summary>Initial head.log_std: the policy's exploration noise starts at std 0.3.</summary>
    [JsonPropertyName("log_std_init")] public double LogStdInit { get; init; } = Math.Log(0.3);

    /// <summary>Input width of GraphSAGE layer e.</summary>
    public int LayerInput(int e) => e == 0 ? D : H;

    /// <summary>Largest sizes a config may state: well past any use (SPEC's defaults are 60, 8, 64, 2, 10, 4, 2, 32, 64),
    /// and small enough that a file's metadata cannot ask for an allocation that overflows.</summary>
    public const int MaxL = 10080, MaxD = 1024, MaxH = 4096, MaxE = 16, MaxK1 = 10080, MaxK2 = 1024, MaxC = 16, MaxKMax = 1024, MaxPMax = 100_000;

    /// <summary>Throws ArgumentException naming the first size that cannot work.</summary>
    public void Validate()
    {
        static void InRange(int value, int low, int high, string name)
        {
            if (value < low || value > high) throw new ArgumentException($"config: {name} = {value} must be in {low}..{high}");
        }
        InRange(L, 1, MaxL, "L"); InRange(D, 1, MaxD, "D"); InRange(H, 1, MaxH, "H"); InRange(E, 1, MaxE, "E");
        InRange(K1, 1, MaxK1, "k1"); InRange(K2, 0, MaxK2, "k2"); InRange(C, 1, MaxC, "c"); InRange(KMax, 1, MaxKMax, "K_max");
        InRange(PMax, 1, MaxPMax, "p_max");
        if (!double.IsFinite(LogStdInit)) throw new ArgumentException($"config: log_std_init = {LogStdInit} must be finite");
    }

    public string ToJson() => JsonSerializer.Serialize(this, PolicyJson.Default.SureConfig);

    /// <summary>The keys a config JSON states (so a reader can tell a stated value from a default).</summary>
    public static HashSet<string> KeysOf(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return [];
            return document.RootElement.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        }
        catch (JsonException e) { throw new ArgumentException($"config is not valid JSON: {e.Message}"); }
    }

    /// <summary>Missing keys keep their defaults (a partial config is fine); unknown keys are ignored (free-form
    /// metadata lives elsewhere); a stated key must hold a number of its kind.</summary>
    public static SureConfig FromJson(string json)
    {
        var config = new SureConfig();
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new ArgumentException("config must be a JSON object");
            foreach (var p in document.RootElement.EnumerateObject())
                config = p.Name switch
                {
                    "L" => config with { L = Whole(p) }, "D" => config with { D = Whole(p) }, "H" => config with { H = Whole(p) },
                    "E" => config with { E = Whole(p) }, "k1" => config with { K1 = Whole(p) }, "k2" => config with { K2 = Whole(p) },
                    "c" => config with { C = Whole(p) }, "K_max" => config with { KMax = Whole(p) }, "p_max" => config with { PMax = Whole(p) },
                    "log_std_init" => config with { LogStdInit = p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetDouble() : throw new ArgumentException("config: log_std_init must be a number") },
                    _ => config,
                };
        }
        catch (JsonException e) { throw new ArgumentException($"config is not valid JSON: {e.Message}"); }
        config.Validate();
        return config;
    }

    static int Whole(JsonProperty p) => p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out int v)
        ? v : throw new ArgumentException($"config: {p.Name} must be a whole number, not {p.Value.GetRawText()}");

    /// <summary>Names and shapes of SPEC 4's parameters, in registration order.</summary>
    public IEnumerable<(string Name, int[] Shape)> ParameterShapes()
    {
        yield return ("nvss.mu.weight", [D]);
        yield return ("nvss.mu.bias", [1]);
        yield return ("nvss.sigma.weight", [D]);
        yield return ("nvss.sigma.bias", [1]);
        for (int e = 0; e < E; e++)
        {
            yield return ($"sage.{e}.weight", [2 * LayerInput(e), H]);
            yield return ($"sage.{e}.bias", [H]);
        }
        yield return ("head.weight", [H]);
        yield return ("head.bias", [1]);
        yield return ("head.log_std", [1]);
        yield return ("disc.weight", [H, H]);
    }

    /// <summary>
    /// The configuration of a weights file (SPEC 8): D, H and E from the tensors' shapes (nvss.mu.weight [D],
    /// head.weight [H], the sage.{e}.weight present); everything else from the "config" metadata entry, which is
    /// optional and may be partial (a missing key keeps its default). A config that states D, H or E against the
    /// shapes is one <see cref="SureFileException"/> naming the tensor and both values.
    /// </summary>
    public static SureConfig Of(SafetensorsFile file)
    {
        SureConfig config;
        HashSet<string> stated = [];
        try
        {
            if (file.Metadata.TryGetValue("config", out var json))
            {
                config = FromJson(json);
                stated = KeysOf(json);
            }
            else config = new SureConfig();
        }
        catch (ArgumentException e) { throw new SureFileException($"{file.SourceName}: {e.Message}"); }

        int? Length(string name) => file.Contains(name) && file[name].Shape.Length == 1 ? file[name].Shape[0] : null;
        int? d = Length("nvss.mu.weight"), h = Length("head.weight");
        int layers = 0;
        while (file.Contains($"sage.{layers}.weight")) layers++;
        string where = $"{file.SourceName}: ";
        if (d is int dd && stated.Contains("D") && dd != config.D)
            throw new SureFileException($"{where}parameter nvss.mu.weight has shape [{dd}], expected [{config.D}] for the metadata's config D = {config.D}");
        if (h is int hh && stated.Contains("H") && hh != config.H)
            throw new SureFileException($"{where}parameter head.weight has shape [{hh}], expected [{config.H}] for the metadata's config H = {config.H}");
        if (layers > 0 && stated.Contains("E") && layers != config.E)
            throw new SureFileException(layers < config.E
                ? $"{where}parameter sage.{layers}.weight is missing (the metadata's config says E = {config.E}, the file holds {layers} layers)"
                : $"{where}tensor sage.{config.E}.weight is not a parameter of the metadata's config E = {config.E} (the file holds {layers} layers)");
        config = config with { D = d ?? config.D, H = h ?? config.H, E = layers > 0 ? layers : config.E };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new SureFileException($"{file.SourceName}: {e.Message}"); }
        return config;
    }

    /// <summary>
    /// Every parameter of this config is in the file with its exact shape, and no other tensor is, else
    /// <see cref="SureFileException"/> names the tensor. Checked before anything is allocated for the values, so that
    /// metadata stating a huge size cannot make a small file allocate.
    /// </summary>
    public void CheckShapes(SafetensorsFile file)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, shape) in ParameterShapes())
        {
            names.Add(name);
            if (!file.Contains(name))
                throw new SureFileException($"{file.SourceName}: parameter {name} is missing (expected shape [{string.Join(", ", shape)}])");
            var found = file[name].Shape;
            if (!found.AsSpan().SequenceEqual(shape))
                throw new SureFileException($"{file.SourceName}: parameter {name} has shape [{string.Join(", ", found)}], expected [{string.Join(", ", shape)}] for config {ToJson()}");
        }
        foreach (var name in file.Names)
            if (!names.Contains(name))
                throw new SureFileException($"{file.SourceName}: tensor {name} is not a parameter of the SURE model");
    }
}
