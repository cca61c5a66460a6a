namespace Sure.Sim.Autoscalers;

/// <summary>
/// Kubernetes HPA per task: recommendation ceil(p * u / target), none when |u / target - 1| &lt;= 0.1.
/// The metric is the task's busy fraction in the span's last minute (the "current" value an HPA
/// reads); a scale-down takes the largest recommendation of the span's last 5 minutes
/// (the stabilisation window), never more than p. The target is 0.7 (SPEC 7's "hpa") unless
/// given (hpa-tuned, <see cref="Tuning"/>).
/// </summary>
public sealed class HpaAutoscaler(double targetUtilization = HpaAutoscaler.TargetUtilization, string name = "hpa") : IAutoscaler
{
    public const double TargetUtilization = 0.7;
    public const double Tolerance = 0.1;
    public const int StabilizationMinutes = 5;

    public string Name => name;
    public double Target => targetUtilization;
    public string? Setting => Tuning.Describe("target", targetUtilization, name != "hpa");

    public void Initialize(StreamEnvironment env, Span<int> parallelism) => parallelism.Fill(env.Options.InitialParallelism);

    public void Decide(StreamEnvironment env, Span<int> parallelism)
    {
        var span = env.LastSpan;
        int last = span.Minutes - 1, first = Math.Max(0, span.Minutes - StabilizationMinutes);
        for (int i = 0; i < parallelism.Length; i++)
        {
            int p = span.Parallelism[i];
            int next = Recommend(p, span.At(span.Utilization, last, i), targetUtilization);
            if (next < p)
            {
                for (int m = first; m < last; m++) next = Math.Max(next, Recommend(p, span.At(span.Utilization, m, i), targetUtilization));
                next = Math.Min(next, p);
            }
            parallelism[i] = Math.Clamp(next, 1, env.Options.MaxParallelism);
        }
    }

    /// <summary>One HPA recommendation for a task at parallelism p and busy fraction u.</summary>
    public static int Recommend(int p, double utilization, double target = TargetUtilization)
    {
        double ratio = utilization / target;
        if (Math.Abs(ratio - 1) <= Tolerance) return p;
        return (int)SpanStatistics.CeilTolerant(p * ratio);
    }
}
