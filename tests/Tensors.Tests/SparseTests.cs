using Sure.Tests;
using System.Numerics;
using FsCheck;
using FsCheck.Fluent;

namespace Sure.Tensors.Tests;

public class SparseTests
{
    // A random edge list that always has self loops, duplicate edges and (for n > 3) usually isolated nodes.
    static (int N, int[] Src, int[] Dst) RandomGraph(Random rng)
    {
        int n = rng.Next(1, 40);
        int active = Math.Max(1, n - rng.Next(0, 4));   // nodes >= active never get an edge
        int m = rng.Next(0, 3 * n);
        var src = new List<int>(); var dst = new List<int>();
        for (int e = 0; e < m; e++) { src.Add(rng.Next(active)); dst.Add(rng.Next(active)); }
        int v = rng.Next(active); src.Add(v); dst.Add(v);                       // self loop
        if (src.Count > 1) { src.Add(src[0]); dst.Add(dst[0]); }                // duplicate
        return (n, src.ToArray(), dst.ToArray());
    }

    // Dense multiplicity matrix a[v, u] = number of times u is a neighbour of v (a duplicate counts again,
    // an undirected self loop counts twice because both directions are added).
    static double[,] DenseAdjacency(int n, int[] src, int[] dst, bool undirected)
    {
        var a = new double[n, n];
        for (int e = 0; e < src.Length; e++)
        {
            a[dst[e], src[e]] += 1;
            if (undirected) a[src[e], dst[e]] += 1;
        }
        return a;
    }

    static T[] RandomValues<T>(Random rng, int count) where T : unmanaged, IFloatingPointIeee754<T>
        => Enumerable.Range(0, count).Select(_ => T.CreateChecked(rng.NextDouble() * 2 - 1)).ToArray();

    [Fact]
    public void MeanAggregateMatchesDenseAdjacency_Double() => MeanAggregateMatchesDense<double>(1e-12);

    [Fact]
    public void MeanAggregateMatchesDenseAdjacency_Float() => MeanAggregateMatchesDense<float>(1e-5);

