using System.Numerics;
using Sure.Autodiff;
using Sure.Tensors;

namespace Sure.Autodiff.Tests;

/// <summary>
/// The composite of tests/fixtures/FIXTURES.md on the tape: two GraphSAGE layers, a mean readout per graph
/// and the bilinear softplus Jensen-Shannon mutual-information estimate.
/// </summary>
public static class Composite
{
    public readonly record struct Outputs<T>(Var<T> H1, Var<T> H2, Var<T> Hg, Var<T> Scores, Var<T> I)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Input order used by RandomProblem and the gradient check.</summary>
    public static readonly string[] InputNames = ["x", "W0", "b0", "W1", "b1", "Wd", "f"];

    // x: [N, D]  graph: N rows, both directions of every undirected edge  seg: [B + 1] graph starts
    // w0: [2D, H]  b0: [H]  w1: [2H, H]  b1: [H]  wd: [H, H]  f: [B, H]
    public static Outputs<T> Build<T>(Tape<T> t, Var<T> x, Csr graph, ReadOnlyMemory<int> seg,
        Var<T> w0, Var<T> b0, Var<T> w1, Var<T> b1, Var<T> wd, Var<T> f)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var h1 = SageLayer(t, x, graph, w0, b0);
        var h2 = SageLayer(t, h1, graph, w1, b1);
        var hg = t.SegmentMean(h2, seg);
        var scores = t.Bilinear(hg, wd, f);
        return new Outputs<T>(h1, h2, hg, scores, JensenShannonMi(t, scores));
    }

    // h: [N, Hin]  w: [2 Hin, Hout]  b: [Hout]; returns relu([h ; mean of neighbours] @ w + b): [N, Hout]
    public static Var<T> SageLayer<T>(Tape<T> t, Var<T> h, Csr graph, Var<T> w, Var<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
        => t.Relu(t.AddBias(t.MatMul(t.Concat(h, t.CsrMean(h, graph)), w), b));

    // scores: [B, B], scores[a, b] = T(hg[a], f[b]); matched pairs on the diagonal
    // returns [1]: mean_b -softplus(-T[b,b]) - mean_{a != b} softplus(T[a,b]) (second term 0 when B = 1)
    public static Var<T> JensenShannonMi<T>(Tape<T> t, Var<T> scores) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var positive = t.Mean(t.Neg(t.Softplus(t.Neg(t.Diagonal(scores)))));
        var negative = t.Mean(t.Softplus(t.OffDiagonal(scores)));
        return positive - negative;
    }

    /// <summary>Random inputs in InputNames order; with isolatedNode the last node has no edge.</summary>
    public sealed record Problem(Shape[] Shapes, double[][] Values, Csr Graph, int[] Seg) : ITapeFunction
    {
        public Var<T> Loss<T>(Tape<T> t, Var<T>[] v) where T : unmanaged, IFloatingPointIeee754<T>
            => Build(t, v[0], Graph, Seg, v[1], v[2], v[3], v[4], v[5], v[6]).I;

        Var<T> ITapeFunction.Build<T>(Tape<T> t, Var<T>[] v) => Loss(t, v);

        public Tensor<double>[] Inputs() => [.. Shapes.Select((s, k) => new Tensor<double>(Values[k], 0, s))];
    }

    public static Problem RandomProblem(int n, int d, int h, int b, int edges, int seed, bool isolatedNode = false)
    {
        var rng = new Random(seed);
        Shape[] shapes = [new(n, d), new(2 * d, h), new(h), new(2 * h, h), new(h), new(h, h), new(b, h)];
        var values = new double[shapes.Length][];
        for (int k = 0; k < shapes.Length; k++)
        {
            // fan-in scaling keeps activations O(1) whatever the sizes
            double scale = shapes[k].Rank == 2 && k > 0 ? 1.0 / Math.Sqrt(shapes[k][0]) : 1.0;
            values[k] = new double[shapes[k].Length];
            for (int i = 0; i < values[k].Length; i++) values[k][i] = (2 * rng.NextDouble() - 1) * 1.7 * scale;
        }
        int reachable = isolatedNode ? n - 1 : n;
        var src = new int[edges];
        var dst = new int[edges];
        for (int e = 0; e < edges; e++)
        {
            src[e] = rng.Next(reachable);
            dst[e] = rng.Next(reachable);
        }
        var seg = new int[b + 1];
        for (int j = 0; j <= b; j++) seg[j] = j * n / b;
        return new Problem(shapes, values, Csr.FromEdges(n, src, dst, undirected: true), seg);
    }
}
