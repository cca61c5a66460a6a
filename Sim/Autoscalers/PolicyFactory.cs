using System.Globalization;

namespace Sure.Sim.Autoscalers;

/// <summary>Builds the heuristic policies from their command-line names.</summary>
public static class PolicyFactory
{
    public const string Usage = "static, fixed:N (N in 1..64), hpa, ds2, flink or oracle-static";

    /// <summary>
    /// <paramref name="train"/> supplies oracle-static's search window (start, minutes); null when the
    /// caller has none, which makes oracle-static an error.
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
                if (train is not { Minutes: > 0 } window)
                    throw new SimInputException("oracle-static needs a training window before the evaluated minutes, and the trace has none");
                return OracleStatic.Search(env, window.Start, window.Minutes, seed);
        }
        if (spec.StartsWith("fixed:", StringComparison.Ordinal)
            && int.TryParse(spec.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            && n >= 1 && n <= env.Options.MaxParallelism)
            return FixedAutoscaler.Uniform(env.TaskCount, n);
        throw new SimInputException($"bad policy '{spec}': expected {Usage}");
    }

    /// <summary>Checks a policy name without building it (for validating options before long runs).</summary>
    public static bool IsKnown(string spec, int maxParallelism = 64) =>
        spec is "static" or "hpa" or "ds2" or "flink" or "oracle-static"
        || (spec.StartsWith("fixed:", StringComparison.Ordinal)
            && int.TryParse(spec.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            && n >= 1 && n <= maxParallelism);
}
