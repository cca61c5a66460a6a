namespace Sure.Models.Tests;

/// <summary>
/// Every parameter's gradient of sum(action_mean) against central finite differences, in double.
/// The straight-through gate 1 + q - stopgrad(q) has value 1 whatever q is, so the check holds stopgrad(q) at the
/// unperturbed point's q (the model's internal hook): the values then move with q exactly as the gradient claims.
/// Noise is fixed and the fixtures' selections have margins above 1e-3, so a step of 1e-6 never changes a choice.
/// </summary>
public class GradientCheckTests
{
    const double Step = 1e-6, Tol = 1e-6;

    [Theory]
    [InlineData("chain")]
    [InlineData("diamond")]
    [InlineData("padding")]
    [InlineData("few")]
    [InlineData("single")]
    public void Gradients_match_central_differences(string name)
    {
        var model = SureModel<double>.FromSafetensors(Fixtures.Model(name));
        var (input, k1, k2) = ForwardFiles.ReadInput<double>(Fixtures.Input(name), model.Config);

        var tape = new Tape<double>();
        var sampler = new SubgraphSampler();
        var baseRun = model.Forward(tape, input, k1, k2, sampler);
        var anchors = sampler.Anchors.ToArray();
        var neighbours = sampler.Neighbours.ToArray();
        var q = Tensor<double>.FromArray(baseRun.ChoiceProbability.Value.ToArray(), sampler.NodeCount, 1);
        model.Parameters.ZeroGrad();
        tape.Backward(tape.Sum(baseRun.ActionMean));

        int checkedNonZero = 0;
        foreach (var parameter in model.Parameters)
        {
            var values = parameter.Value.Span;
            for (int j = 0; j < values.Length; j++)
            {
                double original = values[j];
                values[j] = original + Step;
                double plus = SumOfActionMeans(model, input, k1, k2, q, anchors, neighbours);
                values[j] = original - Step;
                double minus = SumOfActionMeans(model, input, k1, k2, q, anchors, neighbours);
                values[j] = original;

                double numeric = (plus - minus) / (2 * Step), analytic = parameter.Grad.Span[j];
                Assert.True(Math.Abs(numeric - analytic) <= Tol * (1 + Math.Abs(numeric)),
                    $"{name} {parameter.Name}[{j}]: analytic {analytic:R}, finite difference {numeric:R}");
                if (Math.Abs(analytic) > 1e-8) checkedNonZero++;
            }
        }
        Assert.True(checkedNonZero > 10, "too few non-zero gradients to mean anything");
    }

    static double SumOfActionMeans(SureModel<double> model, SureInput<double> input, int k1, int k2, Tensor<double> q,
        int[] anchors, int[] neighbours)
    {
        var tape = new Tape<double>(inference: true);
        var sampler = new SubgraphSampler();
        var run = model.Forward(tape, input, k1, k2, sampler, q);
        Assert.Equal(anchors, sampler.Anchors.ToArray());
        Assert.Equal(neighbours, sampler.Neighbours.ToArray());
        double sum = 0;
        foreach (double m in run.ActionMean.Value.Span) sum += m;
        return sum;
    }

    [Fact]
    public void The_sampler_receives_a_gradient_through_the_gates()
    {
        // SPEC 10: the authors' code cast the mask to bool and cut this path.
        var model = SureModel<double>.FromSafetensors(Fixtures.Model("diamond"));
        var (input, k1, k2) = ForwardFiles.ReadInput<double>(Fixtures.Input("diamond"), model.Config);
        var tape = new Tape<double>();
        var run = model.Forward(tape, input, k1, k2, new SubgraphSampler());
        tape.Backward(tape.Sum(run.ActionMean));
        Assert.Contains(model.MuWeight.Grad.ToArray(), g => Math.Abs(g) > 1e-6);
        Assert.Contains(model.SigmaWeight.Grad.ToArray(), g => Math.Abs(g) > 1e-6);
        Assert.All(run.ChoiceProbability.Value.ToArray(), p => Assert.InRange(p, 0.0, 1.0));
    }
}
