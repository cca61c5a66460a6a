using System.Globalization;

namespace Sure.Policy;

/// <summary>
/// What a checkpoint's metadata says about the rule around the network (docs/training.md): the base the ratio
/// multiplies (SPEC 4.4's current parallelism, or HPA's recommendation at a tuned target: "action_base" = "hpa-tuned"
/// with "action_base_target"; or the larger of HPA's and Flink's rule's: "action_base" = "max-tuned" with
/// "action_base_target" and "action_base_flink_target") and the dead band (a ratio within it of 1 is 1).
/// </summary>
/// <param name="HpaTarget">HPA's target utilisation when the policy is a residual on hpa-tuned or max-tuned; null: the
/// current parallelism; NaN: a residual whose target is tuned for each job where it runs (<see cref="TargetPerJob"/>).</param>
/// <param name="DeadBand">In [0, 1); 0 when the metadata states none.</param>
/// <param name="FlinkTarget">Flink's rule's target utilisation when the base is max-tuned; null otherwise (NaN: tuned per job).</param>
/// <param name="BestOfTwo">The base is best-tuned: hpa-tuned or max-tuned, chosen per job on its training range.</param>
public sealed record ResidualBase(double? HpaTarget, double DeadBand, double? FlinkTarget = null, bool BestOfTwo = false)
{
    /// <summary>Metadata keys of a residual policy: the base and its targets; the dead band.</summary>
    public const string BaseKey = "action_base", BaseTargetKey = "action_base_target", FlinkTargetKey = "action_base_flink_target",
        HpaTunedBase = "hpa-tuned", MaxTunedBase = "max-tuned", BestTunedBase = "best-tuned", DeadBandKey = "dead_band";

    /// <summary>The base target of a fleet model: HPA's target is tuned on each job where the policy is deployed.</summary>
    public const string TunedPerJob = "per-job";

    /// <summary>The base is HPA at a target the deployment tunes per job (a host states it: <see cref="PolicyOptions.BaseTarget"/>).</summary>
    public bool TargetPerJob => HpaTarget is double target && double.IsNaN(target);

    /// <summary>Reads the keys above; a stated value that cannot be used is one <see cref="SureFileException"/>.</summary>
    public static ResidualBase FromMetadata(IReadOnlyDictionary<string, string> metadata) =>
        IsPerJob(metadata)
            ? new(double.NaN, DeadBandOf(metadata), metadata[BaseKey] == HpaTunedBase ? null : double.NaN, metadata[BaseKey] == BestTunedBase)
            : new(HpaTargetOf(metadata), DeadBandOf(metadata), FlinkTargetOf(metadata));

    /// <summary>The metadata names HPA, HPA and Flink's rule, or the better of the two as the base with targets tuned per job.</summary>
    public static bool IsPerJob(IReadOnlyDictionary<string, string> metadata) =>
        metadata.GetValueOrDefault(BaseKey) is HpaTunedBase or MaxTunedBase or BestTunedBase && metadata.GetValueOrDefault(BaseTargetKey) == TunedPerJob;

    /// <summary>The dead band alone (0 when absent).</summary>
    public static double DeadBandOf(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(DeadBandKey, out var text)) return 0;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double band) || !(band >= 0 && band < 1))
            throw new SureFileException($"the model's {DeadBandKey} '{text}' is not a number in [0, 1)");
        return band;
    }

    /// <summary>HPA's target of a residual policy alone (null when the metadata states no base).</summary>
    public static double? HpaTargetOf(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(BaseKey, out var kind)) return null;
        if (kind == BestTunedBase)
            throw new SureFileException($"the model's {BaseKey} is {BestTunedBase} but {BaseTargetKey} is not {TunedPerJob}: the choice between hpa-tuned and max-tuned is made per job");
        if (kind is not (HpaTunedBase or MaxTunedBase))
            throw new SureFileException($"unknown {BaseKey} '{kind}' in the model's metadata: expected {HpaTunedBase}, {MaxTunedBase} or {BestTunedBase}");
        return TargetOf(metadata, kind, BaseTargetKey);
    }

    /// <summary>Flink's rule's target of a max-tuned base (null for any other base).</summary>
    public static double? FlinkTargetOf(IReadOnlyDictionary<string, string> metadata) =>
        metadata.GetValueOrDefault(BaseKey) == MaxTunedBase ? TargetOf(metadata, MaxTunedBase, FlinkTargetKey) : null;

    static double TargetOf(IReadOnlyDictionary<string, string> metadata, string kind, string key)
    {
        if (!metadata.TryGetValue(key, out var text)
            || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double target)
            || !(target > 0 && target <= 1))
            throw new SureFileException($"the model's {BaseKey} is {kind} but {key} is missing or not in (0, 1]");
        return target;
    }
}
