using System.Numerics;
using Sure.Autodiff;
using Sure.Tensors;

namespace Sure.Autodiff.Tests;

/// <summary>Sizes drawn by FsCheck; every op picks the ones it needs.</summary>
public sealed record Dims(int A, int B, int C, int D, int Seed);

/// <summary>
/// One random instance of an op named as in tests/fixtures/FIXTURES.md (plus a few extra tape ops):
/// input shapes, values kept off kinks, index inputs, and a build function generic in the float type.
/// </summary>
public sealed class OpCase : ITapeFunction
{
    public const double ClampLo = -0.5, ClampHi = 0.5;

    public static readonly string[] Names =
    [
        "matmul", "matmul_ta", "matmul_tb", "matmul_tab", "add", "sub", "neg", "add_bias", "mul", "scale", "add_scalar",
        "sigmoid", "softplus", "relu", "tanh", "exp", "log", "clamp", "concat", "gather_rows", "csr_mean",
        "segment_mean", "sum", "mean", "row_dot", "bilinear", "softmax_rows", "log_softmax_rows", "stop_gradient",
        "gaussian_log_density", "diagonal", "off_diagonal", "reshape", "scale_rows", "csr_weighted_sum",
    ];

    public required string Op { get; init; }
    public required Shape[] Shapes { get; init; }
    public required double[][] Values { get; init; }
    public bool[]? NoGrad { get; init; }
    public int[] Index { get; init; } = [];
    public Csr? Graph { get; init; }
    /// <summary>Bounds of "clamp"; the PyTorch fixtures carry their own.</summary>
    public double Lo { get; init; } = ClampLo;
    public double Hi { get; init; } = ClampHi;

    /// <summary>The inputs as tensors, in the order Build takes them.</summary>
    public Tensor<double>[] Inputs() => [.. Shapes.Select((s, k) => new Tensor<double>(Values[k], 0, s))];

    public static OpCase Create(string op, Dims d)
    {
        var rng = new Random(d.Seed);
        var (a, b, c, p) = (d.A, d.B, d.C, d.D);
        Shape[] shapes = op switch
        {
            "matmul" => [new(a, b), new(b, c)],
            "matmul_ta" => [new(b, a), new(b, c)],
            "matmul_tb" => [new(a, b), new(c, b)],
            "matmul_tab" => [new(b, a), new(c, b)],
            "add" or "sub" or "mul" or "row_dot" or "stop_gradient" => [new(a, b), new(a, b)],
            "add_bias" => [new(a, b), new(b)],
            "scale_rows" => [new(a, b), new(a)],
            "concat" => [new(a, b), new(a, c)],
            "bilinear" => [new(a, b), new(b, c), new(p, c)],
            "gaussian_log_density" => [new(a), new(a), new(1)],
            "csr_weighted_sum" => [new(a, b), new(2 * c)],
            "diagonal" or "off_diagonal" => [new(a, a)],
            _ => [new(a, b)],
        };
        var values = new double[shapes.Length][];
        for (int k = 0; k < shapes.Length; k++)
        {
            values[k] = new double[shapes[k].Length];
            for (int i = 0; i < values[k].Length; i++) values[k][i] = Draw(op, rng);
        }
        int[] index = op switch
        {
            "gather_rows" => RandomInts(rng, c + 1, a),
            "segment_mean" => SegmentStarts(rng, segments: c, rows: a),
            _ => [],
        };
        Csr? graph = null;
        if (op == "csr_mean")
        {
            // directed edges (src, dst); some nodes end up with none
            int[] src = RandomInts(rng, 2 * c, a), dst = RandomInts(rng, 2 * c, a);
            graph = Csr.FromEdges(a, src, dst, undirected: false);
        }
        if (op == "csr_weighted_sum")
        {
            // 2c directed edges with one weight each (x1, in edge order); repeats and self loops allowed
            int[] src = RandomInts(rng, 2 * c, a), dst = RandomInts(rng, 2 * c, a);
            graph = Csr.FromEdges(a, src, dst, undirected: false);
            index = EntryEdges(a, dst);
        }
        return new OpCase
        {
            Op = op, Shapes = shapes, Values = values, Index = index, Graph = graph,
            NoGrad = op == "stop_gradient" ? [false, true] : null,
        };
    }

