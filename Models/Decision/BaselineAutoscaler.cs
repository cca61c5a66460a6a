using Sure.Models.Baselines;
using Sure.Sim;
using Sure.Sim.Autoscalers;

namespace Sure.Models;

/// <summary>
/// A baseline of SPEC 11 as an <see cref="IAutoscaler"/> for one environment, in evaluation mode: after every span the
/// network reads the monitor's snapshots (oldest first) and gives m_i on an inference tape; the rest is SURE's rule
/// (SPEC 4.4 with the checkpoint's residual base and dead band, as <see cref="SureAutoscaler"/>). A baseline has no
/// noise, so the seed changes nothing.
/// </summary>
public sealed class BaselineAutoscaler : IAutoscaler
{
    readonly IBaselineNetwork<float> _network;
    readonly BaselineBatch<float> _batch;
    readonly Tape<float> _tape = new(inference: true);
    readonly float[] _snapshots, _actionMean;
    readonly int[] _base;
    readonly IAutoscaler? _baseHeuristic;
    readonly double _deadBand;
    readonly int _n, _maxParallelism;

    /// <summary>Throws <see cref="SureFileException"/> when the network does not fit the environment.</summary>
    public BaselineAutoscaler(IBaselineNetwork<float> network, StreamEnvironment env)
    {
        CheckFits(network, env);
        _network = network;
        _n = env.TaskCount;
        _maxParallelism = env.Options.MaxParallelism;
        _batch = new BaselineBatch<float>(env.Job, 1, env.SpanMinutes, env.FeatureCount);
        _snapshots = new float[env.SpanMinutes * _n * env.FeatureCount];
        _actionMean = new float[_n];
        _base = new int[_n];
        _baseHeuristic = SureAutoscaler.BaseHeuristic(network.Metadata, env);
        _deadBand = SureAutoscaler.DeadBand(network.Metadata);
    }

    public string Name => _network.Architecture;

    /// <summary>m_i of the last decision.</summary>
    public ReadOnlySpan<float> LastActionMean => _actionMean;

    /// <summary>D, L and p_max must be the simulator's; a job-bound network (CCRNN) must have been built for this job's n.</summary>
    public static void CheckFits(IBaselineNetwork<float> network, StreamEnvironment env)
    {
        var config = network.Config;
        static void Same(string name, int model, int sim)
        {
            if (model != sim) throw new SureFileException($"the model has {name} = {model}, the simulator {sim}");
        }
        Same("D", config.D, env.FeatureCount);
        Same("L", config.L, env.SpanMinutes);
        Same("p_max", config.PMax, env.Options.MaxParallelism);
        if (network.Tasks > 0 && network.Tasks != env.TaskCount)
            throw new SureFileException($"the {network.Architecture} model was trained for a job of {network.Tasks} tasks (its task embeddings tie it to one job), job {env.Job.Name} has {env.TaskCount}");
    }

    /// <summary>The SPEC metrics of the deterministic policy over [start, start + minutes) of a fresh environment.</summary>
    public static EvalMetrics Evaluate(IBaselineNetwork<float> network, JobGraph job, double[] workload, SimOptions sim, int start, int minutes, ulong seed)
    {
        var env = new StreamEnvironment(job, workload, SureAutoscaler.Fit(sim, network.Config));
        return Episode.Run(env, new BaselineAutoscaler(network, env), start, minutes, seed);
    }

    public void Initialize(StreamEnvironment env, Span<int> parallelism) => parallelism.Fill(env.Options.InitialParallelism);

    public void Decide(StreamEnvironment env, Span<int> parallelism)
    {
        parallelism.CopyTo(_base);
        _baseHeuristic?.Decide(env, _base);
        env.CopySnapshotsOldestFirst(_snapshots);
        _batch.Fill(0, _snapshots);
        _tape.Reset();
        _network.ActionMeans(_tape, _batch).Value.Span.CopyTo(_actionMean);
        for (int i = 0; i < _n; i++) parallelism[i] = DecisionMath.Rescale(_base[i], DecisionMath.Ratio(_actionMean[i], _deadBand), _maxParallelism);
    }
}

/// <summary>A trained network of any architecture as the deterministic policy of an environment.</summary>
public static class LearnedPolicy
{
    /// <summary>SURE's autoscaler (noise from <paramref name="seed"/>; <paramref name="uniformSampler"/> as
    /// <see cref="SureAutoscaler"/> takes it) or a baseline's. Throws SureFileException when the network does not fit.</summary>
    public static IAutoscaler Create(IPolicyNetwork<float> network, StreamEnvironment env, ulong seed, bool? uniformSampler = null) => network switch
    {
        SureModel<float> sure => new SureAutoscaler(sure, env, seed, uniformSampler),
        IBaselineNetwork<float> baseline => new BaselineAutoscaler(baseline, env),
        _ => throw new ArgumentException($"no autoscaler for architecture {network.Architecture}"),
    };

    /// <summary>The deterministic policy's SPEC metrics over [start, start + minutes) of a fresh environment.</summary>
    public static EvalMetrics Evaluate(IPolicyNetwork<float> network, JobGraph job, double[] workload, SimOptions sim, int start, int minutes,
        ulong seed, bool? uniformSampler = null)
    {
        var env = new StreamEnvironment(job, workload, SureAutoscaler.Fit(sim, network.Config));
        return Episode.Run(env, Create(network, env, seed, uniformSampler), start, minutes, seed);
    }
}
