using FsCheck;
using FsCheck.Fluent;
using Sure.Autodiff;
using Sure.Autodiff.Testing;
using Sure.Tensors;

namespace Sure.Autodiff.Tests;

public class OpGradientTests
{
    public static TheoryData<string> Ops => [.. OpCase.Names];

    // sizes 1..5 from the public generator: length 1 and odd lengths come up often
    static readonly Arbitrary<Dims> DimsArb =
        (from a in Generators.Dim(5)
         from b in Generators.Dim(5)
         from c in Generators.Dim(5)
         from d in Generators.Dim(5)
         from seed in Gen.Choose(0, 1_000_000)
         select new Dims(a, b, c, d, seed)).ToArbitrary();

    [Theory]
    [MemberData(nameof(Ops))]
    public void Tape_gradient_matches_finite_differences(string op)
    {
        var property = Prop.ForAll(DimsArb, (Dims d) =>
        {
            var c = OpCase.Create(op, d);
            GradCheck.Assert(c, c.Inputs(), new GradCheckOptions { Seed = d.Seed + 1, NoGrad = c.NoGrad });
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
            GradCheck.AssertFloatVsDouble(c, c.Inputs(), new GradCheckOptions { Seed = d.Seed });
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(20), property);
    }
}
