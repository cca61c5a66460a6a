using Sure.Autodiff.Device;
using Sure.Models.Baselines;
using Sure.Sim;
using Sure.Sim.Autoscalers;
using Sure.Tensors.Devices;

namespace Sure.Models.Training;

/// <summary>Who acts in a rollout, and what its u records: see <see cref="RolloutWorker.Run"/>.</summary>
enum Actor { Policy, Teacher, PolicyLabelledByTeacher }

/// <summary>
/// One rollout of an iteration: what it stored for its loss pass (the snapshots each decision saw, u, the rewards),
/// the replica of the weights its gradient goes to, and its loss. Decision t draws <see cref="DecisionNoise"/>'s
/// decision <c>FirstDecision + 2t</c> and its u ~ N(m, s^2) from the normal stream of decision <c>FirstDecision + 2t + 1</c>,
/// so no two decisions of a run share a stream.
/// </summary>
sealed class RolloutRecord(int decisions, int tasks, int spanFloats, IPolicyNetwork<float> replica, Memory<double> rewards, Memory<double> shares)
{
    public IPolicyNetwork<float> Replica { get; } = replica;
    /// <summary>The replica's weights and gradient on the trainer's device (made on first use); null on the CPU tape.</summary>
    public DeviceParameters? DeviceReplica { get; set; }
    /// <summary>[T, L, n, D] the snapshots decision t saw, oldest first.</summary>
    public float[] Snapshots { get; } = new float[decisions * spanFloats];
    /// <summary>[T, n] the u acted on (REINFORCE) or the teacher's (imitation).</summary>
    public float[] U { get; } = new float[decisions * tasks];
    /// <summary>[T, n] ln N(u; m, s^2) of REINFORCE's epoch, PPO's old densities.</summary>
    public float[] LogDensity { get; } = new float[decisions * tasks];
    /// <summary>[T] the reward of the span decision t set (a row of the trainer's [R, T]).</summary>
    public Memory<double> Rewards { get; } = rewards;
    /// <summary>[T, n] the rewards' task shares (per-task credit), or empty.</summary>
    public Memory<double> Shares { get; } = shares;
    public ulong FirstDecision { get; set; }
    public ulong EnvironmentSeed { get; set; }
    /// <summary>The loss of the last pass that records it (imitation, or REINFORCE's epoch 0).</summary>
    public LossValues Loss { get; set; }
}

/// <summary>
/// One thread's simulator, tapes and buffers: runs rollouts of a window and their loss passes into the rollouts'
/// replicas. It reads the trainer's model (the weights every rollout acts with) and writes only the records it is given.
/// SURE's rollouts decide with the fast <see cref="SureDecider"/> (the evaluation's code), and the loss pass replays
/// them on the tape from the same S and noise (<see cref="SpanBatch{T}"/>); the uniform-sampler ablation and the
/// baselines decide on the inference tape.
/// </summary>
sealed class RolloutWorker : IDisposable
{
    readonly IPolicyNetwork<float> _model;
    readonly TrainOptions _options;
    readonly LossWeights _weights;
    readonly int _maxParallelism;
    readonly StreamEnvironment _env;
    readonly Tape<float> _inference = new(inference: true), _tape = new();
    readonly DeviceTape? _deviceTape;   // the loss passes' tape when the trainer has a device
    readonly SureDecider? _decider;     // SURE with NVSS
    readonly SpanBatch<float>? _decision;                 // the uniform-sampler ablation's one-decision input
    readonly BaselineBatch<float>? _baselineDecision;     // a baseline's one-decision input
    readonly SubgraphSampler _sampler = new();
    readonly RolloutLoss<float> _loss;
    readonly int[] _parallelism, _teacherParallelism, _base, _next;
    readonly IAutoscaler _teacher;
    readonly IAutoscaler? _baseHeuristic;
    readonly int _n;