    // values away from every kink by at least 0.05, positive where a log needs it
    static double Draw(string op, Random rng)
    {
        while (true)
        {
            double x = op == "log" ? 0.2 + 2.8 * rng.NextDouble() : 4 * rng.NextDouble() - 2;
            if (op == "relu" && Math.Abs(x) < 0.05) continue;
            if (op == "clamp" && (Math.Abs(x - ClampLo) < 0.05 || Math.Abs(x - ClampHi) < 0.05)) continue;
            return x;
        }
    }

    static int[] RandomInts(Random rng, int count, int below)
    {
        var r = new int[count];
        for (int i = 0; i < count; i++) r[i] = rng.Next(below);
        return r;
    }

    /// <summary>The edge of each CSR entry of Csr.FromEdges(rows, src, dst, undirected: false), which keeps edge order
    /// within a row: weights given per edge reach the op in entry order through GatherRows with this index.</summary>
    public static int[] EntryEdges(int rows, ReadOnlySpan<int> dst)
    {
        var start = new int[rows + 1];
        foreach (int v in dst) start[v + 1]++;
        for (int v = 0; v < rows; v++) start[v + 1] += start[v];
        var entryEdge = new int[dst.Length];
        for (int e = 0; e < dst.Length; e++) entryEdge[start[dst[e]]++] = e;
        return entryEdge;
    }

    static int[] SegmentStarts(Random rng, int segments, int rows)
    {
        var starts = new int[segments + 1];
        for (int j = 1; j < segments; j++) starts[j] = rng.Next(rows + 1);
        starts[segments] = rows;
        Array.Sort(starts, 1, segments - 1);
        return starts;
    }

    public Var<T> Build<T>(Tape<T> t, Var<T>[] x) where T : unmanaged, IFloatingPointIeee754<T> => Op switch
    {
        "matmul" => t.MatMul(x[0], x[1]),
        "matmul_ta" => t.MatMul(x[0], x[1], transA: true),
        "matmul_tb" => t.MatMul(x[0], x[1], transB: true),
        "matmul_tab" => t.MatMul(x[0], x[1], transA: true, transB: true),
        "add" => x[0] + x[1],
        "sub" => x[0] - x[1],
        "neg" => -x[0],
        "add_bias" => t.AddBias(x[0], x[1]),
        "mul" => x[0] * x[1],
        "scale" => t.Scale(x[0], T.CreateChecked(-1.75)),
        "add_scalar" => t.AddScalar(x[0], T.CreateChecked(0.3)),
        "sigmoid" => t.Sigmoid(x[0]),
        "softplus" => t.Softplus(x[0]),
        "relu" => t.Relu(x[0]),
        "tanh" => t.Tanh(x[0]),
        "exp" => t.Exp(x[0]),
        "log" => t.Log(x[0]),
        "clamp" => t.Clamp(x[0], T.CreateChecked(Lo), T.CreateChecked(Hi)),
        "concat" => t.Concat(x[0], x[1]),
        "gather_rows" => t.GatherRows(x[0], Index),
        "csr_mean" => t.CsrMean(x[0], Graph!),
        "csr_weighted_sum" => t.CsrWeightedSum(x[0], Graph!,
            t.Reshape(t.GatherRows(t.Reshape(x[1], x[1].Shape[0], 1), Index), x[1].Shape[0])),
        "segment_mean" => t.SegmentMean(x[0], Index),
        "sum" => t.Sum(x[0]),
        "mean" => t.Mean(x[0]),
        "row_dot" => t.RowDot(x[0], x[1]),
        "scale_rows" => t.ScaleRows(x[0], x[1]),
        "bilinear" => t.Bilinear(x[0], x[1], x[2]),
        "softmax_rows" => t.SoftmaxRows(x[0]),
        "log_softmax_rows" => t.LogSoftmaxRows(x[0]),
        "stop_gradient" => x[0] * t.StopGradient(x[1]),
        "gaussian_log_density" => t.GaussianLogDensity(x[0], x[1], x[2]),
        "diagonal" => t.Diagonal(x[0]),
        "off_diagonal" => t.OffDiagonal(x[0]),
        // a view with a different row length, then something that cares about rows
        "reshape" => t.SoftmaxRows(t.Reshape(x[0], x[0].Shape[1], x[0].Shape[0])),
        _ => throw new ArgumentException($"unknown op {Op}"),
    };
}
