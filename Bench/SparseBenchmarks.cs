using BenchmarkDotNet.Attributes;
using Sure.Tensors;

namespace Sure.Bench;

// dotnet run -c Release --project Bench -- --filter '*SparseBenchmarks*'
// Steady state must report 0 B allocated for every method.
[MemoryDiagnoser]
public class SparseBenchmarks
{
    const int Nodes = 10_000, Edges = 40_000, D = 64;
    const int TopKRows = 1024, TopKCols = 64, K = 10;

    Csr _graph = null!;
    int[] _src = null!, _dst = null!;
    float[] _x = null!, _y = null!, _dy = null!, _dx = null!;
    float[] _scores = null!;
    int[] _chosen = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _src = Enumerable.Range(0, Edges).Select(_ => rng.Next(Nodes)).ToArray();
        _dst = Enumerable.Range(0, Edges).Select(_ => rng.Next(Nodes)).ToArray();
        _graph = Csr.FromEdges(Nodes, _src, _dst, undirected: true);   // average degree 8
        _x = Enumerable.Range(0, Nodes * D).Select(_ => (float)rng.NextDouble()).ToArray();
        _dy = Enumerable.Range(0, Nodes * D).Select(_ => (float)rng.NextDouble()).ToArray();
        _y = new float[Nodes * D];
        _dx = new float[Nodes * D];
        _scores = Enumerable.Range(0, TopKRows * TopKCols).Select(_ => (float)rng.NextDouble()).ToArray();
        _chosen = new int[TopKRows * K];
    }

    [Benchmark]
    public void CsrRebuild() => _graph.Rebuild(Nodes, _src, _dst, undirected: true);

    [Benchmark]
    public void MeanAggregateForward() => Sparse.MeanAggregate<float>(_graph, _x, D, _y);

    [Benchmark]
    public void MeanAggregateForwardBackward()
    {
        Sparse.MeanAggregate<float>(_graph, _x, D, _y);
        Array.Clear(_dx);
        Sparse.MeanAggregateBackward<float>(_graph, _dy, D, _dx);
    }

    [Benchmark]
    public void TopKByValue() => TopK.Indices<float>(_scores, TopKCols, K, _chosen);

    [Benchmark]
    public void TopKByIndex() => TopK.IndicesAscending<float>(_scores, TopKCols, K, _chosen);
}
