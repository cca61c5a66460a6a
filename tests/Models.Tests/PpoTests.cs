using Sure.Models.Training;
using Sure.Sim;

namespace Sure.Models.Tests;

/// <summary>
/// PPO's clipped surrogate in <see cref="RolloutLoss{T}"/> against REINFORCE with hand-computed advantages. With every
/// row's old log-density shifted by the same c, every ratio is r = e^-c, and the clip rule (keep r A when r is inside the
/// range on A's side, else 0) turns the surrogate's gradient into REINFORCE's with advantages A' = r A or 0 per decision.
/// The 3-task job of TrainingGradientTests, in double, MI and KL off so the policy term is the whole loss.
/// </summary>
public class PpoTests
{
    const int L = 6, Decisions = 3;
    static readonly JobGraph Job = JobGraph.Create("tiny", [1, 2, 3], [[], [0], [0]]);
    static readonly double[] Advantages = PerRow([1.0, -0.7, 0.4]);

    // A decision's advantage for each of its rows ([Decisions] to [Decisions, n]).
    static double[] PerRow(double[] perDecision) => perDecision.SelectMany(a => Enumerable.Repeat(a, Job.TaskCount)).ToArray();

    static double[][] Gradient(SureModel<double> model, RolloutLoss<double> loss, float[] snapshots, float[] u, double[] advantages,
        double clip = 0.2, float[]? oldLogDensity = null, float[]? logDensity = null)
    {
        model.Parameters.ZeroGrad();
        var tape = new Tape<double>();
        var value = loss.Build(tape, model, new LossWeights(1, 0, 0, false), 2, snapshots, u, advantages, 7, 100, clip,
            oldLogDensity ?? [], logDensity ?? [], out _);
        tape.Backward(value);
        return model.Parameters.Select(p => p.Grad.ToArray()).ToArray();
    }

    [Theory]
    [InlineData(0.0, new[] { 1.0, -0.7, 0.4 })]                       // r = 1: REINFORCE
    [InlineData(1.0, new[] { 1.0, 0.0, 0.4 })]                        // r = e^-1: below 1 - clip, so A > 0 kept, A < 0 clipped
    [InlineData(-1.0, new[] { 0.0, -0.7, 0.0 })]                      // r = e: above 1 + clip, so A > 0 clipped, A < 0 kept
    [InlineData(-0.1, new[] { 1.0, -0.7, 0.4 })]                      // r = e^0.1 = 1.105: inside the range, all kept
    public void Clipped_surrogate_is_reinforce_with_ratio_scaled_or_zeroed_advantages(double shift, double[] kept)
    {
        int n = Job.TaskCount;
        var model = SureModel<double>.Create(new SureConfig { L = L, H = 4, E = 2, K1 = 3, K2 = 1 }, seed: 3);
        var loss = new RolloutLoss<double>(Job, new NeighbourIndex(Job), Decisions, L, StreamEnvironment.SpecFeatureCount);
        var snapshots = new float[Decisions * L * n * StreamEnvironment.SpecFeatureCount];
        Philox.FillUniform(5, 0, 0, snapshots.AsSpan());
        var u = new float[Decisions * n];
        Philox.FillNormal(5, 1, 0, u.AsSpan());

        var logDensity = new float[Decisions * n];
        var reinforce = Gradient(model, loss, snapshots, u, Advantages, logDensity: logDensity);
        Assert.All(logDensity, v => Assert.True(float.IsFinite(v) && v != 0));
        // ln N(u; m, s^2) recorded per row: check one against the formula.
        var mean = loss.LastOutput!.Value.ActionMean.Value.Span;
        double s = Math.Exp(model.HeadLogStd.Value.Span[0]), z = (u[4] - mean[4]) / s;
        Assert.Equal(-0.5 * z * z - Math.Log(s) - 0.5 * Math.Log(2 * Math.PI), logDensity[4], 1e-5);

        var old = logDensity.Select(v => (float)(v + shift)).ToArray();
        double r = Math.Exp(-shift);
        var expected = Gradient(model, loss, snapshots, u, PerRow(kept.Select(a => r * a).ToArray()));
        var ppo = Gradient(model, loss, snapshots, u, Advantages, 0.2, old);
        // Row ratios differ from r by the float rounding of the old density (about 1e-7 |ln N|), which cancellation in the
        // sums over rows can lift to a relative 1e-4 on a small element: the tolerance is relative to the largest one.
        double scale = expected.Max(g => g.Max(Math.Abs));
        int nonZero = 0;
        for (int p = 0; p < ppo.Length; p++)
            for (int j = 0; j < ppo[p].Length; j++)
            {
                Assert.True(Math.Abs(ppo[p][j] - expected[p][j]) <= 1e-5 * scale,
                    $"{model.Parameters[p].Name}[{j}]: ppo {ppo[p][j]}, expected {expected[p][j]}");
                if (expected[p][j] != 0) nonZero++;
            }
        Assert.True(nonZero > 10);
        if (shift == 0)   // and the expected gradient of r = 1 is REINFORCE's own
            for (int p = 0; p < ppo.Length; p++) Assert.Equal(reinforce[p], expected[p]);
    }
}