    static void MeanAggregateMatchesDense<T>(double tol) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(typeof(T) == typeof(float) ? 3 : 4);
        var g = new Csr();   // reused across trials, so Rebuild's shrink and grow are covered too
        for (int trial = 0; trial < 100; trial++)
        {
            var (n, src, dst) = RandomGraph(rng);
            bool undirected = trial % 2 == 0;
            int d = rng.Next(1, 40);
            g.Rebuild(n, src, dst, undirected);
            var a = DenseAdjacency(n, src, dst, undirected);
            var x = RandomValues<T>(rng, n * d); var dy = RandomValues<T>(rng, n * d);
            var y = RandomValues<T>(rng, n * d);                  // garbage that must be overwritten
            var dx0 = RandomValues<T>(rng, n * d); var dx = (T[])dx0.Clone();
            Sparse.MeanAggregate<T>(g, x, d, y);
            Sparse.MeanAggregateBackward<T>(g, dy, d, dx);
            var degree = new double[n];
            for (int v = 0; v < n; v++)
                for (int u = 0; u < n; u++) degree[v] += a[v, u];
            for (int v = 0; v < n; v++)
            {
                double deg = degree[v];
                Assert.Equal((int)deg, g.Degree(v));
                for (int c = 0; c < d; c++)
                {
                    double sum = 0, grad = double.CreateChecked(dx0[v * d + c]);
                    for (int u = 0; u < n; u++)
                    {
                        sum += a[v, u] * double.CreateChecked(x[u * d + c]);
                        if (degree[u] > 0) grad += a[u, v] * double.CreateChecked(dy[u * d + c]) / degree[u];
                    }
                    double mean = deg == 0 ? 0 : sum / deg;
                    Assert.True(Math.Abs(double.CreateChecked(y[v * d + c]) - mean) <= tol, $"forward trial {trial} v={v} c={c}");
                    Assert.True(Math.Abs(double.CreateChecked(dx[v * d + c]) - grad) <= tol * 4, $"backward trial {trial} v={v} c={c}");
                }
            }
        }
    }

    [Fact]
    public void BackwardIsTheAdjointOfForward()
    {
        // <MeanAggregate(x), dy> = <x, MeanAggregateBackward(dy)> for every graph, x and dy.
        Prop.ForAll(Gen.Choose(0, 1 << 30).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            var (n, src, dst) = RandomGraph(rng);
            var g = Csr.FromEdges(n, src, dst, undirected: seed % 2 == 0);
            int d = rng.Next(1, 9);
            var x = RandomValues<double>(rng, n * d); var dy = RandomValues<double>(rng, n * d);
            var y = new double[n * d]; var dx = new double[n * d];
            Sparse.MeanAggregate<double>(g, x, d, y);
            Sparse.MeanAggregateBackward<double>(g, dy, d, dx);
            double lhs = y.Zip(dy, (p, q) => p * q).Sum(), rhs = x.Zip(dx, (p, q) => p * q).Sum();
            return Math.Abs(lhs - rhs) <= 1e-10 * (1 + Math.Abs(lhs));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void CsrKeepsEdgeOrderAndDocumentedMultiplicities()
    {
        // Edges (src -> dst): 2->0, 1->0, 0->0 (self loop), 2->0 again (duplicate); node 3 isolated.
        int[] src = [2, 1, 0, 2], dst = [0, 0, 0, 0];
        var directed = Csr.FromEdges(4, src, dst, undirected: false);
        Assert.Equal([2, 1, 0, 2], directed.Neighbours(0).ToArray());
        Assert.Equal(0, directed.Degree(1));
        Assert.Equal(4, directed.NonZeros);
        var undirected = Csr.FromEdges(4, src, dst, undirected: true);
        Assert.Equal([2, 1, 0, 0, 2], undirected.Neighbours(0).ToArray());
        Assert.Equal([0], undirected.Neighbours(1).ToArray());
        Assert.Equal([0, 0], undirected.Neighbours(2).ToArray());
        Assert.Equal(0, undirected.Degree(3));
        Assert.Equal(8, undirected.NonZeros);
        Assert.Throws<ArgumentOutOfRangeException>(() => Csr.FromEdges(2, [0], [2], false));
    }

    [Fact]
    public void RebuildWithinCapacityDoesNotAllocate()
    {
        var rng = new Random(6);
        int n = 5000, m = 20000;
        int[] src = Enumerable.Range(0, m).Select(_ => rng.Next(n)).ToArray(), dst = Enumerable.Range(0, m).Select(_ => rng.Next(n)).ToArray();
        var g = Csr.FromEdges(n, src, dst, undirected: true);
        var rowPtr = g.RowPtr; var cols = g.Cols;
        g.Rebuild(n / 2, src.AsSpan(0, m / 2).ToArray().Select(v => v / 2).ToArray(), dst.AsSpan(0, m / 2).ToArray().Select(v => v / 2).ToArray(), false);
        long before = GC.GetAllocatedBytesForCurrentThread();
        g.Rebuild(n, src, dst, undirected: true);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Same(rowPtr, g.RowPtr);
        Assert.Same(cols, g.Cols);
        Assert.Equal(2 * m, g.NonZeros);
    }

    [Fact]
    public void GatherAndScatterAddRowsMatchLoops()
    {
        var rng = new Random(7);
        int rows = 13, d = 37;
        var x = RandomValues<float>(rng, rows * d);
        int[] index = [4, 0, 12, 4, 4, 7];   // repeats must accumulate
        var y = new float[index.Length * d];
        Sparse.GatherRows<float>(x, d, index, y);
        for (int i = 0; i < index.Length; i++)
            for (int c = 0; c < d; c++) Assert.Equal(x[index[i] * d + c], y[i * d + c]);

        var dy = RandomValues<float>(rng, index.Length * d);
        var dx = RandomValues<float>(rng, rows * d);
        var expected = dx.Select(v => (double)v).ToArray();
        for (int i = 0; i < index.Length; i++)
            for (int c = 0; c < d; c++) expected[index[i] * d + c] += dy[i * d + c];
        Sparse.ScatterAddRows<float>(dy, d, index, dx);
        for (int k = 0; k < dx.Length; k++) Assert.Equal(expected[k], dx[k], 1e-5);
    }

    [Fact]
    public void SegmentMeanHandlesEmptySegmentsAndItsBackwardAccumulates()
    {
        var rng = new Random(8);
        for (int trial = 0; trial < 50; trial++)
        {
            int segments = rng.Next(1, 8), d = rng.Next(1, 20);
            var segStart = new int[segments + 1];
            for (int j = 1; j <= segments; j++) segStart[j] = segStart[j - 1] + rng.Next(0, 4);   // 0: empty segment
            int rows = segStart[^1];
            var x = RandomValues<double>(rng, rows * d);
            var y = RandomValues<double>(rng, segments * d);
            Sparse.SegmentMean<double>(x, d, segStart, y);
            var dy = RandomValues<double>(rng, segments * d);
            var dx0 = RandomValues<double>(rng, rows * d); var dx = (double[])dx0.Clone();
            Sparse.SegmentMeanBackward<double>(dy, d, segStart, dx);
            for (int j = 0; j < segments; j++)
            {
                int size = segStart[j + 1] - segStart[j];
                for (int c = 0; c < d; c++)
                {
                    double sum = 0;
                    for (int r = segStart[j]; r < segStart[j + 1]; r++)
                    {
                        sum += x[r * d + c];
                        Assert.Equal(dx0[r * d + c] + dy[j * d + c] / size, dx[r * d + c], 12);
                    }
                    Assert.Equal(size == 0 ? 0 : sum / size, y[j * d + c], 12);
                }
            }
        }
    }

    [Fact]
    public void KernelsDoNotAllocate()
    {
        var rng = new Random(10);
        var (n, src, dst) = RandomGraph(rng);
        var g = Csr.FromEdges(n, src, dst, undirected: true);
        int d = 64;
        var x = RandomValues<float>(rng, n * d); var y = new float[n * d]; var dx = new float[n * d];
        int[] index = [0, n - 1, 0]; var gathered = new float[3 * d];
        int[] segStart = [0, 0, n]; var means = new float[2 * d];
        void RunAll()
        {
            Sparse.MeanAggregate<float>(g, x, d, y);
            Sparse.MeanAggregateBackward<float>(g, y, d, dx);
            Sparse.GatherRows<float>(x, d, index, gathered);
            Sparse.ScatterAddRows<float>(gathered, d, index, dx);
            Sparse.SegmentMean<float>(x, d, segStart, means);
            Sparse.SegmentMeanBackward<float>(means, d, segStart, dx);
        }
        Assert.Equal(0, Allocations.SteadyState(RunAll, warmUp: 2, calls: 1));
    }
}
