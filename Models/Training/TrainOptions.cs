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
    public SamplerKind Sampler { get; init; } = SamplerKind.Nvss;
    public StartKind Start { get; init; } = StartKind.Random;
    /// <summary>
    /// Iterations of bootstrapping before REINFORCE (AWARE's "RL bootstrapping", papers/aware-atc23-slides.txt): the
    /// windows are run by HPA and the action means are fitted to HPA's ratios. They count towards Iterations.
    /// </summary>
    public int BootstrapIterations { get; init; }
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>The training week: windows are drawn inside [TrainStart, TrainStart + TrainMinutes).</summary>
    public int TrainStart { get; init; } = 0;
    public int TrainMinutes { get; init; } = 10080;
}

/// <summary>Bootstrap: rollouts run by HPA, the policy term is the squared distance to HPA's actions. Reinforce: SPEC 6.</summary>
public enum TrainPhase { Bootstrap, Reinforce }

/// <summary>One iteration: its phase, mean span reward of its rollouts, the loss and its parts (as in SPEC 5; PolicyLoss is
/// the imitation term in the bootstrap phase), the gradient's global norm before clipping, head.log_std after the step,
/// and the time since the trainer's first iteration.</summary>
public readonly record struct IterationLog(int Iteration, TrainPhase Phase, double MeanReward, double Loss, double PolicyLoss, double MutualInformation,
    double Kl, double GradNorm, double LogStd, TimeSpan Elapsed)
{
    public const string CsvHeader = "Iteration,Phase,MeanReward,Loss,PolicyLoss,MutualInformation,Kl,GradNorm,LogStd,Elapsed";

    public string ToCsv() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Iteration},{(Phase == TrainPhase.Bootstrap ? "bootstrap" : "reinforce")},{MeanReward:R},{Loss:R},{PolicyLoss:R},{MutualInformation:R},{Kl:R},{GradNorm:R},{LogStd:R},{Elapsed.TotalSeconds:F3}");
}
