using Sure.Tensors;

namespace Sure.Policy.Tests;

/// <summary>
/// The guardrails' invariants over a grid of policies (constant ratios from about 0 to 2), parallelism, step factors
/// and bounds: every decision lies within the bounds; within the step window too wherever the window meets the bounds;
/// a task's reason names the last guardrail that changed its value, and Policy means nothing changed it.
/// </summary>
public class GuardrailInvariantTests
{
    static readonly JobDag Pair = new(["a", "b"], [("a", "b")]);
    static readonly float[] Biases = [-10f, -1f, 0f, 0.5f, 1f, 10f];
    static readonly Lazy<PolicyWeights[]> Weights = new(() => Biases.Select(b =>
    {
        string path = TestModels.Constant(b);
        try { return PolicyWeights.Load(path); }
        finally { File.Delete(path); }
    }).ToArray());

    [Fact]
    public void Every_decision_respects_every_guardrail()
    {
        int cases = 0, stepLimited = 0, clamped = 0;
        for (int w = 0; w < Biases.Length; w++)
            foreach (int p in new[] { 1, 3, 4, 7, 20, 64 })
                foreach (double factor in new[] { 1.0, 1.5, 2.0, double.PositiveInfinity })
                    foreach (var (min, max) in new[] { (1, 64), (2, 10), (5, 5), (8, 40) })
                    {
                        var session = new PolicySession(Weights.Value[w], Pair, [p, p], new PolicyOptions { MaxStepFactor = factor, MinParallelism = min, MaxParallelism = max });
                        for (int m = 0; m < 60; m++) session.Observe([new(6000, 0.5, p, 1, 0), new(6000, 0.5, p, 1, 0)], m);
                        var decision = session.Decide();
                        for (int i = 0; i < 2; i++)
                        {
                            int raw = decision.Unguarded[i], next = decision.Parallelism[i];
                            // Independent of the session: SPEC 4.4's rule for this constant ratio.
                            Assert.Equal(DecisionMath.Rescale(p, DecisionMath.Ratio(Biases[w]), 64), raw);
                            Assert.InRange(next, min, max);
                            int low = (int)Math.Ceiling(p / factor), high = double.IsInfinity(factor) ? int.MaxValue : (int)Math.Floor(p * factor);
                            if (Math.Max(low, min) <= Math.Min(high, max)) Assert.InRange(next, low, high);
                            var expectedReason = Math.Clamp(Math.Clamp(raw, low, Math.Max(low, high)), min, max) != Math.Clamp(raw, low, Math.Max(low, high))
                                ? DecisionReason.Clamp
                                : Math.Clamp(raw, low, Math.Max(low, high)) != raw ? DecisionReason.StepLimit : DecisionReason.Policy;
                            Assert.Equal(expectedReason, decision.Reasons[i]);
                            if (expectedReason == DecisionReason.Policy) Assert.Equal(raw, next);
                            stepLimited += expectedReason == DecisionReason.StepLimit ? 1 : 0;
                            clamped += expectedReason == DecisionReason.Clamp ? 1 : 0;
                        }
                        cases++;
                    }
        Assert.Equal(6 * 6 * 4 * 4, cases);
        Assert.True(stepLimited > 0 && clamped > 0, $"the grid must exercise both guardrails ({stepLimited} step-limited, {clamped} clamped)");
    }
}
