using Sure.Models.Training;
using Sure.Sim;

namespace Sure.Models.Tests;

/// <summary>
/// The whole loss of SPEC 5 (policy term with the sampler's log-likelihood, JS-MI, KL) against central finite
/// differences in double, every element of every parameter. Noise is fixed (Philox streams); stopgrad(q) of the
/// straight-through gates is held at the unperturbed point, as in GradientCheckTests, and the selections are asserted
/// unchanged. A 3-task job (0 -> 1, 0 -> 2), L = 6, H = 4, k1 = 3, k2 = 1, three spans.
/// </summary>
public class TrainingGradientTests
{
    const double Step = 1e-6, Tol = 1e-6;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Whole_loss_gradient_matches_central_differences(bool uniformSampler)
    {
        var job = JobGraph.Create("tiny", [1, 2, 3], [[], [0], [0]]);
        var neighbours = new NeighbourIndex(job);
        int L = 6, D = StreamEnvironment.SpecFeatureCount, decisions = 3, n = job.TaskCount;
        var model = SureModel<double>.Create(new SureConfig { L = L, H = 4, E = 2, K1 = 3, K2 = 1 }, seed: 3);
        // Non-zero biases and log_std, so that every gradient path carries a value.
        foreach (var parameter in model.Parameters)
            if (parameter.Name.EndsWith(".bias", StringComparison.Ordinal) || parameter == model.HeadLogStd)
                for (int j = 0; j < parameter.Value.Length; j++)
                    parameter.Value.Span[j] = 0.3 * Philox.Normal<double>(9, 9, (ulong)j);
        var snapshots = new float[decisions * L * n * D];
        Philox.FillUniform(5, 0, 0, snapshots.AsSpan());
        var u = new float[decisions * n];
        Philox.FillNormal(5, 1, 0, u.AsSpan());
        double[] advantages = [1.0, -0.7, 0.4, 0.2, 0.9, -1.3, 0.6, -0.1, 0.3];   // [decisions, n]: each row its own
        var weights = new LossWeights(BetaG: 1, BetaMi: 0.5, BetaKl: 0.3, uniformSampler);
        var loss = new RolloutLoss<double>(job, neighbours, decisions, L, D);

        var tape = new Tape<double>();
        var baseLoss = loss.Build(tape, model, weights, 2, snapshots, u, advantages, seed: 7, firstDecision: 100, out var values);
        Assert.NotEqual(0, values.MutualInformation);
        if (!uniformSampler) Assert.NotEqual(0, values.Kl);
        var sampler = loss.LastOutput!.Value.Subgraphs;
        var anchors = sampler.Anchors.ToArray();
        var chosen = sampler.Neighbours.ToArray();
        var q = Tensor<double>.FromArray(loss.LastOutput.Value.ChoiceProbability.Value.ToArray(), sampler.NodeCount, 1);
        model.Parameters.ZeroGrad();
        tape.Backward(baseLoss);

        var probe = new Tape<double>();
        double Evaluate()
        {
            probe.Reset();
            var value = loss.Build(probe, model, weights, 2, snapshots, u, advantages, 7, 100, out _, q).Value.Span[0];
            Assert.Equal(anchors, sampler.Anchors.ToArray());
            Assert.Equal(chosen, sampler.Neighbours.ToArray());
            return value;
        }
        int nonZero = 0;
        foreach (var parameter in model.Parameters)
        {
            var valuesSpan = parameter.Value;
            for (int j = 0; j < valuesSpan.Length; j++)
            {
                double original = valuesSpan.Span[j];
                valuesSpan.Span[j] = original + Step;
                double plus = Evaluate();
                valuesSpan.Span[j] = original - Step;
                double minus = Evaluate();
                valuesSpan.Span[j] = original;
                double numeric = (plus - minus) / (2 * Step), analytic = parameter.Grad.Span[j];
                Assert.True(Math.Abs(numeric - analytic) <= Tol * (1 + Math.Abs(numeric)),
                    $"{parameter.Name}[{j}]: analytic {analytic}, numeric {numeric}");
                if (analytic != 0) nonZero++;
            }
            bool nvss = parameter.Name.StartsWith("nvss.", StringComparison.Ordinal);
            if (uniformSampler && nvss) Assert.All(parameter.Grad.ToArray(), g => Assert.Equal(0.0, g));
            else Assert.Contains(parameter.Grad.ToArray(), g => g != 0);
        }
        Assert.True(nonZero > 0);
    }
}
