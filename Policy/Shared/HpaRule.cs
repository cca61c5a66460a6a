namespace Sure.Policy;

/// <summary>
/// Kubernetes HPA's rule per task (SPEC 7): recommendation ceil(p * u / target), none when |u / target - 1| &lt;= 0.1,
/// read on the last minute; a scale-down takes the largest recommendation of the last 5 minutes (the stabilisation
/// window), never more than p. Written once for the simulator's `hpa`/`hpa-tuned`, the residual policy's base and the
/// library's fallback (this file is compiled into Sure.Sim and Sure.Policy; Shared/README.md).
/// </summary>
static class HpaRule
{
    public const double TargetUtilization = 0.7;
    public const double Tolerance = 0.1;
    public const int StabilizationMinutes = 5;

    /// <summary>One recommendation for a task at parallelism p and busy fraction u.</summary>
    public static int Recommend(int p, double utilization, double target)
    {
        double ratio = utilization / target;
        if (Math.Abs(ratio - 1) <= Tolerance) return p;
        return (int)CeilTolerant(p * ratio);
    }

    /// <summary>
    /// The next parallelism of one task, clamped to [1, maxParallelism], from its busy fraction over the last minutes.
    /// </summary>
    // busy: [minutes, stride] row-major, oldest minute first; the task's values are column `task`
    public static int Next(int p, ReadOnlySpan<double> busy, int minutes, int stride, int task, double target, int maxParallelism)
    {
        int last = minutes - 1, first = Math.Max(0, minutes - StabilizationMinutes);
        int next = Recommend(p, busy[last * stride + task], target);
        if (next < p)
        {
            for (int m = first; m < last; m++) next = Math.Max(next, Recommend(p, busy[m * stride + task], target));
            next = Math.Min(next, p);
        }
        return Math.Clamp(next, 1, maxParallelism);
    }

    /// <summary>ceil that forgives floating-point noise just above an integer (50.000000001 / 25 -> 2).</summary>
    public static double CeilTolerant(double value) => Math.Ceiling(value - 1e-9 * Math.Max(1, Math.Abs(value)));
}
