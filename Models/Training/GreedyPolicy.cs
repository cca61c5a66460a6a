using Sure.Sim;
using Sure.Sim.Autoscalers;

namespace Sure.Models.Training;

/// <summary>
/// The trained policy acting deterministically (u_i = m_i, SPEC 4.4) as an IAutoscaler, for measuring rewards in
/// tests and after training. The subgraph noises x, y of decision k come from Philox(seed, stream 4k, 4k + 1), so a
/// run is a pure function of (weights, seed). The full evaluation adapter of `sure run` lives elsewhere.
/// </summary>
public sealed class GreedyPolicy(SureModel<float> model, StreamEnvironment env, ulong seed, bool uniformSampler) : IAutoscaler
{
    readonly Tape<float> _tape = new(inference: true);
    readonly SubgraphSampler _sampler = new();
    readonly SpanBatch<float> _batch = new(env.Neighbors, env.Job.Edges, 1, env.SpanMinutes, StreamEnvironment.FeatureCount);
    readonly float[] _snapshots = new float[env.SpanMinutes * env.TaskCount * StreamEnvironment.FeatureCount];
    ulong _decision;

    public string Name => "sure-greedy";

    public void Initialize(StreamEnvironment environment, Span<int> parallelism)
    {
        _decision = 0;
        parallelism.Fill(environment.Options.InitialParallelism);
    }

    public void Decide(StreamEnvironment environment, Span<int> parallelism)
    {
        environment.CopySnapshotsOldestFirst(_snapshots);
        _batch.Fill(0, _snapshots, seed, 4 * _decision++);
        _tape.Reset();
        var mean = model.Forward(_tape, _batch.Input, model.Config.K1, model.Config.K2, _sampler, uniformSampler).ActionMean.Value.Span;
        for (int i = 0; i < parallelism.Length; i++)
            parallelism[i] = SureTrainer.NextParallelism(mean[i], parallelism[i], environment.Options.MaxParallelism);
    }

    /// <summary>Mean span reward (and the other SPEC metrics) of the deterministic policy over [start, start + minutes).</summary>
    public static EvalMetrics Evaluate(SureModel<float> model, JobGraph job, double[] workload, SimOptions sim,
        int start, int minutes, ulong seed, bool uniformSampler = false)
    {
        var env = new StreamEnvironment(job, workload, sim);
        return Episode.Run(env, new GreedyPolicy(model, env, seed, uniformSampler), start, minutes, seed);
    }
}
