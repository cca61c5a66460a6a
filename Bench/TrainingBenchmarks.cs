using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Sure.Models;
using Sure.Models.Training;
using Sure.Sim;

namespace Sure.Bench;

// dotnet run -c Release --project Bench -- --filter '*TrainingBenchmarks*'
// One training iteration (SPEC 9) with `sure train`'s defaults (H=64, R=8 rollouts of a 24-hour window, one thread so
// that the allocation column is the trainer's own, not Parallel.For's), in each phase. An iteration takes about 0.5 s
// on small-1, so the job runs few, single-invocation iterations.
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, warmupCount: 2, iterationCount: 5, invocationCount: 1)]
public class TrainingBenchmarks
{
    [Params("small-1")]
    public string Job { get; set; } = "small-1";

    [Params(TrainPhase.Bootstrap, TrainPhase.Reinforce)]
    public TrainPhase Phase { get; set; }

    SureTrainer trainer = null!;

    [GlobalSetup]
    public void Setup()
    {
        var model = SureTrainer.CreateModel(new SureConfig(), 1);
        trainer = new SureTrainer(model, JobCatalog.Load(Job), WorkloadTrace.ClarkNet().Workload(), SimOptions.Default, new TrainOptions
        {
            BootstrapIterations = Phase == TrainPhase.Bootstrap ? int.MaxValue : 0,
            Threads = 1,
        });
    }

    [Benchmark]
    public double Iteration() => trainer.Step().MeanReward;
}