    /// <param name="teacher">The bootstrap's teacher (this worker's own).</param>
    /// <param name="baseHeuristic">The residual's base (this worker's own); null for SPEC 4.4's current p.</param>
    public RolloutWorker(IPolicyNetwork<float> model, JobGraph job, double[] workload, SimOptions sim, TrainOptions options,
        LossWeights weights, IAutoscaler teacher, IAutoscaler? baseHeuristic, IComputeBackend? device)
    {
        (_model, _options, _weights, _teacher, _baseHeuristic) = (model, options, weights, teacher, baseHeuristic);
        _maxParallelism = sim.MaxParallelism;
        _env = new StreamEnvironment(job, workload, sim);
        _n = job.TaskCount;
        int L = sim.SpanMinutes, D = _env.FeatureCount;
        if (model is SureModel<float> sure && !weights.UniformSampler)
            _decider = new SureDecider(sure.DecisionWeights, new NeighbourTable(_n, _env.Neighbours.Width, _env.Neighbours.Slots, job.Edges));
        else if (model is SureModel<float>) _decision = new SpanBatch<float>(_env.Neighbours, job.Edges, 1, L, D);
        else _baselineDecision = new BaselineBatch<float>(job, 1, L, D);
        _loss = new RolloutLoss<float>(job, _env.Neighbours, options.WindowHours, L, D);
        _parallelism = new int[_n];
        _teacherParallelism = new int[_n];
        _base = new int[_n];
        _next = new int[_n];
        if (device is not null) _deviceTape = new DeviceTape(device);
    }

    public void Dispose() => _deviceTape?.Dispose();

    public void Profile(TapeProfile? profile) => _inference.Profile = _tape.Profile = profile;

    /// <summary>
    /// Rollout of the window from minute <paramref name="start"/> with p = <paramref name="startParallelism"/>: decision t's
    /// snapshots, u and reward go to the record. <see cref="Actor.Policy"/> samples u ~ N(m, std^2) and acts on it
    /// (REINFORCE); <see cref="Actor.Teacher"/> acts as the teacher and stores its action as u = logit(a / 2), a = p' / p
    /// (<see cref="SureTrainer.ImitationTarget"/>); <see cref="Actor.PolicyLabelledByTeacher"/> acts on the sampled u but
    /// stores the teacher's action for the state the policy reached (DAgger).
    /// </summary>
    public void Run(RolloutRecord record, int start, ReadOnlySpan<int> startParallelism, Actor actor)
    {
        int n = _n, T = _options.WindowHours, spanFloats = record.Snapshots.Length / T;
        ulong seed = _options.Seed;
        startParallelism.CopyTo(_parallelism);
        _env.Reset(start, _parallelism, record.EnvironmentSeed);
        _env.Step(_parallelism);
        float std = MathF.Exp(_model.HeadLogStd.Value.Span[0]);
        var rewards = record.Rewards.Span;
        for (int t = 0; t < T; t++)
        {
            var snapshots = record.Snapshots.AsSpan(t * spanFloats, spanFloats);
            _env.CopySnapshotsOldestFirst(snapshots);
            var u = record.U.AsSpan(t * n, n);
            ulong decision = record.FirstDecision + 2 * (ulong)t;
            _parallelism.CopyTo(_base);                   // what the ratio multiplies: p, or the base heuristic's p'
            _baseHeuristic?.Decide(_env, _base);
            if (actor != Actor.Policy)
            {
                _parallelism.CopyTo(_teacherParallelism, 0);
                _teacher.Decide(_env, _teacherParallelism);
            }
            if (actor == Actor.Teacher)
                for (int i = 0; i < n; i++)
                {
                    u[i] = SureTrainer.ImitationTarget(_base[i], _teacherParallelism[i]);
                    _parallelism[i] = _teacherParallelism[i];
                }
            else
            {
                var mean = ActionMeans(snapshots, decision);
                ulong uStream = DecisionNoise.NormalStream(decision + 1);
                for (int i = 0; i < n; i++)
                {
                    u[i] = mean[i] + std * Philox.Normal<float>(seed, uStream, (ulong)i);
                    int next = DecisionMath.Rescale(_base[i], DecisionMath.Ratio(u[i], _options.DeadBand), _maxParallelism);
                    if (actor == Actor.PolicyLabelledByTeacher) u[i] = SureTrainer.ImitationTarget(_base[i], _teacherParallelism[i]);
                    _parallelism[i] = next;
                }
            }
            rewards[t] = _env.Step(_parallelism).Reward;
            if (!record.Shares.IsEmpty) _env.RewardShares(record.Shares.Span.Slice(t * n, n));
        }
    }

