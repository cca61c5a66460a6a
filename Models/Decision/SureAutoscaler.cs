using Sure.Sim;
using Sure.Sim.Autoscalers;

namespace Sure.Models;

/// <summary>
/// The SURE policy (SPEC 4.4, evaluation mode) as an <see cref="IAutoscaler"/> for one environment: after every span it
/// reads the monitor's snapshots, computes m_i and scales each task by a_i = 2 sigmoid(m_i). The fast
/// <see cref="SureDecider"/> decides for NVSS models; a model trained with the uniform sampler (the w/o NVSS ablation,
/// which the decider does not implement) runs the tape forward on S built from the snapshots.
/// <para>
/// Noise: decision d of an episode (d = 0 at the first Decide after Initialize) draws x and y as
/// <see cref="DecisionNoise"/> says, the same numbers as <see cref="SureDecider"/>, so an episode is reproducible from
/// the seed whatever ran before it.
/// </para>
/// </summary>
public sealed class SureAutoscaler : IAutoscaler
{
    readonly SureModel<float> _model;
    readonly ulong _seed;
    readonly int _n, _maxParallelism;
    readonly SpanBatch<float> _state;   // the tape path's S, x, y (one decision)
    readonly Tape<float> _tape = new(inference: true);
    readonly SubgraphSampler _sampler = new();
    readonly float[] _actionMean;
    readonly bool _uniformSampler;
    readonly SureDecider? _decider;
    readonly int[] _next, _base;
    // The residual policy's base (ActionBase.HpaTuned or MaxTuned, from the checkpoint's metadata); null: the current parallelism.
    readonly IAutoscaler? _baseHeuristic;
    readonly double _deadBand;
    ulong _decision;

    /// <summary>Throws <see cref="SureFileException"/> when the model's config does not fit the environment.</summary>
    public SureAutoscaler(SureModel<float> model, StreamEnvironment env, ulong seed, bool? uniformSampler = null)
    {
        CheckFits(model.Config, env);
        _model = model;
        _seed = seed;
        _n = env.TaskCount;
        _maxParallelism = env.Options.MaxParallelism;
        _state = new SpanBatch<float>(env.Neighbours, env.Job.Edges, 1, env.SpanMinutes, env.FeatureCount);
        _actionMean = new float[_n];
        _next = new int[_n];
        _base = new int[_n];
        _baseHeuristic = BaseHeuristic(model.Metadata, env);
        _deadBand = DeadBand(model);
        // A model trained with the uniform-sampler ablation is evaluated with it too (the trainer's checkpoint says so).
        _uniformSampler = uniformSampler ?? model.Metadata.GetValueOrDefault("sampler") == "uniform";
        if (!_uniformSampler) _decider = new SureDecider(model.DecisionWeights, _state.Table);
    }

    /// <summary>The SPEC metrics of the deterministic policy over [start, start + minutes) of a fresh environment.</summary>
    public static EvalMetrics Evaluate(SureModel<float> model, JobGraph job, double[] workload, SimOptions sim,
        int start, int minutes, ulong seed, bool? uniformSampler = null)
    {
        var env = new StreamEnvironment(job, workload, Fit(sim, model.Config));
        return Episode.Run(env, new SureAutoscaler(model, env, seed, uniformSampler), start, minutes, seed);
    }

    /// <summary>The simulator's options with the features the model reads: SPEC 3's eight, or with the forecast
    /// features when the model has D = 11 (<see cref="SimOptions.ForecastFeatures"/>). Other D fail in <see cref="CheckFits"/>.</summary>
    public static SimOptions Fit(SimOptions sim, SureConfig config) =>
        sim with { ForecastFeatures = config.D == StreamEnvironment.ForecastFeatureCount };

    public string Name => "sure";

    /// <summary>Metadata keys of a residual policy (<see cref="Training.ActionBase"/>): the base and its targets.</summary>
    public const string BaseKey = ResidualBase.BaseKey, BaseTargetKey = ResidualBase.BaseTargetKey, FlinkTargetKey = ResidualBase.FlinkTargetKey,
        HpaTunedBase = ResidualBase.HpaTunedBase, MaxTunedBase = ResidualBase.MaxTunedBase, BestTunedBase = ResidualBase.BestTunedBase;

    /// <summary>The base target of a fleet model (<see cref="Training.FleetTrainer"/>): HPA's target is tuned on each
    /// job's own training range (the trace's <see cref="Training.DataSplit"/>) where the policy is deployed.</summary>
    public const string TunedPerJob = ResidualBase.TunedPerJob;

    /// <summary>Metadata key of the dead band (<see cref="Training.TrainOptions.DeadBand"/>).</summary>
    public const string DeadBandKey = ResidualBase.DeadBandKey;

    /// <summary>The model's dead band from its metadata; 0 when absent.</summary>
    public static double DeadBand(SureModel<float> model) => DeadBand(model.Metadata);

    /// <summary>The dead band from a checkpoint's metadata (any architecture); 0 when absent.</summary>
    public static double DeadBand(IReadOnlyDictionary<string, string> metadata) => ResidualBase.DeadBandOf(metadata);

    /// <summary>The heuristic whose recommendation the ratio multiplies, from the model's metadata; null for SPEC 4.4's current p.</summary>
    public static IAutoscaler? BaseHeuristic(SureModel<float> model) => BaseHeuristic(model.Metadata);

