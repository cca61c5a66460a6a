namespace Sure.Sim.Autoscalers;

/// <summary>
/// The flink-kubernetes-operator autoscaler, reduced to this model: DS2's target rates propagated
/// along the DAG plus backlog catch-up (Q / 30 min), sized for a target utilisation of 0.7.
/// It acts only when some task's mean busy fraction (restart minutes excluded) leaves
/// [0.4, 0.99] (0.99 instead of 1.0 because a saturated task reads exactly 1), and a
/// scale-down keeps at least ceil(0.4 p) (max scale-down factor 0.6).
/// Target propagation uses the upstream's target processing rate (selectivity 1 here), not its
/// ceil-ed capacity, as the operator does; that keeps the 1/0.7 headroom from compounding down the DAG.
/// The target utilisation is 0.7 unless given (flink-tuned, <see cref="Tuning"/>).
/// </summary>
public sealed class FlinkAutoscaler(double targetUtilization = FlinkAutoscaler.TargetUtilization, string name = "flink") : IAutoscaler
{
    public const double TargetUtilization = 0.7;
    public const double LowUtilization = 0.4;
    public const double HighUtilization = 0.99;
    public const double CatchUpMinutes = 30;
    public const double MaxScaleDownFactor = 0.6;

    double[] _input = [], _backlog = [], _trueRate = [], _utilization = [], _target = [];

    public string Name => name;
    public double Target => targetUtilization;
    public string? Setting => Tuning.Describe("target", targetUtilization, name != "flink");

    public void Initialize(StreamEnvironment env, Span<int> parallelism)
    {
        parallelism.Fill(env.Options.InitialParallelism);
        Size(env.TaskCount);
    }

    void Size(int n)
    {
        _input = new double[n];
        _backlog = new double[n];
        _trueRate = new double[n];
        _utilization = new double[n];
        _target = new double[n];
    }

    public void Decide(StreamEnvironment env, Span<int> parallelism)
    {
        if (_input.Length != env.TaskCount) Size(env.TaskCount);    // Decide without Initialize, or a new job
        var span = env.LastSpan;
        for (int i = 0; i < env.TaskCount; i++)
        {
            _input[i] = SpanStatistics.MeanInput(span, i);
            _backlog[i] = SpanStatistics.FinalBacklog(span, i);
            _trueRate[i] = SpanStatistics.TrueRatePerInstance(span, i);
            _utilization[i] = SpanStatistics.MeanUtilization(span, i);
        }
        Recommend(env.Job, span.Parallelism, _input, _backlog, _trueRate, _utilization, env.Options.MaxParallelism, parallelism, _target, targetUtilization);
    }

    /// <summary>
    /// <paramref name="input"/> is read for source tasks only (observed records/min); rates are per instance.
    /// Leaves <paramref name="parallelism"/> = <paramref name="current"/> when every task is inside the band.
    /// </summary>
    public static void Recommend(JobGraph job, ReadOnlySpan<int> current, ReadOnlySpan<double> input, ReadOnlySpan<double> backlog,
        ReadOnlySpan<double> trueRate, ReadOnlySpan<double> utilization, int maxParallelism, Span<int> parallelism,
        Span<double> target = default, double targetUtilization = TargetUtilization)
    {
        current.CopyTo(parallelism);
        bool outside = false;
        foreach (double u in utilization) outside |= u < LowUtilization || u > HighUtilization;
        if (!outside) return;
        if (target.Length < job.TaskCount) target = new double[job.TaskCount];           // callers on the hot path pass a buffer
        foreach (int i in job.TopologicalOrder)
        {
            double rate = 0;
            if (job.IsSource(i)) rate = input[i];
            else foreach (int j in job.Parents(i)) rate += target[j];
            rate += backlog[i] / CatchUpMinutes;
            target[i] = rate;
            double next = SpanStatistics.CeilTolerant(rate / (targetUtilization * trueRate[i]));
            double floor = Math.Ceiling(current[i] * (1 - MaxScaleDownFactor));
            parallelism[i] = SpanStatistics.Clamp(Math.Max(next, floor), maxParallelism);
        }
    }
}
