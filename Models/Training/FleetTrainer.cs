using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Sure.Sim;
using Sure.Sim.Autoscalers;

namespace Sure.Models.Training;

/// <summary>What a trainer offers its command: iterations with logs, the best checkpoint, saving it.</summary>
public interface ITrainer
{
    IReadOnlyList<IterationLog> Run(Action<IterationLog>? onIteration = null, CancellationToken cancel = default);
    int CompletedIterations { get; }
    int BestIteration { get; }
    double BestValidationReward { get; }
    void SaveCheckpoint(string path);
}

/// <summary>
/// One policy for many jobs (issue 19, docs/fleet.md). Each iteration draws <see cref="JobsPerIteration"/> jobs of the
/// training set (a pure function of Seed and the iteration); each job runs SPEC 6's iteration on its own window exactly
/// as <see cref="SureTrainer"/> does (R rollouts, the baseline per window, its own residual base tuned on its training
/// range), and the fleet's gradient is the mean of the jobs' gradients: one clip, one Adam step. After every iteration
/// the deterministic policy is evaluated on the validation day of the validation jobs; the saved checkpoint is the one
/// with the best mean there. The checkpoint's residual base is tuned per job where it is deployed
/// (<see cref="SureAutoscaler.TunedPerJob"/>).
/// </summary>
public sealed class FleetTrainer : ITrainer
{
    const ulong JobStream = (1UL << 39) + 3;
    // Jobs whose trainers (buffers, tuned base and teacher) are kept between iterations; older ones are dropped.
    const int CachedJobs = 16;

    readonly IPolicyNetwork<float> _model;
    readonly IReadOnlyList<JobGraph> _jobs;
    readonly double[] _workload;
    readonly SimOptions _sim;
    readonly TrainOptions _perJob;
    readonly Adam<float> _adam, _bootstrapAdam;
    readonly Dictionary<int, SureTrainer> _trainers = [];
    readonly Queue<int> _cacheOrder = new();
    readonly (StreamEnvironment Env, IAutoscaler Policy)[] _validators;
    readonly double[] _validationRewards;
    readonly BestCheckpoint _best;
    readonly Stopwatch _clock = new();
    int _completed;

