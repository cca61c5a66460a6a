using System.Diagnostics;
using Sure.Autodiff.Device;
using Sure.Models.Baselines;
using Sure.Sim;
using Sure.Tensors.Devices;
using Sure.Sim.Autoscalers;

namespace Sure.Models.Training;

/// <summary>
/// REINFORCE for the SURE policy (SPEC 6), and with the same recipe for any <see cref="IPolicyNetwork{T}"/> (the
/// baselines of SPEC 11: their forward replaces SURE's, their loss is the Gaussian head's term alone). Each iteration draws a window of WindowHours + 1 spans from the training
/// week; R rollouts of it start with p_0 everywhere, and after each span (so the first decision sees a full span of
/// snapshots) the policy samples u_i ~ N(m_i, exp(log_std)^2), a_i = 2 sigmoid(u_i), p_i' = clamp(round_half_even(a_i p_i),
/// 1, p_max); decision t's reward is the reward of the span it set. Returns-to-go, Decima's per-step baseline,
/// normalised advantages, the loss of <see cref="RolloutLoss{T}"/>, global norm clipping, Adam.
/// <para>
/// Determinism: every random draw is a pure function of (Seed, iteration, rollout, decision) through Philox, and a
/// rollout's loss and gradient are computed alone (its own replica of the parameters) and summed in rollout order,
/// so the result does not depend on Threads.
/// </para>
/// </summary>
public sealed class SureTrainer : ITrainer, IDisposable
{
    // Philox streams (keyed by Seed): the window, the simulator seeds, the start; from DecisionStreams on, two
    // DecisionNoise decisions per rollout decision (x and y of the first, u from the second's normal stream).
    const ulong WindowStream = 1UL << 39, EnvironmentStream = (1UL << 39) + 1, StartStream = (1UL << 39) + 2,
        DecisionStreams = 1UL << 40;

    readonly IPolicyNetwork<float> _model;
    readonly JobGraph _job;
    readonly double[] _workload;
    readonly SimOptions _sim;
    readonly Adam<float> _adam, _bootstrapAdam;
    readonly IComputeBackend? _device;
    readonly DeviceParameters? _deviceModel;          // the model's weights and summed gradient on the device
    readonly DeviceAdam? _deviceAdam, _deviceBootstrapAdam;
    readonly RolloutWorker[] _workers;
    readonly RolloutRecord[] _rollouts;
    readonly double[] _rewards, _returns, _advantages;   // [R, T]
    // [R, T, n]: the loss's advantage per row; with per-task credit the span rewards' task shares and their advantages.
    readonly double[] _rowAdvantages, _shares, _shareReturns, _shareAdvantages;
    readonly int[] _start;                                // [n] the window's starting parallelism
    readonly LossWeights _weights;
    readonly int _n;
    int _completed;
    readonly Stopwatch _clock = new();   // runs from the first iteration: IterationLog.Elapsed
    // Validation (SPEC 6): the deterministic policy on the validation day, and the best checkpoint so far.
    readonly StreamEnvironment? _validationEnv;
    readonly IAutoscaler? _validator;
    readonly BestCheckpoint _best;

