using Sure.Models.Training;
using Sure.Sim;

namespace Sure.Models.Tests;

public class TrainingLossTests
{
    [Fact]
    public void Js_mutual_information_matches_a_hand_computed_case()
    {
        // B = 2 graphs, one task each, H = 2. W b_0 = [1, 4], W b_1 = [0.5, -2], so
        // T = [[1, 0.5], [4, -2]] (row = h_g of graph b', column = f(G_b)); positives on the diagonal:
        // I = (-sp(-1) - sp(2)) / 2 - (sp(0.5) + sp(4)) / 2 = -3.716208305329556
        var tape = new Tape<double>();
        var hg = tape.Constant(Tensor<double>.FromArray([1, 0, 0, 1], 2, 2));
        var f = tape.Constant(Tensor<double>.FromArray([1, 2, 0.5, -1], 2, 2));
        var w = tape.Constant(Tensor<double>.FromArray([1, 0, 0, 2], 2, 2));
        var mi = Losses.JsMutualInformation(tape, hg, f, w, tasksPerGraph: 1);
        Assert.Equal(-3.716208305329556, mi.Value.Span[0], 1e-12);
    }

    [Fact]
    public void Js_mutual_information_pairs_tasks_with_their_own_graph()
    {
        // Two tasks per graph: rows 0, 1 belong to graph 0, rows 2, 3 to graph 1. Swapping the graphs' embeddings
        // must change the estimate (a wrong mask that counts every pair as positive would not).
        var tape = new Tape<double>();
        var hg = tape.Constant(Tensor<double>.FromArray([1, 0, 1, 0, 0, 1, 0, 1], 4, 2));
        var w = tape.Constant(Tensor<double>.FromArray([1, 0, 0, 1], 2, 2));
        double Estimate(double[] fValues) =>
            Losses.JsMutualInformation(tape, hg, tape.Constant(Tensor<double>.FromArray(fValues, 2, 2)), w, 2).Value.Span[0];
        static double Sp(double x) => Math.Log(1 + Math.Exp(x));
        // f_0 = [3, 0], f_1 = [0, 3]: positives score 3, negatives 0.
        Assert.Equal(-Sp(-3) - Sp(0), Estimate([3, 0, 0, 3]), 1e-12);
        Assert.Equal(-Sp(0) - Sp(3), Estimate([0, 3, 3, 0]), 1e-12);
    }

    [Fact]
    public void Js_mutual_information_of_one_graph_is_zero()
    {
        var tape = new Tape<double>();
        var hg = tape.Constant(Tensor<double>.FromArray([1, 2, 3, 4], 2, 2));
        var f = tape.Constant(Tensor<double>.FromArray([5, 6], 1, 2));
        var w = tape.Constant(Tensor<double>.FromArray([1, 0, 0, 1], 2, 2));
        Assert.Equal(0.0, Losses.JsMutualInformation(tape, hg, f, w, tasksPerGraph: 2).Value.Span[0]);
    }

    [Fact]
    public void Kl_matches_a_hand_computed_value_and_skips_masked_entries()
    {
        // mu = 0.5, sigma = 2: 0.5 (0.25 + 4 - 1 - ln 4) = 0.9318528194400547; the second entry is masked out.
        var tape = new Tape<double>();
        var mu = tape.Constant(Tensor<double>.FromArray([0.5, 7], 2, 1));
        var sigma = tape.Constant(Tensor<double>.FromArray([2, 9], 2, 1));
        var mask = Tensor<double>.FromArray([1, 0], 2, 1);
        Assert.Equal(0.9318528194400547, Losses.Kl(tape, mu, sigma, mask, 1).Value.Span[0], 1e-12);
    }

