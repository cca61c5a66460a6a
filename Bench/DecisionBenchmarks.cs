using BenchmarkDotNet.Attributes;
using Sure.Models;

namespace Sure.Bench;

// dotnet run -c Release --project Bench -- --filter '*DecisionBenchmarks*'
// One whole-job SURE decision (SureDecider.Decide) with the defaults of `sure bench infer`: L=60, D=8, H=64, E=2,
// k1=10, k2=4, K_max=32, seeded random weights and snapshots. Allocated must read 0 B.
[MemoryDiagnoser]
public class DecisionBenchmarks
{
    [Params(6, 46, 1000)]
    public int Tasks;

    SureDecider decider = null!;
    float[] ring = [];
    int[] parallelism = [], newParallelism = [];
    ulong decision;

    [GlobalSetup]
    public void Setup()
    {
        var config = new SureConfig();
        var graph = DecisionJob.ForBenchmark(Tasks);
        int n = graph.TaskCount;
        decider = new SureDecider(SureModel<float>.Create(config, seed: 0).DecisionWeights, DecisionJob.Table(graph, config.C, config.KMax));
        var rng = new Random(Tasks);
        ring = new float[config.L * n * config.D];
        for (int i = 0; i < ring.Length; i++) ring[i] = (float)rng.NextDouble();
        parallelism = new int[n];
        for (int i = 0; i < n; i++) parallelism[i] = rng.Next(1, config.PMax + 1);
        newParallelism = new int[n];
    }

    // A new decision index each call: fresh noise, as in a control loop.
    [Benchmark]
    public void Decide() => decider.Decide(ring, (int)(decision % 60), parallelism, 0, decision++, newParallelism);
}