    /// <param name="device">Where the update runs (SURE only): the loss passes on a <see cref="DeviceTape"/>, the rollouts'
    /// gradients summed, clipped and stepped by <see cref="DeviceAdam"/> there; the new weights come down for the rollouts,
    /// which stay on the host (the simulator is a CPU program). Null: the CPU tape and Adam.</param>
    public SureTrainer(IPolicyNetwork<float> model, JobGraph job, double[] workload, SimOptions sim, TrainOptions options,
        IComputeBackend? device = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(job);
        if (device is not null && model is not SureModel<float>)
            throw new ArgumentException($"{model.Architecture} trains on the CPU tape only; a device runs SURE's loss");
        if (options.Rollouts < 1) throw new ArgumentException($"Rollouts = {options.Rollouts} must be at least 1");
        if (options.WindowHours < 1) throw new ArgumentException($"WindowHours = {options.WindowHours} must be at least 1");
        if (options.BootstrapIterations < 0) throw new ArgumentException($"BootstrapIterations = {options.BootstrapIterations} must be at least 0");
        if (!(options.DeadBand >= 0 && options.DeadBand < 1))
            throw new ArgumentException($"DeadBand = {options.DeadBand} must be in [0, 1)");
        if (options.Epochs < 1) throw new ArgumentException($"Epochs = {options.Epochs} must be at least 1");
        if (!(options.Clip > 0 && options.Clip < 1)) throw new ArgumentException($"Clip = {options.Clip} must be in (0, 1)");
        if (!(options.TaskCredit >= 0 && options.TaskCredit <= 1))
            throw new ArgumentException($"TaskCredit = {options.TaskCredit} must be in [0, 1]");
        if (!(options.LearningRate > 0) || !(options.BootstrapLearningRate > 0))
            throw new ArgumentException($"learning rates {options.LearningRate} and {options.BootstrapLearningRate} must be positive");
        if (sim.MaxParallelism != model.Config.PMax)
            throw new ArgumentException($"the simulator's p_max {sim.MaxParallelism} differs from the model's {model.Config.PMax}");
        int windowMinutes = (options.WindowHours + 1) * sim.SpanMinutes;
        if (options.TrainStart < 0 || options.TrainMinutes < windowMinutes || options.TrainStart + options.TrainMinutes > workload.Length)
            throw new ArgumentException($"training range [{options.TrainStart}, {options.TrainStart + options.TrainMinutes}) must lie in the trace's {workload.Length} minutes and hold a window of {windowMinutes}");
        if (options.ValidationMinutes < 0 || options.ValidationMinutes > 0
            && (options.ValidationStart < 0 || options.ValidationStart + options.ValidationMinutes > workload.Length
                || options.ValidationStart < options.TrainStart + options.TrainMinutes && options.TrainStart < options.ValidationStart + options.ValidationMinutes))
            throw new ArgumentException($"validation window [{options.ValidationStart}, {options.ValidationStart + options.ValidationMinutes}) must lie in the trace's {workload.Length} minutes, outside the training range [{options.TrainStart}, {options.TrainStart + options.TrainMinutes})");
        _model = model;
        _job = job;
        _workload = workload;
        _sim = sim = SureAutoscaler.Fit(sim, model.Config);
        Options = options;
        _weights = new LossWeights(options.BetaG, options.BetaMi, options.BetaKl, options.Sampler == SamplerKind.Uniform);
        _adam = new Adam<float>(model.Parameters, (float)options.LearningRate);
        _bootstrapAdam = new Adam<float>(model.Parameters, (float)options.BootstrapLearningRate);
        _n = job.TaskCount;
        int spanFloats = sim.SpanMinutes * _n * model.Config.D;

        int R = options.Rollouts, T = options.WindowHours;
        _rewards = new double[R * T];
        _returns = new double[R * T];
        _advantages = new double[R * T];
        _rowAdvantages = new double[R * T * _n];
        int shareCount = options.TaskCredit > 0 ? R * T * _n : 0;
        _shares = new double[shareCount];
        _shareReturns = new double[shareCount];
        _shareAdvantages = new double[shareCount];
        _rollouts = new RolloutRecord[R];
        for (int r = 0; r < R; r++)
            _rollouts[r] = new RolloutRecord(T, _n, spanFloats,
                model is SureModel<float> ? SureModel<float>.Create(model.Config, 0) : model.Replica(),
                _rewards.AsMemory(r * T, T), shareCount > 0 ? _shares.AsMemory(r * T * _n, T * _n) : Memory<double>.Empty);
        _device = device;
        if (device is not null)
        {
            _deviceModel = new DeviceParameters(device, model.Parameters);
            _deviceAdam = new DeviceAdam(_deviceModel, (float)options.LearningRate);
            _deviceBootstrapAdam = new DeviceAdam(_deviceModel, (float)options.BootstrapLearningRate);
        }
        _start = new int[_n];
        var tuningEnv = new StreamEnvironment(job, workload, sim);
        if (model is IBaselineNetwork<float> baseline) BaselineAutoscaler.CheckFits(baseline, tuningEnv);
        var createTeacher = TrainingHeuristics.Teacher(options.Teacher, tuningEnv, options);
        var (baseTarget, flinkTarget) = TrainingHeuristics.TuneBase(options, tuningEnv, model.Metadata);
        _workers = new RolloutWorker[Math.Clamp(options.Threads, 1, R)];
        for (int w = 0; w < _workers.Length; w++)
            _workers[w] = new RolloutWorker(model, job, workload, sim, options, _weights, createTeacher(),
                options.Base == ActionBase.Current ? null : SureAutoscaler.Base(baseTarget, flinkTarget), device);
        _best = new BestCheckpoint(model.Parameters);
        if (options.ValidationMinutes > 0)
        {
            _validationEnv = new StreamEnvironment(job, workload, sim);
            _validator = LearnedPolicy.Create(model, _validationEnv, options.ValidationSeed, options.Sampler == SamplerKind.Uniform);
        }
    }