    [Fact]
    public void Returns_baseline_and_advantages_match_a_hand_computed_example()
    {
        // R = 2, 3 steps, gamma = 0.5. Rewards [1, 0, 2] and [0, 1, 0].
        // Returns [1.5, 1, 2] and [0.5, 1, 0]; baseline per step [1, 1, 1]; advantages [0.5, 0, 1, -0.5, 0, -1];
        // their std is sqrt(2.5 / 6), so normalised: +-0.5 / 0.6454972 = +-0.7745967, +-1.5491933.
        double[] rewards = [1, 0, 2, 0, 1, 0];
        var returns = new double[6];
        var advantages = new double[6];
        Losses.ReturnsToGo(rewards, 3, 0.5, returns);
        Assert.Equal([1.5, 1, 2, 0.5, 1, 0], returns);
        Losses.Advantages(returns, 3, advantages);
        double a = 0.5 / Math.Sqrt(2.5 / 6);
        double[] expected = [a, 0, 2 * a, -a, 0, -2 * a];
        for (int k = 0; k < 6; k++) Assert.Equal(expected[k], advantages[k], 1e-12);
    }

    [Fact]
    public void Task_advantages_are_per_task_returns_less_the_per_task_baseline()
    {
        // R = 2, 2 steps, 2 tasks, gamma = 0.5; shares [r, t, i]. Task 0: [1, 2] and [3, 0]; task 1: [0, 4] and [0, 0].
        // Returns task 0: [2, 2] and [3, 0]; task 1: [2, 4] and [0, 0]. Baselines (t, i): (0,0) 2.5, (1,0) 1, (0,1) 1,
        // (1,1) 2. Advantages [r, t, i]: r0: [-0.5, 1, 1, 2], r1: [0.5, -1, -1, -2]; mean 0, std sqrt(12.5 / 8).
        double[] shares = [1, 0, 2, 4, 3, 0, 0, 0];
        var returns = new double[8];
        var advantages = new double[8];
        Losses.TaskAdvantages(shares, 2, 2, 0.5, returns, advantages);
        Assert.Equal([2, 2, 2, 4, 3, 0, 0, 0], returns);
        double std = Math.Sqrt(12.5 / 8);
        double[] expected = [-0.5, 1, 1, 2, 0.5, -1, -1, -2];
        for (int k = 0; k < 8; k++) Assert.Equal(expected[k] / std, advantages[k], 1e-12);
    }

    [Fact]
    public void Task_advantages_of_one_task_are_the_job_advantages()
    {
        double[] rewards = [0.3, -0.1, 0.7, 0.2, 0.5, 0.0, -0.4, 0.9, 0.1];
        var returns = new double[9];
        var job = new double[9];
        var task = new double[9];
        Losses.ReturnsToGo(rewards, 3, 0.95, returns);
        Losses.Advantages(returns, 3, job);
        Losses.TaskAdvantages(rewards, 3, 1, 0.95, returns, task);
        for (int k = 0; k < 9; k++) Assert.Equal(job[k], task[k], 1e-12);
    }

    [Theory]
    [InlineData(0.0, 5, 5)]        // a = 2 sigmoid(0) = 1: unchanged
    [InlineData(-50.0, 5, 1)]      // a -> 0: clamped to 1
    [InlineData(50.0, 40, 64)]     // a -> 2: 80 clamped to 64
    public void Next_parallelism_rounds_and_clamps(double u, int p, int expected) =>
        Assert.Equal(expected, DecisionMath.Rescale(p, DecisionMath.Ratio(u), 64));

    [Fact]
    public void Next_parallelism_rounds_half_to_even()
    {
        // a = 2 sigmoid(u) = 1.25 when u = ln(1.25 / 0.75); 1.25 * 2 = 2.5 -> 2, 1.25 * 6 = 7.5 -> 8.
        double u = Math.Log(1.25 / 0.75);
        Assert.Equal(2, DecisionMath.Rescale(2, DecisionMath.Ratio(u), 64));
        Assert.Equal(8, DecisionMath.Rescale(6, DecisionMath.Ratio(u), 64));
    }
}
