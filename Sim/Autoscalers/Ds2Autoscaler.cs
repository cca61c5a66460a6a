namespace Sure.Sim.Autoscalers;

/// <summary>
/// DS2 (Kalavri et al., OSDI'18). In topological order: target input = the observed source rate
/// for a source, else the sum of the parents' projected outputs; p' = ceil(target / true rate per
/// instance); projected output = p' * true output rate per instance (the observed aggregate true
/// output O / u scaled by p' / p, DS2 Eq. 7-8). Source rate and true rates come from the last span
/// (restart minutes excluded). In this model a task's output equals what it processes, so the true
/// output rate equals the true processing rate.
/// </summary>
public sealed class Ds2Autoscaler : IAutoscaler
{
    double[] _sourceRate = [], _trueRate = [], _projected = [];

    public string Name => "ds2";

    public void Initialize(StreamEnvironment env, Span<int> parallelism)
    {
        parallelism.Fill(env.Options.InitialParallelism);
        _sourceRate = new double[env.TaskCount];
        _trueRate = new double[env.TaskCount];
        _projected = new double[env.TaskCount];
    }


    public void Decide(StreamEnvironment env, Span<int> parallelism)
    {
        if (_trueRate.Length != env.TaskCount)                      // Decide without Initialize, or a new job
        {
            _sourceRate = new double[env.TaskCount];
            _trueRate = new double[env.TaskCount];
            _projected = new double[env.TaskCount];
        }
        var span = env.LastSpan;
        for (int i = 0; i < env.TaskCount; i++)
        {
            _sourceRate[i] = env.Job.IsSource(i) ? SpanStatistics.MeanInput(span, i) : 0;
            _trueRate[i] = SpanStatistics.TrueRatePerInstance(span, i);
        }
        Recommend(env.Job, _sourceRate, _trueRate, _trueRate, env.Options.MaxParallelism, parallelism, _projected);
    }

    /// <summary>
    /// DS2's model. <paramref name="sourceRate"/> is read for source tasks only; rates are per instance.
    /// <paramref name="parallelism"/> receives p' (clamped to [1, maxParallelism]).
    /// </summary>
    public static void Recommend(JobGraph job, ReadOnlySpan<double> sourceRate, ReadOnlySpan<double> trueRate,
        ReadOnlySpan<double> trueOutputRate, int maxParallelism, Span<int> parallelism, Span<double> projected = default)
    {
        if (projected.Length < job.TaskCount) projected = new double[job.TaskCount];   // callers on the hot path pass a buffer
        foreach (int i in job.TopologicalOrder)
        {
            double target = 0;
            if (job.IsSource(i)) target = sourceRate[i];
            else foreach (int j in job.Parents(i)) target += projected[j];
            int next = SpanStatistics.Clamp(SpanStatistics.CeilTolerant(target / trueRate[i]), maxParallelism);
            parallelism[i] = next;
            projected[i] = next * trueOutputRate[i];
        }
    }
}