    /// <summary>The first minute of iteration k's window: uniform over the training range (a pure function of Seed and k).</summary>
    public int WindowStart(int iteration)
    {
        uint range = (uint)(Options.TrainMinutes - WindowMinutes + 1);
        return Options.TrainStart + (int)(Philox.Bits(Options.Seed, WindowStream, (ulong)iteration) % range);
    }

    /// <summary>Minutes of trace a window covers: the first span at the window's start parallelism, then one per decision.</summary>
    public int WindowMinutes => (Options.WindowHours + 1) * _sim.SpanMinutes;

    /// <summary>Iteration of the best checkpoint so far (0 = the initial weights, -1 = none yet) and its validation-day reward.</summary>
    public int BestIteration => _best.Iteration;
    public double BestValidationReward => _best.Reward;

    /// <summary>The deterministic policy's reward on the validation day with the current weights.</summary>
    public double Validate()
    {
        if (_validator is null) throw new InvalidOperationException("validation is off (ValidationMinutes = 0)");
        return Episode.Run(_validationEnv!, _validator, Options.ValidationStart, Options.ValidationMinutes, Options.ValidationSeed).Reward;
    }

    /// <summary>Sets the model's weights to the best checkpoint (no-op before the first validation).</summary>
    public void RestoreBest() => _best.Restore();

    /// <summary>
    /// The u whose ratio a = 2 sigmoid(u) takes p to next: logit(a / 2) with a = next / p, kept inside (0, 2) by a margin
    /// of 0.02 (a teacher's p' = 2p, possible from p = 1, is fitted at a = 1.98, which still rounds to 2).
    /// </summary>
    public static float ImitationTarget(int p, int next)
    {
        double ratio = Math.Clamp(next / (double)p, RatioMargin, 2 - RatioMargin);
        return (float)Math.Log(ratio / (2 - ratio));
    }

    const double RatioMargin = 0.02;

    /// <summary>Scale of head.weight in <see cref="CreateModel"/>.</summary>
    public const double HeadInitScale = 0.01;

    /// <summary>
    /// A fresh model for training: SureModel.Create's seeded Glorot weights with head.weight scaled by 0.01. The raw
    /// features (ln(1 + A) is about 7) give readouts |h_g| of about 5, so a Glorot head starts with |m_i| of 3 to 5:
    /// every action saturates (a = 0 or 2, p goes to 1 or 64 within a few spans) and exploration noise of std 0.3 cannot
    /// get it out. With the small head the untrained policy keeps p near p_0 (a ~ 1) and learns from there, the usual
    /// small-last-layer initialisation of policy-gradient methods.
    /// </summary>
    public static SureModel<float> CreateModel(SureConfig config, ulong seed)
    {
        var model = SureModel<float>.Create(config, seed);
        foreach (ref float w in model.HeadWeight.Value.Span) w *= (float)HeadInitScale;
        return model;
    }

    /// <summary>
    /// Per-op timing of the workers' tapes (the rollouts' inference forward and the loss pass, forward and backward);
    /// one worker only, since a profile is not thread-safe. Null: off.
    /// </summary>
    public TapeProfile? Profile
    {
        get => _profile;
        set
        {
            if (value is not null && _workers.Length > 1) throw new InvalidOperationException($"profiling needs one worker thread, not {_workers.Length}");
            _profile = value;
            foreach (var worker in _workers) worker.Profile(value);
        }
    }
    TapeProfile? _profile;

