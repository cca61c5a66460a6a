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
    // SURE's two TopK shapes, one TopK.Row per row (ns/op = per row): anchors (60 values, k = 10), neighbours (28 values, k = 4).
    const int SureRows = 256;
    float[] _anchorScores = null!, _neighbourScores = null!;
    int[] _anchors = null!, _neighbours = null!;

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
        _anchorScores = Enumerable.Range(0, SureRows * 60).Select(_ => (float)rng.NextDouble()).ToArray();
        _neighbourScores = Enumerable.Range(0, SureRows * 28).Select(_ => (float)rng.NextDouble()).ToArray();
        _anchors = new int[10];
        _neighbours = new int[4];
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

    [Benchmark(OperationsPerInvoke = SureRows)]
    public int TopKRowSureAnchors60K10()
    {
        int sum = 0;
        for (int r = 0; r < SureRows; r++) sum += TopK.Row<float>(_anchorScores.AsSpan(r * 60, 60), TopKOrder.ByIndexAscending, _anchors);
        return sum;
    }

    [Benchmark(OperationsPerInvoke = SureRows)]
    public int TopKRowSureNeighbours28K4()
    {
        int sum = 0;
        for (int r = 0; r < SureRows; r++) sum += TopK.Row<float>(_neighbourScores.AsSpan(r * 28, 28), TopKOrder.ByIndexAscending, _neighbours);
        return sum;
    }
}
