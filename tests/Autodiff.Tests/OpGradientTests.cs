using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using Sure.Autodiff;
using Sure.Tensors;

namespace Sure.Autodiff.Tests;

public class OpGradientTests
{
    public static TheoryData<string> Ops => [.. OpCase.Names];

    // sizes 1..5 cover length 1 and odd lengths
    static readonly Arbitrary<Dims> DimsArb =
        (from a in Gen.Choose(1, 5)
         from b in Gen.Choose(1, 5)
         from c in Gen.Choose(1, 5)
         from d in Gen.Choose(1, 5)
         from seed in Gen.Choose(0, 1_000_000)
         select new Dims(a, b, c, d, seed)).ToArbitrary();

    [Theory]
    [MemberData(nameof(Ops))]
    public void Tape_gradient_matches_finite_differences(string op)
    {
        var property = Prop.ForAll(DimsArb, (Dims d) =>
        {
            var c = OpCase.Create(op, d);
            GradCheck.Run(c.Shapes, c.Values, c.Build, d.Seed + 1, c.NoGrad, $"{op} {d}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), property);
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void Float_results_match_double_results(string op)
    {
        var property = Prop.ForAll(DimsArb, (Dims d) =>
        {
            var c = OpCase.Create(op, d);
            var (yd, gd) = Run<double>(c, d.Seed);
            var (yf, gf) = Run<float>(c, d.Seed);
            AssertClose(yd, yf, $"{op} {d} value");
            for (int k = 0; k < gd.Length; k++) AssertClose(gd[k], gf[k], $"{op} {d} grad {k}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(20), property);
    }

    static (double[] Y, double[][] Grads) Run<T>(OpCase c, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tape = new Tape<T>();
        var x = new Var<T>[c.Shapes.Length];
        for (int k = 0; k < x.Length; k++)
            x[k] = tape.Variable(new Tensor<T>(c.Values[k].Select(T.CreateChecked).ToArray(), 0, c.Shapes[k]));
        var y = c.Build(tape, x);
        var rng = new Random(seed);
        var dy = new T[y.Value.Length];
        for (int i = 0; i < dy.Length; i++) dy[i] = T.CreateChecked(rng.NextDouble() * 2 - 1);
        tape.Backward(y, dy);
        return (ToDouble(y.Value.Span), x.Select(v => ToDouble(v.Grad.Span)).ToArray());
    }

    static double[] ToDouble<T>(ReadOnlySpan<T> s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = new double[s.Length];
        for (int i = 0; i < s.Length; i++) r[i] = double.CreateChecked(s[i]);
        return r;
    }

    static void AssertClose(double[] expected, double[] actual, string label)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * (1 + Math.Abs(expected[i])),
                $"{label}[{i}]: double {expected[i]:R}, float {actual[i]:R}");
    }
}
