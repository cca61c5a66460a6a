namespace Sure.Models.Tests;

/// <summary>The tape forward against the independent PyTorch reference, in double (tight) and float (loose).</summary>
public class ForwardFixtureTests
{
    // Double runs the reference's maths on the same float32-exact inputs: only summation order differs.
    const double DoubleTol = 1e-10;
    // Float: values are O(1) after sigmoid/softplus/relu; gradients are compared relative to their largest entry.
    // Observed errors are below 2e-6 and 2e-5: the tolerances leave a factor of 5.
    const double FloatValueTol = 1e-5, FloatGradTol = 1e-4;

    [Theory]
    [MemberData(nameof(Fixtures.All), MemberType = typeof(Fixtures))]
    public void Double_forward_and_gradients_match_the_reference(string name) => Check<double>(name, DoubleTol, DoubleTol);

    [Theory]
    [MemberData(nameof(Fixtures.All), MemberType = typeof(Fixtures))]
    public void Float_forward_and_gradients_match_the_reference(string name) => Check<float>(name, FloatValueTol, FloatGradTol);

    [Fact]
    public void One_tape_and_sampler_serve_batches_of_changing_sizes()
    {
        // Buffers grow and are reused: a smaller batch after a larger one must not see stale entries.
        var tape = new Tape<double>();
        var sampler = new SubgraphSampler();
        foreach (var name in new[] { "full", "single", "padding", "short", "full", "few" })
        {
            tape.Reset();
            var model = SureModel<double>.FromSafetensors(Fixtures.Model(name));
            var (input, k1, k2) = ForwardFiles.ReadInput<double>(Fixtures.Input(name), model.Config);
            var expected = Fixtures.Expected(name);
            var result = model.Forward(tape, input, k1, k2, sampler);
            tape.Backward(tape.Sum(result.ActionMean));
            Assert.Equal(expected.GetInt32("anchors").Values, sampler.Anchors.ToArray());
            Assert.Equal(expected.GetInt32("neighbors").Values, sampler.Neighbours.ToArray());
            Fixtures.AssertClose(expected.GetDouble("action_mean").Values, result.ActionMean.Value.Span, DoubleTol, DoubleTol, name);
            Fixtures.AssertClose(expected.GetDouble("grad.nvss.mu.weight").Values, model.MuWeight.Grad.Span, DoubleTol, DoubleTol, name);
        }
    }

    static void Check<T>(string name, double valueTol, double gradTol) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var model = SureModel<T>.FromSafetensors(Fixtures.Model(name));
        var (input, k1, k2) = ForwardFiles.ReadInput<T>(Fixtures.Input(name), model.Config);
        var expected = Fixtures.Expected(name);

        var tape = new Tape<T>();
        var result = model.Forward(tape, input, k1, k2, new SubgraphSampler());
        model.Parameters.ZeroGrad();
        tape.Backward(tape.Sum(result.ActionMean));

        Assert.Equal(expected.GetInt32("anchors").Values, result.Subgraphs.Anchors.ToArray());
        Assert.Equal(expected.GetInt32("neighbors").Values, result.Subgraphs.Neighbours.ToArray());
        Fixtures.AssertClose(expected.GetDouble("mu").Values, result.Mu.Value.Span, valueTol, valueTol, $"{name} mu");
        Fixtures.AssertClose(expected.GetDouble("sigma").Values, result.Sigma.Value.Span, valueTol, valueTol, $"{name} sigma");
        AssertOmega(expected.GetDouble("omega").Values, result.Omega.Value.Span, valueTol, name);
        Fixtures.AssertClose(expected.GetDouble("h_g").Values, result.Hg.Value.Span, valueTol, valueTol, $"{name} h_g");
        Fixtures.AssertClose(expected.GetDouble("action_mean").Values, result.ActionMean.Value.Span, valueTol, valueTol, $"{name} action_mean");
        foreach (var parameter in model.Parameters)
        {
            var reference = expected.GetDouble("grad." + parameter.Name).Values;
            double scale = Math.Max(Fixtures.MaxAbs(reference), 1e-3);
            Fixtures.AssertClose(reference, parameter.Grad.Span, gradTol * scale, gradTol, $"{name} grad.{parameter.Name}");
        }
    }

    // The fixture marks padding slots -1e30; the tape keeps their computed value (never chosen), so compare the rest.
    static void AssertOmega<T>(double[] expected, ReadOnlySpan<T> actual, double tol, string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (expected[i] > -1e29)
            {
                double a = double.CreateChecked(actual[i]);
                Assert.True(Math.Abs(a - expected[i]) <= tol * (1 + Math.Abs(expected[i])), $"{name} omega[{i}]: {a:R}, expected {expected[i]:R}");
            }
    }
}