    // m_i of one decision with the current weights: the decider on the simulator's ring, or the inference tape.
    ReadOnlySpan<float> ActionMeans(ReadOnlySpan<float> snapshots, ulong decision)
    {
        ulong seed = _options.Seed;
        if (_decider is not null)
        {
            _decider.Decide(_env.Snapshots, _env.OldestSnapshot, _base, seed, decision, _next);
            return _decider.ActionMeans;
        }
        _inference.Reset();
        if (_decision is not null)
        {
            var sure = (SureModel<float>)_model;
            _decision.Fill(0, snapshots, seed, decision);
            return sure.Forward(_inference, _decision.Input, sure.Config.K1, sure.Config.K2, _sampler, _weights.UniformSampler).ActionMean.Value.Span;
        }
        _baselineDecision!.Fill(0, snapshots);
        return ((IBaselineNetwork<float>)_model).ActionMeans(_inference, _baselineDecision).Value.Span;
    }

    /// <summary>The bootstrap's loss pass: the record's replica gets the gradient of the imitation loss (on the device
    /// when the trainer has one: it stays there).</summary>
    public void Imitate(RolloutRecord record, int rollouts, IComputeBackend? device)
    {
        PrepareReplica(record, device);
        if (_deviceTape is null) Imitate(_tape, record, rollouts);
        else Imitate(_deviceTape, record, rollouts);
    }

    void Imitate<TVar>(IDiffTape<TVar, float> tape, RolloutRecord record, int rollouts) where TVar : struct
    {
        var loss = _loss.BuildImitation(tape, record.Replica, _weights, rollouts, record.Snapshots, record.U,
            _options.Seed, record.FirstDecision, out var values);
        record.Loss = values;
        tape.Backward(loss);
    }

    /// <summary>Epoch 0: REINFORCE, recording ln N(u) per row; later epochs: PPO's surrogate against it. The record's
    /// loss keeps epoch 0's values. advantages: [T, n] this rollout's rows.</summary>
    public void Reinforce(RolloutRecord record, int rollouts, ReadOnlySpan<double> advantages, int epoch, IComputeBackend? device)
    {
        PrepareReplica(record, device);
        if (_deviceTape is null) Reinforce(_tape, record, rollouts, advantages, epoch);
        else Reinforce(_deviceTape, record, rollouts, advantages, epoch);
    }

    void Reinforce<TVar>(IDiffTape<TVar, float> tape, RolloutRecord record, int rollouts, ReadOnlySpan<double> advantages, int epoch)
        where TVar : struct
    {
        var loss = _loss.Build(tape, record.Replica, _weights, rollouts, record.Snapshots, record.U, advantages,
            _options.Seed, record.FirstDecision, _options.Clip,
            epoch == 0 ? [] : record.LogDensity, epoch == 0 ? record.LogDensity : [], out var values);
        if (epoch == 0) record.Loss = values;
        tape.Backward(loss);
    }

    // The replica takes the model's weights and a zero gradient (on the device too when there is one).
    void PrepareReplica(RolloutRecord record, IComputeBackend? device)
    {
        var replica = record.Replica;
        for (int k = 0; k < replica.Parameters.Count; k++)
            _model.Parameters[k].Value.Span.CopyTo(replica.Parameters[k].Value.Span);
        replica.Parameters.ZeroGrad();
        _tape.Reset();
        if (_deviceTape is not null)
        {
            // The replica's weights go up; its gradient stays there for the trainer's sum.
            var parameters = record.DeviceReplica ??= new DeviceParameters(device!, replica.Parameters);
            parameters.Upload();
            parameters.ZeroGrad();
            _deviceTape.Reset();
            _deviceTape.Parameters = parameters;
        }
    }
}
