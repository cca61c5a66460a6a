using BenchmarkDotNet.Attributes;
using Sure.Tensors;

namespace Sure.Bench;

// dotnet run -c Release --project Bench -- --filter '*GemmBenchmarks*'
// GFLOP/s = 2 n^3 / Mean; Allocated shows the per-call allocation (0 B for threads = 1).
[MemoryDiagnoser]
public class GemmBenchmarks
{
    [Params(64, 256, 768)]
    public int N;

    float[] a = [], b = [], c = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(N);
        a = new float[N * N];
        b = new float[N * N];
        c = new float[N * N];
        for (int i = 0; i < a.Length; i++) { a[i] = (float)rng.NextDouble() - 0.5f; b[i] = (float)rng.NextDouble() - 0.5f; }
    }

    [Benchmark]
    public void Multiply() => Gemm.Multiply<float>(a, false, b, false, c, N, N, N, threads: 1);
}
