using BenchmarkDotNet.Attributes;
using Sure.Autodiff;
using Sure.Tensors;

namespace Sure.Bench;

/// <summary>
/// One forward + backward of the FIXTURES.md composite (2-layer GraphSAGE, mean readout, bilinear softplus
/// JS-MI) in float. After the first pass the tape reuses its arena, so steady state should allocate 0 B.
/// </summary>
[MemoryDiagnoser]
public class CompositeBenchmarks
{
    const int N = 200, D = 8, H = 64, B = 8, Edges = 400;

    readonly ParameterSet<float> _parameters = new();
    readonly Tape<float> _tape = new();
    readonly Tape<float> _inference = new(inference: true);
    Tensor<float> _x;
    Csr _graph = null!;
    int[] _seg = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        float Uniform(float scale) => (float)(2 * rng.NextDouble() - 1) * scale;
        void Fill(Tensor<float> t, float scale)
        {
            for (int i = 0; i < t.Length; i++) t[i] = Uniform(scale);
        }
        _x = Tensor<float>.Zeros(N, D);
        Fill(_x, 1f);
        Fill(_parameters.Add("sage.0.weight", 2 * D, H).Value, 1f / MathF.Sqrt(2 * D));
        Fill(_parameters.Add("sage.0.bias", H).Value, 0.1f);
        Fill(_parameters.Add("sage.1.weight", 2 * H, H).Value, 1f / MathF.Sqrt(2 * H));
        Fill(_parameters.Add("sage.1.bias", H).Value, 0.1f);
        Fill(_parameters.Add("disc.weight", H, H).Value, 1f / MathF.Sqrt(H));
        Fill(_parameters.Add("f", B, H).Value, 1f);
        var src = new int[Edges];
        var dst = new int[Edges];
        for (int e = 0; e < Edges; e++)
        {
            src[e] = rng.Next(N);
            dst[e] = rng.Next(N);
        }
        _graph = Csr.FromEdges(N, src, dst, undirected: true);
        _seg = new int[B + 1];
        for (int j = 0; j <= B; j++) _seg[j] = j * N / B;
    }

    Var<float> MutualInformation(Tape<float> t)
    {
        var p = _parameters;
        var h = t.Constant(_x);
        h = Sage(t, h, t.Param(p["sage.0.weight"]), t.Param(p["sage.0.bias"]));
        h = Sage(t, h, t.Param(p["sage.1.weight"]), t.Param(p["sage.1.bias"]));
        var scores = t.Bilinear(t.SegmentMean(h, _seg), t.Param(p["disc.weight"]), t.Param(p["f"]));
        var positive = t.Mean(t.Neg(t.Softplus(t.Neg(t.Diagonal(scores)))));
        var negative = t.Mean(t.Softplus(t.OffDiagonal(scores)));
        return positive - negative;
    }

    Var<float> Sage(Tape<float> t, Var<float> h, Var<float> w, Var<float> b)
        => t.Relu(t.AddBias(t.MatMul(t.Concat(h, t.CsrMean(h, _graph)), w), b));

    [Benchmark]
    public float ForwardBackward()
    {
        _tape.Reset();
        _parameters.ZeroGrad();
        var mi = MutualInformation(_tape);
        _tape.Backward(mi);
        return mi.Item;
    }

    [Benchmark]
    public float ForwardInference()
    {
        _inference.Reset();
        return MutualInformation(_inference).Item;
    }
}
