namespace Sure.Models.Training;

/// <summary>
/// How the subgraph is sampled. Uniform is the "w/o NVSS" ablation of SPEC 5: Omega = y (pure Gumbel noise), so the
/// nvss.* weights are unused, the KL term is dropped and the sampler's log-likelihood carries no gradient.
/// </summary>
public enum SamplerKind { Nvss, Uniform }

/// <summary>
/// The parallelism a training window starts from (SPEC 6 is silent; evaluation always starts at p_0).
/// Initial: p_0 for every task. Random: per task log-uniform in [1, p_max], drawn per window and shared by its R
/// rollouts (the start is part of the window's input, so Decima's baseline stays unbiased). docs/training.md says why.
/// </summary>
public enum StartKind { Initial, Random }

/// <summary>
/// Who the bootstrap imitates: Kubernetes HPA at SPEC 7's target 0.7, HPA with its target tuned on the training range
/// (hpa-tuned), or the clairvoyant of SPEC 7 (rho tuned on the training range), a privileged teacher that sees the
/// coming span's workload, which the student has to forecast from its snapshots.
/// </summary>
public enum TeacherKind { Hpa, HpaTuned, Clairvoyant }

/// <summary>
/// What the ratio a_i multiplies (docs/training.md). Current: SPEC 4.4's p' = round(a p) from the current parallelism.
/// HpaTuned: a residual policy, p' = round(a p_hpa) with p_hpa the recommendation of HPA at a target tuned on the
/// training range; a = 1 (u = 0) is exactly that heuristic, and the policy learns where to depart from it.
/// MaxTuned: the same on max-tuned, the larger of hpa-tuned's and flink-tuned's recommendations (each tuned on the
/// training range; docs/simulator.md). BestTuned: on hpa-tuned or max-tuned, whichever scores the higher reward on the
/// job's training range (ties to hpa-tuned); a one-job model records the one chosen, a fleet model chooses per job where
/// it runs (docs/fleet.md).
/// </summary>
public enum ActionBase { Current, HpaTuned, MaxTuned, BestTuned }

/// <summary>The REINFORCE phase's learning rate over its iterations: see <see cref="TrainOptions.Schedule"/>.</summary>
public enum RateSchedule { Constant, Linear }

/// <summary>REINFORCE settings of SPEC 6 and loss weights of SPEC 5; the defaults are the SPEC's.</summary>
public sealed record TrainOptions
{
    public int Iterations { get; init; } = 200;
    /// <summary>Wall-clock budget: training stops after the iteration that crosses it.</summary>
    public double? MaxMinutes { get; init; }
    public ulong Seed { get; init; } = 1;
    /// <summary>R: rollouts of the same window per iteration.</summary>
    public int Rollouts { get; init; } = 8;
    /// <summary>Decisions per rollout (one per hour).</summary>
    public int WindowHours { get; init; } = 24;
    public double Gamma { get; init; } = 0.95;
    /// <summary>Adam's rate in the REINFORCE phase (SPEC 6).</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Adam's rate in the bootstrap phase (a separate Adam: its moments do not carry into REINFORCE).</summary>
    public double BootstrapLearningRate { get; init; } = 1e-3;
    public double ClipNorm { get; init; } = 1.0;
    public double BetaG { get; init; } = 1;
    public double BetaMi { get; init; } = 0.1;
    public double BetaKl { get; init; } = 1e-3;
    /// <summary>Gradient steps of the REINFORCE phase per batch of rollouts: 1 is SPEC 6's REINFORCE; more is PPO
    /// (the clipped surrogate of <see cref="RolloutLoss{T}"/> with ratios against the batch's first pass).</summary>
    public int Epochs { get; init; } = 1;
    /// <summary>PPO's clip range epsilon (used when Epochs &gt; 1).</summary>
    public double Clip { get; init; } = 0.2;
    /// <summary>Linear: the REINFORCE phase's rate falls linearly from LearningRate to LearningRate / J over its J
    /// iterations (of Iterations). Constant: SPEC 6.</summary>
    public RateSchedule Schedule { get; init; } = RateSchedule.Constant;
    /// <summary>Per-task credit w in [0, 1] (issue 11): a row's advantage is (1 - w) times the job's plus w times its task's,
    /// from the span reward's task shares (StreamEnvironment.RewardShares). 0: SPEC 6's job-level advantage.</summary>
    public double TaskCredit { get; init; }
    public SamplerKind Sampler { get; init; } = SamplerKind.Nvss;
    public StartKind Start { get; init; } = StartKind.Random;
    /// <summary>
    /// Iterations of bootstrapping before REINFORCE (AWARE's "RL bootstrapping", papers/aware-atc23-slides.txt): the
    /// windows are run by HPA and the action means are fitted to HPA's ratios. They count towards Iterations.
    /// </summary>
    public int BootstrapIterations { get; init; }
    public TeacherKind Teacher { get; init; } = TeacherKind.Hpa;
    public ActionBase Base { get; init; } = ActionBase.Current;
    /// <summary>A ratio within DeadBand of 1 acts as 1 (no change, so no restart); 0 is SPEC 4.4's rule. Kept in the
    /// checkpoint's metadata, so the policy decides with it wherever it runs.</summary>
    public double DeadBand { get; init; }
    /// <summary>
    /// DAgger in the bootstrap's second half: the odd rollouts are run by the policy itself (sampled actions) and
    /// labelled by the teacher on the states the policy reached; the even ones stay the teacher's.
    /// </summary>
    public bool Dagger { get; init; }
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>The training range: windows are drawn inside [TrainStart, TrainStart + TrainMinutes). SPEC 6's split
    /// of ClarkNet by default (<see cref="DataSplit"/>): the first week less its last day.</summary>
    public int TrainStart { get; init; } = 0;
    public int TrainMinutes { get; init; } = 8640;
    /// <summary>The validation day (SPEC 6): the deterministic policy is evaluated on it after every iteration of
    /// <see cref="SureTrainer.Run"/> and the best checkpoint is the one saved. ValidationMinutes = 0 turns it off
    /// (the saved model is then the last).</summary>
    public int ValidationStart { get; init; } = 8640;
    public int ValidationMinutes { get; init; } = 1440;
    /// <summary>Noise seed of the validation episodes (the same for every checkpoint).</summary>
    public ulong ValidationSeed { get; init; } = 1;
}

