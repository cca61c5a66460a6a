using Sure.Policy;

namespace Sure.Sim.Autoscalers;

/// <summary>
/// Kubernetes HPA per task: recommendation ceil(p * u / target), none when |u / target - 1| &lt;= 0.1.
/// The metric is the task's busy fraction in the span's last minute (the "current" value an HPA
/// reads); a scale-down takes the largest recommendation of the span's last 5 minutes
/// (the stabilisation window), never more than p. The target is 0.7 (SPEC 7's "hpa") unless
/// given (hpa-tuned, <see cref="Tuning"/>). The rule itself is <see cref="HpaRule"/>, shared with the policy library.
/// </summary>
public sealed class HpaAutoscaler(double targetUtilization = HpaAutoscaler.TargetUtilization, string name = "hpa") : IAutoscaler
{
    public const double TargetUtilization = HpaRule.TargetUtilization;
    public const double Tolerance = HpaRule.Tolerance;
    public const int StabilizationMinutes = HpaRule.StabilizationMinutes;

    public string Name => name;
    public double Target => targetUtilization;
    public string? Setting => Tuning.Describe("target", targetUtilization, name != "hpa");

    public void Initialize(StreamEnvironment env, Span<int> parallelism) => parallelism.Fill(env.Options.InitialParallelism);

    public void Decide(StreamEnvironment env, Span<int> parallelism)
    {
        var span = env.LastSpan;
        for (int i = 0; i < parallelism.Length; i++)
            parallelism[i] = HpaRule.Next(span.Parallelism[i], span.Utilization, span.Minutes, span.TaskCount, i, targetUtilization, env.Options.MaxParallelism);
    }

    /// <summary>One HPA recommendation for a task at parallelism p and busy fraction u.</summary>
    public static int Recommend(int p, double utilization, double target = TargetUtilization) => HpaRule.Recommend(p, utilization, target);
}
