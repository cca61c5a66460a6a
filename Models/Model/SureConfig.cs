using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sure.Models;

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

    /// <summary>Throws ArgumentException naming the first size that cannot work.</summary>
    public void Validate()
    {
        static void Positive(int value, string name)
        {
            if (value <= 0) throw new ArgumentException($"config: {name} = {value} must be positive");
        }
        Positive(L, "L"); Positive(D, "D"); Positive(H, "H"); Positive(E, "E"); Positive(K1, "k1");
        Positive(C, "c"); Positive(KMax, "K_max"); Positive(PMax, "p_max");
        if (K2 < 0) throw new ArgumentException($"config: k2 = {K2} must not be negative");
    }

    public string ToJson() => JsonSerializer.Serialize(this, ModelsJson.Default.SureConfig);

    /// <summary>Missing keys keep their defaults; unknown keys are ignored (free-form metadata lives elsewhere).</summary>
    public static SureConfig FromJson(string json)
    {
        SureConfig? config;
        try { config = JsonSerializer.Deserialize(json, ModelsJson.Default.SureConfig); }
        catch (JsonException e) { throw new ArgumentException($"config is not valid JSON: {e.Message}"); }
        config ??= new SureConfig();
        config.Validate();
        return config;
    }
}
