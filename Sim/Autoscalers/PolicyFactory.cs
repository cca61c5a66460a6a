using System.Globalization;

namespace Sure.Sim.Autoscalers;

/// <summary>Builds the heuristic policies from their command-line names.</summary>
public static class PolicyFactory
{
    public const string Usage = "static, fixed:N (N in 1..64), hpa, ds2, flink, oracle-static, hpa-tuned, flink-tuned, max-tuned or clairvoyant";

    /// <summary>
    /// <paramref name="train"/> supplies the window before the evaluated minutes: oracle-static searches all of it,
    /// hpa-tuned, flink-tuned, max-tuned and clairvoyant tune on its first week (SPEC 7). Null when the caller has none, which
    /// makes those policies an error.
    /// </summary>
    public static IAutoscaler Create(string spec, StreamEnvironment env, (int Start, int Minutes)? train, ulong seed)
    {
        switch (spec)
        {
            case "static": return new StaticAutoscaler();
            case "hpa": return new HpaAutoscaler();
            case "ds2": return new Ds2Autoscaler();
            case "flink": return new FlinkAutoscaler();
            case "oracle-static":
                var window = Window(spec, train);
                return OracleStatic.Search(env, window.Start, window.Minutes, seed);
            case "hpa-tuned" or "flink-tuned" or "max-tuned" or "clairvoyant":
                var (start, minutes) = Window(spec, train);
                minutes = Math.Min(minutes, Tuning.FirstWeekMinutes);
                return spec switch
                {
                    "hpa-tuned" => Tuning.Hpa(env, start, minutes, seed),
                    "flink-tuned" => Tuning.Flink(env, start, minutes, seed),
                    "max-tuned" => Tuning.Max(env, start, minutes, seed),
                    _ => Tuning.Clairvoyant(env, start, minutes, seed),
                };
        }
        if (spec.StartsWith("fixed:", StringComparison.Ordinal)
            && int.TryParse(spec.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            && n >= 1 && n <= env.Options.MaxParallelism)
            return FixedAutoscaler.Uniform(env.TaskCount, n);
        throw new SimInputException($"bad policy '{spec}': expected {Usage}");
    }

    static (int Start, int Minutes) Window(string spec, (int Start, int Minutes)? train) =>
        train is { Minutes: > 0 } window ? window
            : throw new SimInputException($"{spec} needs a training window before the evaluated minutes, and the trace has none");

    /// <summary>Checks a policy name without building it (for validating options before long runs).</summary>
    public static bool IsKnown(string spec, int maxParallelism = 64) =>
        spec is "static" or "hpa" or "ds2" or "flink" or "oracle-static" or "hpa-tuned" or "flink-tuned" or "max-tuned" or "clairvoyant"
        || (spec.StartsWith("fixed:", StringComparison.Ordinal)
            && int.TryParse(spec.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            && n >= 1 && n <= maxParallelism);
}