    public TrainOptions Options { get; }
    public IPolicyNetwork<float> Model => _model;
    public JobGraph Job => _job;
    /// <summary>Iterations completed so far (over all calls of Run).</summary>
    public int CompletedIterations => _completed;
    /// <summary>Bytes allocated (all threads) by the last iteration.</summary>
    public long LastIterationAllocatedBytes { get; private set; }

    /// <summary>
    /// Runs Options.Iterations iterations (fewer when MaxMinutes or the token stops it); one log per iteration. After each
    /// one the deterministic policy is evaluated on the validation day and the best checkpoint kept (SPEC 6): every
    /// iteration, so a longer run with the same seed sees every checkpoint a shorter one saw.
    /// </summary>
    public IReadOnlyList<IterationLog> Run(Action<IterationLog>? onIteration = null, CancellationToken cancel = default) =>
        _best.Run(Step, _validator is null ? null : Validate, () => _completed, Options, onIteration, cancel);

    /// <summary>One iteration (bootstrap or REINFORCE by its number). Allocates nothing once warm with one thread.</summary>
    public IterationLog Step()
    {
        _clock.Start();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var log = Iterate();
        LastIterationAllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - before;
        return log;
    }

    IterationLog Iterate()
    {
        int iteration = _completed;
        var phase = Gradients(iteration);
        double norm;
        if (phase == TrainPhase.Bootstrap) norm = StepOnSummedGradients(_bootstrapAdam);
        else
        {
            _adam.Lr = (float)LearningRateAt(iteration);
            // Epoch 0 is REINFORCE and records ln N(u) per row; later epochs are PPO's, with ratios against it. The log
            // (loss and its parts, the gradient's norm) is epoch 0's.
            norm = StepOnSummedGradients(_adam);
            for (int epoch = 1; epoch < Options.Epochs; epoch++)
            {
                ForEachRollout(static (worker, rollout, state) => state.trainer.Reinforce(worker, rollout, state.epoch), (trainer: this, epoch));
                StepOnSummedGradients(_adam);
            }
        }
        _completed++;
        return Log(phase, norm);
    }

    /// <summary>
    /// Iteration k's rollouts of its window and their loss gradients (bootstrap or REINFORCE by k, REINFORCE's first
    /// epoch), each in its rollout's replica; the model's own gradient is not touched.
    /// </summary>
    TrainPhase Gradients(int iteration)
    {
        int T = Options.WindowHours;
        int start = WindowStart(iteration);
        DrawStart(iteration);
        for (int r = 0; r < _rollouts.Length; r++)
        {
            _rollouts[r].FirstDecision = FirstDecision(iteration, r);
            _rollouts[r].EnvironmentSeed = EnvironmentSeed(iteration, r);
        }
        if (iteration < Options.BootstrapIterations)
        {
            // DAgger (second half of the bootstrap): odd rollouts are the policy's own, labelled by the teacher.
            bool dagger = Options.Dagger && 2 * iteration >= Options.BootstrapIterations;
            ForEachRollout(static (worker, rollout, state) => worker.Run(state.trainer._rollouts[rollout], state.start, state.trainer._start,
                state.dagger && rollout % 2 == 1 ? Actor.PolicyLabelledByTeacher : Actor.Teacher), (trainer: this, start, dagger));
            ForEachRollout(static (worker, rollout, trainer) => worker.Imitate(trainer._rollouts[rollout], trainer.Options.Rollouts, trainer._device), this);
            return TrainPhase.Bootstrap;
        }
        ForEachRollout(static (worker, rollout, state) => worker.Run(state.trainer._rollouts[rollout], state.start, state.trainer._start, Actor.Policy),
            (trainer: this, start));
        Losses.ReturnsToGo(_rewards, T, Options.Gamma, _returns);
        Losses.Advantages(_returns, T, _advantages);
        RowAdvantages();
        ForEachRollout(static (worker, rollout, trainer) => trainer.Reinforce(worker, rollout, 0), this);
        return TrainPhase.Reinforce;
    }

    // Rollout r's REINFORCE (epoch 0) or PPO (later epochs) loss pass, with its rows' advantages.
    void Reinforce(RolloutWorker worker, int rollout, int epoch)
    {
        int rows = Options.WindowHours * _n;
        worker.Reinforce(_rollouts[rollout], Options.Rollouts, _rowAdvantages.AsSpan(rollout * rows, rows), epoch, _device);
    }

