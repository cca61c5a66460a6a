using System.Numerics.Tensors;
using Sure.Tensors;
using Sure.Tensors.Devices;

namespace Sure.Devices.Tests;

/// <summary>
/// Every kernel of every available backend against the Sure.Tensors CPU kernels, on sizes that are and are not
/// multiples of the work-group sizes (64 linear, 16 x 16 GEMM tiles, 64 per softmax row).
/// Tolerances are stated per op; "exact" means bit-identical.
/// </summary>
public class ConformanceTests
{
    public static TheoryData<string> Backends => TestBackends.Available;

    static readonly int[] Lengths = [1, 7, 33, 64, 65, 127, 1000];

    // GEMM: |c - ref| <= 1e-5 * sum_p |a_ip| |b_pj| + 1e-6. Summation order differs (tiles vs the CPU's
    // blocking), so the error is a few float roundings of the absolute products; a wrong element is off by O(1).
    [Theory, MemberData(nameof(Backends))]
    public void GemmMatchesCpu(string name)
    {
        var backend = TestBackends.Backend(name);
        var rng = new Random(11);
        int[] sizes = [1, 7, 16, 33, 65];
        int variant = 0;   // cycles through the 8 (transA, transB, accumulate) cases
        foreach (int m in sizes)
            foreach (int n in sizes)
                foreach (int k in new[] { 1, 17, 64, 127 })
                {
                    bool transA = (variant & 1) != 0, transB = (variant & 2) != 0, accumulate = (variant & 4) != 0;
                    variant = (variant + 3) % 8;   // 3 is coprime to 8: every case, in a varied order over shapes
                    var a = Check.RandomFloats(rng, m * k, -1, 1);
                    var b = Check.RandomFloats(rng, k * n, -1, 1);
                    var c0 = Check.RandomFloats(rng, m * n, -1, 1);
                    var expected = (float[])c0.Clone();
                    Gemm.Multiply<float>(a, transA, b, transB, expected, m, n, k, accumulate);
                    var bound = AbsProductSums(a, transA, b, transB, m, n, k, accumulate);
                    using var da = backend.Upload(a);
                    using var db = backend.Upload(b);
                    using var dc = backend.Upload(c0);
                    backend.Gemm(da, transA, db, transB, m, n, k, accumulate, dc);
                    var actual = backend.Floats(dc);
                    for (int i = 0; i < m * n; i++)
                        Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * bound[i] + 1e-6,
                            $"gemm m={m} n={n} k={k} tA={transA} tB={transB} acc={accumulate}: [{i}] = {actual[i]}, expected {expected[i]}");
                }
    }

    // sum_p |op(a)_ip| |op(b)_pj| (+ |c| when accumulating): the scale of a dot product's rounding error
    static double[] AbsProductSums(float[] a, bool transA, float[] b, bool transB, int m, int n, int k, bool accumulate)
    {
        var s = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++)
                    s[i * n + j] += Math.Abs(transA ? a[p * m + i] : a[i * k + p]) * Math.Abs(transB ? b[j * k + p] : b[p * n + j]);
        if (accumulate) for (int i = 0; i < s.Length; i++) s[i] += 1;
        return s;
    }

    // Transcendentals: OpenCL 1.2 allows exp/log 3 ulp, tanh 5 ulp, log1p 2 ulp; .NET's vectorised versions are
    // within about 1 ulp. rel 2e-6 (about 16 float ulps) covers both plus sigmoid's and softplus's composition;
    // abs 1e-7 covers results near 0 (tanh, softplus of large negative x) where relative error is meaningless.
    [Theory, MemberData(nameof(Backends))]
    public void UnaryOpsMatchCpu(string name)
    {
        var backend = TestBackends.Backend(name);
        var rng = new Random(12);
        foreach (var op in Enum.GetValues<UnaryOp>())
            foreach (int n in Lengths)
            {
                var x = op == UnaryOp.Log ? Check.RandomFloats(rng, n, 1e-3f, 100) : Check.RandomFloats(rng, n, -20, 20);
                var expected = new float[n];
                switch (op)
                {
                    case UnaryOp.Sigmoid: TensorPrimitives.Sigmoid(x, expected); break;
                    case UnaryOp.Softplus: RowOps.Softplus<float>(x, expected); break;
                    case UnaryOp.Relu: for (int i = 0; i < n; i++) expected[i] = Math.Max(x[i], 0); break;
                    case UnaryOp.Tanh: for (int i = 0; i < n; i++) expected[i] = MathF.Tanh(x[i]); break;
                    case UnaryOp.Exp: for (int i = 0; i < n; i++) expected[i] = MathF.Exp(x[i]); break;
                    case UnaryOp.Log: for (int i = 0; i < n; i++) expected[i] = MathF.Log(x[i]); break;
                }
                using var dx = backend.Upload(x);
                using var dy = backend.Allocate(ElementType.Float32, n);
                backend.Map(op, dx, n, dy);
                if (op == UnaryOp.Relu) Check.Same(expected, backend.Floats(dy), $"{op} n={n}");
                else Check.Close(expected, backend.Floats(dy), 2e-6, 1e-7, $"{op} n={n}");
            }
    }

    // Softplus must not overflow: softplus(100) = 100, softplus(-100) = e^-100 (underflows to a tiny float).
    [Theory, MemberData(nameof(Backends))]
    public void SoftplusIsStableAtTheExtremes(string name)
    {
        var backend = TestBackends.Backend(name);
        float[] x = [-100f, -30f, 0f, 30f, 100f, 1e30f];
        using var dx = backend.Upload(x);
        using var dy = backend.Allocate(ElementType.Float32, x.Length);
        backend.Map(UnaryOp.Softplus, dx, x.Length, dy);
        var y = backend.Floats(dy);
        Check.Close([MathF.Exp(-100f), MathF.Exp(-30f), MathF.Log(2f), 30f, 100f, 1e30f], y, 2e-6, 1e-44, "softplus extremes");
    }

    // Add, mul, scale and add-bias are one IEEE operation per element: exact.
    [Theory, MemberData(nameof(Backends))]
    public void ArithmeticIsExact(string name)
    {
        var backend = TestBackends.Backend(name);
        var rng = new Random(13);
        foreach (int n in Lengths)
        {
            var a = Check.RandomFloats(rng, n, -5, 5);
            var b = Check.RandomFloats(rng, n, -5, 5);
            using var da = backend.Upload(a);
            using var db = backend.Upload(b);
            using var dy = backend.Allocate(ElementType.Float32, n);
            var expected = new float[n];

            backend.Zip(BinaryOp.Add, da, db, n, dy);
            for (int i = 0; i < n; i++) expected[i] = a[i] + b[i];
            Check.Same(expected, backend.Floats(dy), $"add n={n}");

            backend.Zip(BinaryOp.Mul, da, db, n, dy);
            for (int i = 0; i < n; i++) expected[i] = a[i] * b[i];
            Check.Same(expected, backend.Floats(dy), $"mul n={n}");

            backend.Scale(da, -0.37f, n, dy);
            for (int i = 0; i < n; i++) expected[i] = -0.37f * a[i];
            Check.Same(expected, backend.Floats(dy), $"scale n={n}");
        }
        foreach (int rows in new[] { 1, 5, 33 })
            foreach (int cols in new[] { 1, 7, 65 })
            {
                var x = Check.RandomFloats(rng, rows * cols, -5, 5);
                var bias = Check.RandomFloats(rng, cols, -5, 5);
                var expected = new float[rows * cols];
                for (int i = 0; i < expected.Length; i++) expected[i] = x[i] + bias[i % cols];
                using var dx = backend.Upload(x);
                using var dbias = backend.Upload(bias);
                using var dy = backend.Allocate(ElementType.Float32, rows * cols);
                backend.AddBias(dx, dbias, rows, cols, dy);
                Check.Same(expected, backend.Floats(dy), $"add-bias {rows}x{cols}");
            }
    }

    // Softmax: rel 1e-5 + abs 1e-8. The device reduces the row sum as a tree of 64 partial sums, the CPU
    // sequentially in vectors, and exp may differ by ulps; each output is exp / sum, so the relative
    // error is a few ulps of exp plus the sum's rounding (cols * 2^-24 at worst, about 2e-5 for 300 columns,
    // far less in practice).
    [Theory, MemberData(nameof(Backends))]
    public void SoftmaxMatchesCpu(string name)
    {
        var backend = TestBackends.Backend(name);
        var rng = new Random(14);
        foreach (int rows in new[] { 1, 3, 17 })
            foreach (int cols in new[] { 1, 7, 33, 64, 65, 127, 300 })
            {
                var x = Check.RandomFloats(rng, rows * cols, -30, 30);
                x[0] = 100f;   // e^100 overflows float: only a max-shifted softmax survives
                var expected = new float[rows * cols];
                RowOps.Softmax<float>(x, cols, expected);
                using var dx = backend.Upload(x);
                using var dy = backend.Allocate(ElementType.Float32, rows * cols);
                backend.Softmax(dx, rows, cols, dy);
                Check.Close(expected, backend.Floats(dy), 1e-5, 1e-8, $"softmax {rows}x{cols}");
            }
    }

    // Top-k returns indices: exact. Values come from a small set so ties are common.
    [Theory, MemberData(nameof(Backends))]
    public void TopKMatchesCpu(string name)
    {
        var backend = TestBackends.Backend(name);
        var rng = new Random(15);
        foreach (int rows in new[] { 1, 7, 65 })
            foreach (int cols in new[] { 1, 5, 33, 127 })
                foreach (int k in new[] { 1, 4, 10 })
                    foreach (bool ascending in new[] { false, true })
                    {
                        int valid = rng.Next(2) == 0 ? cols : rng.Next(cols + 1);
                        var x = new float[rows * cols];
                        for (int i = 0; i < x.Length; i++) x[i] = rng.Next(8) - 3.5f;
                        if (x.Length > 3) { x[2] = float.NaN; x[3] = float.NegativeInfinity; }
                        var expected = new int[rows * k];
                        TopK.Indices<float>(x, cols, valid, k, ascending ? TopKOrder.ByIndexAscending : TopKOrder.ByValueDescending, expected);
                        using var dx = backend.Upload(x);
                        using var di = backend.Allocate(ElementType.Int32, rows * k);
                        backend.TopK(dx, rows, cols, valid, k, ascending, di);
                        Check.Same(expected, backend.Ints(di), $"top-{k} {rows}x{cols} valid={valid} ascending={ascending}");
                    }
    }

    [Theory, MemberData(nameof(Backends))]
    public void TopKOrdersTiesByIndexAndPadsWithMinusOne(string name)
    {
        var backend = TestBackends.Backend(name);
        float[] x = [1, 3, 3, 0, 3, 9, 9];   // one row; column 6 is past valid
        using var dx = backend.Upload(x);
        using var di = backend.Allocate(ElementType.Int32, 8);
        backend.TopK(dx, 1, 7, 6, 4, false, di);
        Assert.Equal([5, 1, 2, 4], backend.Ints(di)[..4]);
        backend.TopK(dx, 1, 7, 6, 4, true, di);
        Assert.Equal([1, 2, 4, 5], backend.Ints(di)[..4]);
        backend.TopK(dx, 1, 7, 2, 4, true, di);
        Assert.Equal([0, 1, -1, -1], backend.Ints(di)[..4]);
    }

    // A random directed graph on `nodes` vertices: the forward CSR (row v lists u) and its transpose.
    static (Csr Forward, Csr Transposed) RandomGraph(Random rng, int nodes, int edges)
    {
        var src = new int[edges];
        var dst = new int[edges];
        for (int e = 0; e < edges; e++) { src[e] = rng.Next(nodes); dst[e] = rng.Next(nodes); }
        return (Csr.FromEdges(nodes, src, dst, false), Csr.FromEdges(nodes, dst, src, false));
    }

    // CSR mean and segment mean: rel 1e-6 + abs 1e-7. Both sides add neighbours in CSR order and scale by
    // 1/deg, so they agree to the bit today; the margin allows a backend to sum in another order.
    [Theory, MemberData(nameof(Backends))]
    public void MeanAggregateMatchesCpu(string name)
    {
        var backend = TestBackends.Backend(name);
        var rng = new Random(16);
        foreach (int nodes in new[] { 1, 7, 33, 65 })
            foreach (int d in new[] { 1, 7, 64, 65 })
            {
                var (g, gt) = RandomGraph(rng, nodes, rng.Next(3 * nodes + 1));
                var x = Check.RandomFloats(rng, nodes * d, -3, 3);
                var expected = new float[nodes * d];
                Sparse.MeanAggregate<float>(g, x, d, expected);
                using var rowPtr = backend.Upload(g.RowPtr[..(nodes + 1)]);
                using var cols = backend.Upload(g.Cols[..g.NonZeros]);
                using var dx = backend.Upload(x);
                using var dy = backend.Allocate(ElementType.Float32, nodes * d);
                backend.MeanAggregate(rowPtr, cols, nodes, dx, d, dy);
                Check.Close(expected, backend.Floats(dy), 1e-6, 1e-7, $"csr mean n={nodes} d={d}");

                // Backward: dx accumulates onto its previous contents.
                var dyIn = Check.RandomFloats(rng, nodes * d, -3, 3);
                var grad0 = Check.RandomFloats(rng, nodes * d, -1, 1);
                var expectedGrad = (float[])grad0.Clone();
                Sparse.MeanAggregateBackward<float>(g, dyIn, d, expectedGrad);
                using var tRowPtr = backend.Upload(gt.RowPtr[..(nodes + 1)]);
                using var tCols = backend.Upload(gt.Cols[..gt.NonZeros]);
                using var ddy = backend.Upload(dyIn);
                using var dgrad = backend.Upload(grad0);
                backend.MeanAggregateBackward(tRowPtr, tCols, nodes, rowPtr, nodes, ddy, d, dgrad);
                // rel 1e-6 + abs 1e-6: the CPU may fuse dy * (1/deg) + dx into one FMA, the device rounds twice.
                Check.Close(expectedGrad, backend.Floats(dgrad), 1e-6, 1e-6, $"csr mean backward n={nodes} d={d}");
            }
    }

    [Theory, MemberData(nameof(Backends))]
    public void SegmentMeanMatchesCpu(string name)
    {
        var backend = TestBackends.Backend(name);
        var rng = new Random(17);
        foreach (int segments in new[] { 1, 7, 65 })
            foreach (int d in new[] { 1, 33, 64 })
            {
                var segStart = new int[segments + 1];
                for (int j = 0; j < segments; j++) segStart[j + 1] = segStart[j] + rng.Next(4);   // some empty
                var x = Check.RandomFloats(rng, Math.Max(segStart[segments], 1) * d, -3, 3);
                var expected = new float[segments * d];
                Sparse.SegmentMean<float>(x, d, segStart, expected);
                using var dx = backend.Upload(x);
                using var dseg = backend.Upload(segStart);
                using var dy = backend.Allocate(ElementType.Float32, segments * d);
                backend.SegmentMean(dx, d, dseg, segments, dy);
                Check.Close(expected, backend.Floats(dy), 1e-6, 1e-7, $"segment mean s={segments} d={d}");

                // Backward into a dx with two extra rows past the last segment, which must stay as they were.
                var dyIn = Check.RandomFloats(rng, segments * d, -3, 3);
                int xRows = segStart[segments] + 2;
                var grad0 = Check.RandomFloats(rng, xRows * d, -1, 1);
                var expectedGrad = (float[])grad0.Clone();
                Sparse.SegmentMeanBackward<float>(dyIn, d, segStart, expectedGrad);
                using var ddy = backend.Upload(dyIn);
                using var dgrad = backend.Upload(grad0);
                backend.SegmentMeanBackward(ddy, d, dseg, segments, xRows, dgrad);
                // rel 1e-6 + abs 1e-6: the CPU may fuse dy * (1/len) + dx into one FMA, the device rounds twice.
                Check.Close(expectedGrad, backend.Floats(dgrad), 1e-6, 1e-6, $"segment mean backward s={segments} d={d}");
            }
    }

    // Gather copies: exact.
    [Theory, MemberData(nameof(Backends))]
    public void GatherRowsAndScatterAddAreExact(string name)
    {
        var backend = TestBackends.Backend(name);
        var rng = new Random(18);
        foreach (int count in new[] { 1, 7, 65, 127 })
            foreach (int d in new[] { 1, 33 })
            {
                int sourceRows = 40;
                var x = Check.RandomFloats(rng, sourceRows * d, -3, 3);
                var index = new int[count];
                for (int i = 0; i < count; i++) index[i] = rng.Next(sourceRows);
                var expected = new float[count * d];
                Sparse.GatherRows<float>(x, d, index, expected);
                using var dx = backend.Upload(x);
                using var di = backend.Upload(index);
                using var dy = backend.Allocate(ElementType.Float32, count * d);
                backend.GatherRows(dx, d, di, count, dy);
                Check.Same(expected, backend.Floats(dy), $"gather count={count} d={d}");

                // Its backward, through the inverted index; plain adds in the same order as the CPU: exact.
                var (inverseRowPtr, inversePositions) = GatherIndex.Invert(index, sourceRows);
                var grad0 = Check.RandomFloats(rng, sourceRows * d, -1, 1);
                var expectedGrad = (float[])grad0.Clone();
                Sparse.ScatterAddRows<float>(expected, d, index, expectedGrad);
                using var invRowPtr = backend.Upload(inverseRowPtr);
                using var invPos = backend.Upload(inversePositions);
                using var dgrad = backend.Upload(grad0);
                backend.ScatterAddRows(dy, d, invRowPtr, invPos, sourceRows, dgrad);
                Check.Same(expectedGrad, backend.Floats(dgrad), $"scatter-add count={count} d={d}");
            }
    }

    // The reverse-mode ops, against loops in double written here from IComputeBackend's formulas (not the backends' code):
    // |device - ref| <= 2e-6 |ref| + 1e-6 (a few float roundings; the derivatives add one exp or division).
    static void Near(double expected, float actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= 2e-6 * Math.Abs(expected) + 1e-6, $"{what}: {actual}, expected {expected}");

    [Theory, MemberData(nameof(Backends))]
    public void AccumulatingOpsMatchTheirFormulas(string name)
    {
        var backend = TestBackends.Backend(name);
        var rng = new Random(31);
        foreach (int n in Lengths)
        {
            var x = Check.RandomFloats(rng, n, -3, 3);
            var b = Check.RandomFloats(rng, n, -3, 3);
            var y0 = Check.RandomFloats(rng, n, -3, 3);
            using var dx = backend.Upload(x);
            using var db = backend.Upload(b);
            using var dy = backend.Upload(y0);
            backend.Axpy(-1.5f, dx, n, dy);
            var axpy = backend.Floats(dy);
            for (int i = 0; i < n; i++) Near(y0[i] - 1.5 * x[i], axpy[i], $"{name} axpy n={n} [{i}]");
            backend.MultiplyAdd(dx, db, n, dy);
            var fma = backend.Floats(dy);
            for (int i = 0; i < n; i++) Near(axpy[i] + (double)x[i] * b[i], fma[i], $"{name} mul_add n={n} [{i}]");
            backend.Fill(0.25f, n, dy);
            Assert.All(backend.Floats(dy), v => Assert.Equal(0.25f, v));

            foreach (var op in Enum.GetValues<UnaryOp>())
            {
                var input = op == UnaryOp.Log ? Check.RandomFloats(rng, n, 0.05f, 20) : Check.RandomFloats(rng, n, -8, 8);
                var output = new float[n];
                for (int i = 0; i < n; i++)
                    output[i] = op switch
                    {
                        UnaryOp.Sigmoid => (float)(1 / (1 + Math.Exp(-input[i]))),
                        UnaryOp.Softplus => (float)Math.Log(1 + Math.Exp(input[i])),
                        UnaryOp.Relu => Math.Max(input[i], 0),
                        UnaryOp.Tanh => (float)Math.Tanh(input[i]),
                        UnaryOp.Exp => (float)Math.Exp(input[i]),
                        _ => (float)Math.Log(input[i]),
                    };
                var upstream = Check.RandomFloats(rng, n, -1, 1);
                var start = Check.RandomFloats(rng, n, -1, 1);
                using var di = backend.Upload(input);
                using var dout = backend.Upload(output);
                using var dup = backend.Upload(upstream);
                using var dgrad = backend.Upload(start);
                backend.MapBackward(op, di, dout, dup, n, dgrad);
                var grad = backend.Floats(dgrad);
                for (int i = 0; i < n; i++)
                {
                    double v = input[i], derivative = op switch
                    {
                        UnaryOp.Sigmoid => output[i] * (1.0 - output[i]),
                        UnaryOp.Softplus => 1 / (1 + Math.Exp(-v)),
                        UnaryOp.Relu => v > 0 ? 1 : 0,
                        UnaryOp.Tanh => 1 - (double)output[i] * output[i],
                        UnaryOp.Exp => output[i],
                        _ => 1 / v,
                    };
                    Near(start[i] + upstream[i] * derivative, grad[i], $"{name} {op} backward n={n} [{i}]");
                }
            }
        }
    }

    [Theory, MemberData(nameof(Backends))]
    public void SoftmaxBackwardCopyBlockAndAdamMatchTheirFormulas(string name)
    {
        var backend = TestBackends.Backend(name);
        var rng = new Random(32);
        foreach (int cols in new[] { 1, 7, 65, 300 })
        {
            int rows = 5;
            var y = new float[rows * cols];
            for (int r = 0; r < rows; r++) RowOps.Softmax<float>(Check.RandomFloats(rng, cols, -4, 4), y.AsSpan(r * cols, cols));
            var upstream = Check.RandomFloats(rng, rows * cols, -1, 1);
            var start = Check.RandomFloats(rng, rows * cols, -1, 1);
            using var dyv = backend.Upload(y);
            using var dup = backend.Upload(upstream);
            using var dgrad = backend.Upload(start);
            backend.SoftmaxBackward(dyv, dup, rows, cols, dgrad);
            var grad = backend.Floats(dgrad);
            for (int r = 0; r < rows; r++)
            {
                double dot = 0;
                for (int c = 0; c < cols; c++) dot += (double)y[r * cols + c] * upstream[r * cols + c];
                for (int c = 0; c < cols; c++)
                {
                    int i = r * cols + c;
                    Near(start[i] + y[i] * (upstream[i] - dot), grad[i], $"{name} softmax backward cols={cols} [{r}, {c}]");
                }
            }
        }

        // A 3 x 4 block from column 2 of a [3, 9] source into columns 5..8 of a [3, 10] target, copied then accumulated.
        var src = Check.RandomFloats(rng, 27, -1, 1);
        var dst = Check.RandomFloats(rng, 30, -1, 1);
        using var ds = backend.Upload(src);
        using var dd = backend.Upload(dst);
        backend.CopyBlock(ds, 2, 9, 3, 4, 5, 10, false, dd);
        var copied = backend.Floats(dd);
        backend.CopyBlock(ds, 2, 9, 3, 4, 5, 10, true, dd);
        var summed = backend.Floats(dd);
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 10; c++)
            {
                bool inside = c >= 5 && c < 9;
                float expected = inside ? src[2 + r * 9 + c - 5] : dst[r * 10 + c];
                Assert.Equal(expected, copied[r * 10 + c]);
                Assert.Equal(inside ? expected + expected : expected, summed[r * 10 + c]);
            }
        Assert.Throws<ArgumentException>(() => backend.CopyBlock(ds, 2, 9, 3, 4, 7, 10, false, dd));   // runs past the target

        // Adam, one step at t = 3 from random moments: Kingma and Ba's update with the bias corrections.
        foreach (int n in Lengths)
        {
            var g = Check.RandomFloats(rng, n, -1, 1);
            var m = Check.RandomFloats(rng, n, -0.1f, 0.1f);
            var v = Check.RandomFloats(rng, n, 0, 0.01f);
            var p = Check.RandomFloats(rng, n, -1, 1);
            using var dg = backend.Upload(g);
            using var dm = backend.Upload(m);
            using var dv = backend.Upload(v);
            using var dp = backend.Upload(p);
            double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, c1 = 1 - Math.Pow(b1, 3), c2 = 1 - Math.Pow(b2, 3);
            backend.AdamStep(dg, n, (float)b1, (float)b2, (float)eps, (float)(-lr / c1), (float)(1 / Math.Sqrt(c2)), dm, dv, dp);
            var (m1, v1, p1) = (backend.Floats(dm), backend.Floats(dv), backend.Floats(dp));
            for (int i = 0; i < n; i++)
            {
                double mi = b1 * m[i] + (1 - b1) * g[i], vi = b2 * v[i] + (1 - b2) * g[i] * (double)g[i];
                Near(mi, m1[i], $"{name} adam m n={n} [{i}]");
                Near(vi, v1[i], $"{name} adam v n={n} [{i}]");
                Near(p[i] - lr * (mi / c1) / (Math.Sqrt(vi / c2) + eps), p1[i], $"{name} adam p n={n} [{i}]");
            }
        }
    }
}
