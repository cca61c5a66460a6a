// TEMPORARY STAND-IN, to be deleted when the real trainer is merged.
// It has exactly the trainer's agreed API so that `sure run` compiles; Run trains nothing and returns no iterations.
using Sure.Sim;

namespace Sure.Models.Training;

public enum SamplerKind { Nvss, Uniform }

public sealed record TrainOptions
{
    public int Iterations { get; init; } = 200;
    public double? MaxMinutes { get; init; }
    public ulong Seed { get; init; } = 1;
    public int Rollouts { get; init; } = 8;
    public int WindowHours { get; init; } = 24;
    public double Gamma { get; init; } = 0.95;
    public double LearningRate { get; init; } = 1e-3;
    public double ClipNorm { get; init; } = 1.0;
    public double BetaG { get; init; } = 1;
    public double BetaMi { get; init; } = 0.1;
    public double BetaKl { get; init; } = 1e-3;
    public SamplerKind Sampler { get; init; } = SamplerKind.Nvss;
    public int Threads { get; init; } = Environment.ProcessorCount;
    public int TrainStart { get; init; } = 0;
    public int TrainMinutes { get; init; } = 10080;
}

public sealed record IterationLog(int Iteration, double MeanReward, double Loss, double PolicyLoss, double MutualInformation,
    double Kl, double GradNorm, double LogStd, TimeSpan Elapsed);

public sealed class SureTrainer
{
    public SureTrainer(SureModel<float> model, JobGraph job, double[] workload, SimOptions sim, TrainOptions options) { }

    public IReadOnlyList<IterationLog> Run(Action<IterationLog>? onIteration = null, CancellationToken cancel = default) => [];
}