    /// <summary>
    /// One job's part of a fleet iteration (<see cref="FleetTrainer"/>): iteration k's rollouts and loss gradients, their
    /// sum over the rollouts added times <paramref name="scale"/> to the model's gradient (which is not zeroed first), and
    /// the iteration's log (its gradient norm is NaN: the fleet clips the sum). No step, no PPO epochs, no validation.
    /// </summary>
    public IterationLog AddGradient(int iteration, float scale)
    {
        var log = ComputeGradients(iteration);
        AddComputedGradient(scale);
        return log;
    }

    /// <summary>
    /// AddGradient's first half: iteration k's rollouts and loss gradients in this trainer's own replicas, and its log.
    /// It only reads the shared model (its weights), so trainers of different jobs may run it at the same time.
    /// </summary>
    public IterationLog ComputeGradients(int iteration)
    {
        if (_device is not null) throw new InvalidOperationException("a fleet iteration sums the jobs' gradients on the host: train without a device");
        return Log(Gradients(iteration), double.NaN) with { Iteration = iteration + 1 };
    }

    /// <summary>AddGradient's second half: the model's gradient += scale * the rollouts' gradients of the last
    /// ComputeGradients, in rollout order.</summary>
    public void AddComputedGradient(float scale) => AddReplicaGradients(scale);

    IterationLog Log(TrainPhase phase, double norm)
    {
        int R = Options.Rollouts;
        double meanReward = 0, loss = 0, policy = 0, mi = 0, kl = 0;
        foreach (double reward in _rewards) meanReward += reward;
        foreach (var rollout in _rollouts)
        {
            var v = rollout.Loss;
            loss += v.Loss;
            policy += v.Policy;
            mi += v.MutualInformation / R;
            kl += v.Kl / R;
        }
        return new IterationLog(_completed, phase, meanReward / _rewards.Length, loss, policy, mi, kl, norm,
            _model.HeadLogStd.Value.Span[0], _clock.Elapsed);
    }

    /// <summary>
    /// Each row's advantage (rollout r, decision t, task i): the job's A_{r,t}, or with per-task credit w
    /// (1 - w) A_{r,t} + w A^task_{r,t,i}, A^task from the span rewards' task shares (Losses.TaskAdvantages); both are
    /// normalised, so w weighs two signals of the same scale.
    /// </summary>
    void RowAdvantages()
    {
        int n = _n, T = Options.WindowHours;
        double w = Options.TaskCredit;
        if (w > 0) Losses.TaskAdvantages(_shares, T, n, Options.Gamma, _shareReturns, _shareAdvantages);
        for (int step = 0; step < _advantages.Length; step++)
            for (int i = 0; i < n; i++)
            {
                int row = step * n + i;
                _rowAdvantages[row] = w > 0 ? (1 - w) * _advantages[step] + w * _shareAdvantages[row] : _advantages[step];
            }
    }

    /// <summary>The REINFORCE phase's learning rate at an iteration (0-based, counting the bootstrap's): LearningRate, or
    /// with the linear schedule LearningRate (J - j) / J at its j-th of J = Iterations - BootstrapIterations.</summary>
    public double LearningRateAt(int iteration)
    {
        if (Options.Schedule == RateSchedule.Constant) return Options.LearningRate;
        int J = Math.Max(1, Options.Iterations - Options.BootstrapIterations);
        int j = Math.Clamp(iteration - Options.BootstrapIterations, 0, J - 1);
        return Options.LearningRate * (J - j) / J;
    }

    /// <summary>Sums the rollouts' gradients in rollout order (the same float sums whatever the thread count), clips
    /// their global norm and steps; returns the norm before clipping.</summary>
    double StepOnSummedGradients(Adam<float> adam)
    {
        if (_deviceModel is not null)
        {
            // The same sum, clip and Adam on the device (the replicas' gradients never leave it); the new weights come
            // down for the next rollouts.
            var deviceAdam = adam == _adam ? _deviceAdam! : _deviceBootstrapAdam!;
            deviceAdam.Lr = adam.Lr;
            _deviceModel.ZeroGrad();
            foreach (var rollout in _rollouts) _deviceModel.AddGrads(rollout.DeviceReplica!);
            double deviceNorm = _deviceModel.ClipGradNorm((float)Options.ClipNorm);
            deviceAdam.Step();
            _deviceModel.Download();
            return deviceNorm;
        }
        _model.Parameters.ZeroGrad();
        AddReplicaGradients(1);
        double norm = _model.Parameters.ClipGradNorm((float)Options.ClipNorm);
        adam.Step();
        return norm;
    }