    public FleetTrainer(IPolicyNetwork<float> model, IReadOnlyList<JobGraph> jobs, IReadOnlyList<JobGraph> validationJobs,
        double[] workload, SimOptions sim, TrainOptions options, int jobsPerIteration)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (jobs.Count == 0) throw new ArgumentException("the fleet has no training jobs");
        if (jobsPerIteration < 1) throw new ArgumentException($"JobsPerIteration = {jobsPerIteration} must be at least 1");
        if (options.Epochs != 1) throw new ArgumentException("the fleet trains with REINFORCE (Epochs = 1)");
        _model = model;
        _jobs = jobs;
        _workload = workload;
        _sim = SureAutoscaler.Fit(sim, model.Config);
        Options = options;
        JobsPerIteration = jobsPerIteration;
        // One thread per job: the fleet runs jobs, not one job's rollouts, in parallel.
        _perJob = options with { ValidationMinutes = 0, Threads = 1 };
        _adam = new Adam<float>(model.Parameters, (float)options.LearningRate);
        _bootstrapAdam = new Adam<float>(model.Parameters, (float)options.BootstrapLearningRate);
        _best = new BestCheckpoint(model.Parameters);
        MarkBaseTunedPerJob();
        _validators = options.ValidationMinutes > 0
            ? validationJobs.Select(job =>
            {
                var env = new StreamEnvironment(job, workload, _sim);
                return (env, LearnedPolicy.Create(model, env, options.ValidationSeed, options.Sampler == SamplerKind.Uniform));
            }).ToArray()
            : [];
        _validationRewards = new double[_validators.Length];
    }

    public TrainOptions Options { get; }
    public int JobsPerIteration { get; }
    public IPolicyNetwork<float> Model => _model;
    public int CompletedIterations => _completed;
    /// <summary>Task-minutes simulated by the rollouts so far: R rollouts x (T + 1) spans x L minutes x n tasks per drawn
    /// job (validation episodes not counted), the fleet's training throughput in the simulator's unit.</summary>
    public long SimulatedTaskMinutes { get; private set; }
    public int BestIteration => _best.Iteration;
    public double BestValidationReward => _best.Reward;

    /// <summary>The training job of slot j (0 .. JobsPerIteration - 1) in an iteration (jobs may repeat).</summary>
    public int JobIndex(int iteration, int slot) =>
        (int)(Philox.Bits(Options.Seed, JobStream, (ulong)iteration * (ulong)JobsPerIteration + (ulong)slot) % (uint)_jobs.Count);

    /// <summary>
    /// The fleet's gradient of an iteration in the model's gradient: zeroed, then each drawn job's gradient (its rollouts
    /// summed, as SureTrainer sums them) added times 1 / JobsPerIteration in slot order. The jobs' rollouts and loss
    /// passes run at the same time, one job per thread (the largest first), and only the sum is in slot order, so the
    /// result does not depend on Threads. A job drawn twice is computed once and added twice (its two computations would
    /// be the same). Returns the jobs' logs.
    /// </summary>
    public IterationLog[] Gradient(int iteration)
    {
        _model.Parameters.ZeroGrad();
        int J = JobsPerIteration;
        var logs = new IterationLog[J];
        // Built one after another: a new trainer writes its tuned base into the shared model's metadata.
        var trainers = new SureTrainer[J];
        for (int slot = 0; slot < J; slot++) trainers[slot] = TrainerFor(JobIndex(iteration, slot));
        var distinct = trainers.Distinct().OrderByDescending(t => t.Job.TaskCount).ToArray();
        var computed = new IterationLog[distinct.Length];
        Parallel.For(0, distinct.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Options.Threads) },
            d => computed[d] = distinct[d].ComputeGradients(iteration));
        for (int slot = 0; slot < J; slot++)
        {
            logs[slot] = computed[Array.IndexOf(distinct, trainers[slot])];
            trainers[slot].AddComputedGradient(1f / J);
            SimulatedTaskMinutes += (long)Options.Rollouts * (Options.WindowHours + 1) * _sim.SpanMinutes * trainers[slot].Job.TaskCount;
        }
        return logs;
    }

    /// <summary>One iteration: the gradient, clipping, Adam (the bootstrap's own in the bootstrap phase).</summary>
    public IterationLog Step()
    {
        _clock.Start();
        int iteration = _completed;
        var logs = Gradient(iteration);
        double norm = _model.Parameters.ClipGradNorm((float)Options.ClipNorm);
        if (logs[0].Phase == TrainPhase.Bootstrap) _bootstrapAdam.Step();
        else
        {
            _adam.Lr = (float)Options.LearningRate;
            _adam.Step();
        }
        _completed++;
        return new IterationLog(_completed, logs[0].Phase, logs.Average(l => l.MeanReward), logs.Sum(l => l.Loss) / logs.Length,
            logs.Sum(l => l.PolicyLoss) / logs.Length, logs.Average(l => l.MutualInformation), logs.Average(l => l.Kl), norm,
            _model.HeadLogStd.Value.Span[0], _clock.Elapsed);
    }

    /// <summary>Mean reward of the deterministic policy over the validation jobs' validation day.</summary>
    public double Validate()
    {
        if (_validators.Length == 0) throw new InvalidOperationException("no validation jobs, or validation is off");
        // Each job's episode on its own thread, the mean in job order.
        Parallel.For(0, _validators.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Options.Threads) }, v =>
            _validationRewards[v] = Episode.Run(_validators[v].Env, _validators[v].Policy, Options.ValidationStart,
                Options.ValidationMinutes, Options.ValidationSeed).Reward);
        double sum = 0;
        foreach (double reward in _validationRewards) sum += reward;
        return sum / _validators.Length;
    }

    public IReadOnlyList<IterationLog> Run(Action<IterationLog>? onIteration = null, CancellationToken cancel = default) =>
        _best.Run(Step, _validators.Length == 0 ? null : Validate, () => _completed, Options, onIteration, cancel);

    /// <summary>Writes the best checkpoint (or the current weights before any validation) with the fleet's metadata.</summary>
    public void SaveCheckpoint(string path)
    {
        _model.Metadata["fleet_jobs"] = _jobs.Count.ToString(CultureInfo.InvariantCulture);
        _model.Metadata["fleet_validation_jobs"] = _validators.Length.ToString(CultureInfo.InvariantCulture);
        _model.Metadata["jobs_per_iteration"] = JobsPerIteration.ToString(CultureInfo.InvariantCulture);
        _best.Save(_model, path, "fleet", _completed, Options);
    }

    SureTrainer TrainerFor(int job)
    {
        if (_trainers.TryGetValue(job, out var trainer)) return trainer;
        if (_cacheOrder.Count == CachedJobs) _trainers.Remove(_cacheOrder.Dequeue());
        trainer = new SureTrainer(_model, _jobs[job], _workload, _sim, _perJob);
        MarkBaseTunedPerJob();   // the job's trainer wrote its own tuned target into the shared model's metadata
        _trainers[job] = trainer;
        _cacheOrder.Enqueue(job);
        return trainer;
    }

    // Each job's residual uses its base at the targets tuned on that job; the checkpoint says so instead of naming them.
    void MarkBaseTunedPerJob()
    {
        if (Options.Base == ActionBase.Current) return;
        _model.Metadata[SureAutoscaler.BaseKey] = Options.Base switch
        {
            ActionBase.MaxTuned => SureAutoscaler.MaxTunedBase,
            ActionBase.BestTuned => SureAutoscaler.BestTunedBase,
            _ => SureAutoscaler.HpaTunedBase,
        };
        _model.Metadata[SureAutoscaler.BaseTargetKey] = SureAutoscaler.TunedPerJob;
        if (Options.Base == ActionBase.HpaTuned) _model.Metadata.Remove(SureAutoscaler.FlinkTargetKey);
        else _model.Metadata[SureAutoscaler.FlinkTargetKey] = SureAutoscaler.TunedPerJob;
    }
}