    /// <summary>The residual base from a checkpoint's metadata (any architecture); null for SPEC 4.4's current p. A
    /// base tuned per job (<see cref="TunedPerJob"/>) is tuned here on <paramref name="env"/>'s job and trace.</summary>
    public static IAutoscaler? BaseHeuristic(IReadOnlyDictionary<string, string> metadata, StreamEnvironment? env = null)
    {
        var residual = ResidualBase.FromMetadata(metadata);
        if (residual.TargetPerJob)
        {
            if (env is null) throw new SureFileException($"the model's {BaseTargetKey} is {TunedPerJob}: it needs the job and trace to tune on");
            var train = Training.DataSplit.For(env.Workload.Length).Train;
            var (hpa, flink) = TuneBase(env, train.Start, train.Minutes,
                residual.BestOfTwo ? Training.ActionBase.BestTuned : residual.FlinkTarget is null ? Training.ActionBase.HpaTuned : Training.ActionBase.MaxTuned);
            return Base(hpa, flink);
        }
        return residual.HpaTarget is double target ? Base(target, residual.FlinkTarget) : null;
    }

    /// <summary>
    /// The targets of a residual base tuned on a window of the job's trace (noise seed 1, as the tuned heuristics):
    /// HPA's; Flink's rule's too for max-tuned; for best-tuned, Flink's only when max-tuned's reward on the window is
    /// above hpa-tuned's (then the base is max-tuned, else hpa-tuned). The one tuning of training and deployment.
    /// </summary>
    public static (double HpaTarget, double? FlinkTarget) TuneBase(StreamEnvironment env, int start, int minutes, Training.ActionBase kind)
    {
        if (kind == Training.ActionBase.Current) throw new ArgumentException("the current parallelism has no targets to tune");
        var (hpa, hpaReward) = Tuning.Choose(Tuning.TargetGrid, t => new HpaAutoscaler(t), env, start, minutes, 1);
        if (kind == Training.ActionBase.HpaTuned) return (hpa, null);
        double flink = Tuning.Flink(env, start, minutes, 1).Target;
        if (kind == Training.ActionBase.MaxTuned) return (hpa, flink);
        double maxReward = Episode.Run(env, Base(hpa, flink), start, minutes, 1).Reward;
        return maxReward > hpaReward ? (hpa, flink) : (hpa, null);
    }

    /// <summary>A residual base: HPA at its target (hpa-tuned), or with Flink's rule beside it when it has a target (max-tuned).</summary>
    public static IAutoscaler Base(double hpaTarget, double? flinkTarget) => flinkTarget is double flink
        ? new MaxAutoscaler(new HpaAutoscaler(hpaTarget, HpaTunedBase), new FlinkAutoscaler(flink, "flink-tuned"), MaxTunedBase)
        : new HpaAutoscaler(hpaTarget, HpaTunedBase);

    /// <summary>
    /// For inspection (`sure paper`'s Fig. 5): when set, every decision runs the tape forward (the decider's numbers, by
    /// the same noise) and hands over its outputs and input, valid during the call only.
    /// </summary>
    public Action<SureOutput<float>, SureInput<float>>? Probe { get; set; }

    /// <summary>m_i of the last decision (for inspection and tests).</summary>
    public ReadOnlySpan<float> LastActionMean => _actionMean;

    /// <summary>
    /// The model's sizes must be the ones the simulator produces: D features, neighbourhoods of c hops cut to K_max,
    /// spans of L minutes, parallelism up to p_max.
    /// </summary>
    public static void CheckFits(SureConfig config, StreamEnvironment env)
    {
        static void Same(string name, int model, int sim)
        {
            if (model != sim) throw new SureFileException($"the model has {name} = {model}, the simulator {sim}");
        }
        Same("D", config.D, env.FeatureCount);
        Same("L", config.L, env.SpanMinutes);
        Same("c", config.C, env.Options.NeighbourHops);
        Same("K_max", config.KMax, env.Options.MaxNeighbours);
        Same("p_max", config.PMax, env.Options.MaxParallelism);
        // k1 and k2 come from the weights' metadata: with a large job they could ask for subgraphs past int's range.
        long edges = SubgraphSampler.EdgeBound(env.TaskCount, config.K1, config.K2);
        if (edges > SubgraphSampler.MaxEdges)
            throw new SureFileException($"the model's k1 = {config.K1}, k2 = {config.K2} allow {edges} subgraph edges for {env.TaskCount} tasks, above the limit {SubgraphSampler.MaxEdges}");
    }

    public void Initialize(StreamEnvironment env, Span<int> parallelism)
    {
        parallelism.Fill(env.Options.InitialParallelism);
        _decision = 0;
    }

    public void Decide(StreamEnvironment env, Span<int> parallelism)
    {
        parallelism.CopyTo(_base);
        _baseHeuristic?.Decide(env, _base);
        if (_decider != null && Probe is null)
        {
            _decider.Decide(env.Snapshots, env.OldestSnapshot, _base, _seed, _decision, _next);
            _decider.ActionMeans.CopyTo(_actionMean);
        }
        else ComputeActionMeans(env);
        // The decider's rule (SPEC 4.4) with this model's dead band: the same as _next when the band is 0.
        for (int i = 0; i < _n; i++) parallelism[i] = DecisionMath.Rescale(_base[i], DecisionMath.Ratio(_actionMean[i], _deadBand), _maxParallelism);
        _decision++;
    }

    // The tape forward: snapshots in, m_i out (the decider's numbers, to within the noise's ulps: same S, same draws).
    void ComputeActionMeans(StreamEnvironment env)
    {
        _state.Fill(0, env.Snapshots, env.OldestSnapshot, _seed, _decision);
        _tape.Reset();
        var result = _model.Forward(_tape, _state.Input, _model.Config.K1, _model.Config.K2, _sampler, _uniformSampler);
        result.ActionMean.Value.Span.CopyTo(_actionMean);
        Probe?.Invoke(result, _state.Input);
    }
}
