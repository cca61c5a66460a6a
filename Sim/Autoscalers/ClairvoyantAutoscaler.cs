namespace Sure.Sim.Autoscalers;

/// <summary>
/// The clairvoyant reference of SPEC 7 (not deployable: it reads the future). At each decision it knows the workload
/// of the coming span and gives task i p_i = clamp(ceil(A_pk,i / (rho mu_i)), 1, p_max), where A_pk,i is the input
/// task i receives when every source gets the span's peak W (propagated along the DAG as for Abar, no backlog).
/// It bounds what forecasting alone can buy. Like every policy it starts the episode at p_0 (its first decision
/// follows the first span); a decision that changes no task costs no restart (the simulator's rule).
/// </summary>
public sealed class ClairvoyantAutoscaler(double rho, string name = "clairvoyant") : IAutoscaler
{
    double[] _peakInput = [];

    public string Name => name;
    public double Rho => rho;
    public string? Setting => Tuning.Describe("rho", rho, tuned: true);

    public void Initialize(StreamEnvironment env, Span<int> parallelism) => parallelism.Fill(env.Options.InitialParallelism);

    public void Decide(StreamEnvironment env, Span<int> parallelism)
    {
        if (_peakInput.Length != env.TaskCount) _peakInput = new double[env.TaskCount];
        var workload = env.Workload;
        int first = env.Minute, end = Math.Min(workload.Length, first + env.SpanMinutes);
        double peak = 0;
        for (int t = first; t < end; t++) peak = Math.Max(peak, workload[t]);
        Size(env.Job, env.ServiceRate, peak, rho, env.Options.MaxParallelism, parallelism, _peakInput);
    }

    /// <summary>
    /// p_i = clamp(ceil(A_i / (rho mu_i)), 1, maxParallelism) with A propagated from <paramref name="sourceRate"/> at every
    /// source; <paramref name="input"/> receives A.
    /// </summary>
    public static void Size(JobGraph job, ReadOnlySpan<double> serviceRate, double sourceRate, double rho, int maxParallelism,
        Span<int> parallelism, Span<double> input)
    {
        foreach (int i in job.TopologicalOrder)
        {
            double a = 0;
            if (job.IsSource(i)) a = sourceRate;
            else foreach (int j in job.Parents(i)) a += input[j];
            input[i] = a;
            parallelism[i] = SpanStatistics.Clamp(SpanStatistics.CeilTolerant(a / (rho * serviceRate[i])), maxParallelism);
        }
    }
}