/// <summary>
/// SPEC 6's split of a trace: the last week is the test week; the day before it is the validation day; everything
/// before that is the training range. For ClarkNet (and NASA): training [0, 8640), validation [8640, 10080),
/// test [10080, 20160).
/// </summary>
public readonly record struct DataSplit((int Start, int Minutes) Train, (int Start, int Minutes) Validation, (int Start, int Minutes) Test)
{
    public const int DayMinutes = 1440;

    public static DataSplit For(int traceMinutes)
    {
        int test = traceMinutes - Sure.Sim.WorkloadTrace.WeekMinutes, validation = test - DayMinutes;
        if (validation <= 0)
            throw new Sure.Sim.SimInputException($"the trace has {traceMinutes} minutes; training needs more than a test week ({Sure.Sim.WorkloadTrace.WeekMinutes}) and a validation day ({DayMinutes})");
        return new DataSplit((0, validation), (validation, DayMinutes), (test, Sure.Sim.WorkloadTrace.WeekMinutes));
    }

    /// <summary>Options with this split's training range and validation day.</summary>
    public TrainOptions Apply(TrainOptions options) => options with
    {
        TrainStart = Train.Start, TrainMinutes = Train.Minutes, ValidationStart = Validation.Start, ValidationMinutes = Validation.Minutes,
    };
}

/// <summary>Bootstrap: rollouts run by HPA, the policy term is the squared distance to HPA's actions. Reinforce: SPEC 6.</summary>
public enum TrainPhase { Bootstrap, Reinforce }

/// <summary>One iteration: its phase, mean span reward of its rollouts, the loss and its parts (as in SPEC 5; PolicyLoss is
/// the imitation term in the bootstrap phase), the gradient's global norm before clipping, head.log_std after the step,
/// the time since the trainer's first iteration, and the deterministic policy's reward on the validation day after the step
/// (NaN when not evaluated).</summary>
public readonly record struct IterationLog(int Iteration, TrainPhase Phase, double MeanReward, double Loss, double PolicyLoss, double MutualInformation,
    double Kl, double GradNorm, double LogStd, TimeSpan Elapsed, double ValidationReward = double.NaN)
{
    public const string CsvHeader = "Iteration,Phase,MeanReward,Loss,PolicyLoss,MutualInformation,Kl,GradNorm,LogStd,Elapsed,ValidationReward";

    public string ToCsv() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Iteration},{(Phase == TrainPhase.Bootstrap ? "bootstrap" : "reinforce")},{MeanReward:R},{Loss:R},{PolicyLoss:R},{MutualInformation:R},{Kl:R},{GradNorm:R},{LogStd:R},{Elapsed.TotalSeconds:F3},{ValidationReward:R}");
}
