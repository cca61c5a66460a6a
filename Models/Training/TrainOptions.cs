namespace Sure.Models.Training;

/// <summary>
/// How the subgraph is sampled. Uniform is the "w/o NVSS" ablation of SPEC 5: Omega = y (pure Gumbel noise), so the
/// nvss.* weights are unused, the KL term is dropped and the sampler's log-likelihood carries no gradient.
/// </summary>
public enum SamplerKind { Nvss, Uniform }

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
    public double LearningRate { get; init; } = 1e-3;
    public double ClipNorm { get; init; } = 1.0;
    public double BetaG { get; init; } = 1;
    public double BetaMi { get; init; } = 0.1;
    public double BetaKl { get; init; } = 1e-3;
    public SamplerKind Sampler { get; init; } = SamplerKind.Nvss;
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>The training week: windows are drawn inside [TrainStart, TrainStart + TrainMinutes).</summary>
    public int TrainStart { get; init; } = 0;
    public int TrainMinutes { get; init; } = 10080;
}

/// <summary>One iteration: mean span reward of its rollouts, the loss and its parts (as in SPEC 5), the gradient's
/// global norm before clipping, head.log_std after the step, and the time since Run started.</summary>
public sealed record IterationLog(int Iteration, double MeanReward, double Loss, double PolicyLoss, double MutualInformation,
    double Kl, double GradNorm, double LogStd, TimeSpan Elapsed)
{
    public const string CsvHeader = "Iteration,MeanReward,Loss,PolicyLoss,MutualInformation,Kl,GradNorm,LogStd,Elapsed";

    public string ToCsv() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Iteration},{MeanReward:R},{Loss:R},{PolicyLoss:R},{MutualInformation:R},{Kl:R},{GradNorm:R},{LogStd:R},{Elapsed.TotalSeconds:F3}");
}
