using BenchmarkDotNet.Attributes;
using Sure.Sim;
using Sure.Sim.Autoscalers;

namespace Sure.Bench;

/// <summary>
/// The simulator on the test week of ClarkNet under DS2 (noise and monitor on). One operation =
/// one week (10,080 minutes); task-minutes/s = 10,080 * n / mean time. Allocated bytes per
/// operation should be 0.
/// </summary>
[MemoryDiagnoser]
public class SimBenchmarks
{
    StreamEnvironment _env = null!;
    readonly Ds2Autoscaler _policy = new();
    int[] _parallelism = [];

    [Params("small-1", "large-2", "random:1000:1")]
    public string Job { get; set; } = "large-2";

    [GlobalSetup]
    public void Setup()
    {
        _env = new StreamEnvironment(JobCatalog.Load(Job), WorkloadTrace.ClarkNet().Workload());
        _parallelism = new int[_env.TaskCount];
        _policy.Initialize(_env, _parallelism);
    }

    [Benchmark]
    public double WeekWithDs2()
    {
        Array.Fill(_parallelism, _env.Options.InitialParallelism);
        _env.Reset(WorkloadTrace.WeekMinutes, _parallelism, 1);
        double reward = 0;
        for (int span = 0; span < WorkloadTrace.WeekMinutes / _env.SpanMinutes; span++)
        {
            reward += _env.Step(_parallelism).Reward;
            _policy.Decide(_env, _parallelism);
        }
        return reward;
    }
}