    // The model's gradient += scale * the rollouts' gradients, in rollout order (scale 1 adds them exactly).
    void AddReplicaGradients(float scale)
    {
        for (int r = 0; r < Options.Rollouts; r++)
            for (int k = 0; k < _model.Parameters.Count; k++)
            {
                var sum = _model.Parameters[k].Grad.Span;
                var part = _rollouts[r].Replica.Parameters[k].Grad.Span;
                for (int j = 0; j < sum.Length; j++) sum[j] += scale * part[j];
            }
    }

    void DrawStart(int iteration)
    {
        int pMax = _sim.MaxParallelism;
        if (Options.Start == StartKind.Initial)
        {
            Array.Fill(_start, _sim.InitialParallelism);
            return;
        }
        double logMax = Math.Log(pMax);
        for (int i = 0; i < _n; i++)
        {
            double u = Philox.ToUniformDouble(Philox.Bits(Options.Seed, StartStream, (ulong)iteration * (ulong)_n + (ulong)i));
            _start[i] = Math.Clamp((int)Math.Round(Math.Exp(u * logMax), MidpointRounding.ToEven), 1, pMax);
        }
    }

    // Rollout r runs on worker r mod W: a fixed assignment, and each rollout's result is independent of its worker.
    void ForEachRollout<TState>(Action<RolloutWorker, int, TState> body, TState state)
    {
        if (_workers.Length == 1)
        {
            for (int r = 0; r < Options.Rollouts; r++) body(_workers[0], r, state);
            return;
        }
        InParallel(body, state);
    }

    // Apart from ForEachRollout: the lambda's closure is allocated on entry to the method that declares it.
    void InParallel<TState>(Action<RolloutWorker, int, TState> body, TState state)
    {
        int workers = _workers.Length, R = Options.Rollouts;
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            for (int r = w; r < R; r += workers) body(_workers[w], r, state);
        });
    }

    /// <summary>The simulator's noise seed of rollout r in iteration k (a pure function of Seed, k and r).</summary>
    public ulong EnvironmentSeed(int iteration, int rollout)
    {
        ulong g = (ulong)iteration * (ulong)Options.Rollouts + (ulong)rollout;
        return ((ulong)Philox.Bits(Options.Seed, EnvironmentStream, 2 * g) << 32) | Philox.Bits(Options.Seed, EnvironmentStream, 2 * g + 1);
    }

    /// <summary>The <see cref="DecisionNoise"/> decision index of rollout r's first decision in an iteration; decision t
    /// is this + 2t, and its u draws from decision this + 2t + 1's normal stream (<see cref="RolloutRecord"/>).</summary>
    ulong FirstDecision(int iteration, int rollout) =>
        DecisionStreams / 2 + 2 * ((ulong)iteration * (ulong)Options.Rollouts + (ulong)rollout) * (ulong)Options.WindowHours;

    /// <summary>
    /// Writes the best checkpoint (SPEC 6; the model's weights are set to it first) or, with validation off or before
    /// any, the current weights, with metadata: job, seed, iterations, the best iteration and its validation reward,
    /// sampler and the options as JSON.
    /// </summary>
    public void SaveCheckpoint(string path) => _best.Save(_model, path, _job.Name, _completed, Options);

    /// <summary>Releases the device buffers of the loss passes (before their backend is disposed); nothing on the CPU tape.</summary>
    public void Dispose()
    {
        foreach (var worker in _workers) worker.Dispose();
        foreach (var rollout in _rollouts) rollout.DeviceReplica?.Dispose();
        _deviceAdam?.Dispose();
        _deviceBootstrapAdam?.Dispose();
        _deviceModel?.Dispose();
    }
}
