using Sure.Models;
using Sure.Sim;

namespace Sure.Models.Tests;

public class SureAutoscalerTests
{
    static readonly double[] Workload = WorkloadTrace.ClarkNet().Workload();

    // small-1: 6 tasks with a real DAG, so neighbour slots and padding both occur.
    static StreamEnvironment Environment() => new(JobCatalog.Load("small-1"), Workload, new SimOptions());

    static SureModel<float> Model(float headBias, bool zeroHeadWeight = false)
    {
        var model = SureModel<float>.Create(new SureConfig(), seed: 3);
        model.HeadBias.Value.Span.Fill(headBias);
        if (zeroHeadWeight) model.HeadWeight.Value.Span.Clear();
        return model;
    }

    // One span from p0, then one decision from `current`.
    static int[] DecideOnce(SureAutoscaler policy, StreamEnvironment env, int[] current)
    {
        var p = new int[env.TaskCount];
        policy.Initialize(env, p);
        env.Reset(600, p, seed: 1);
        env.Step(p);
        var next = (int[])current.Clone();
        policy.Decide(env, next);
        return next;
    }

    [Theory]
    [InlineData(5, 1.5, 8)]     // 7.5: halves go to even
    [InlineData(7, 1.5, 10)]    // 10.5
    [InlineData(3, 0.5, 2)]     // 1.5
    [InlineData(1, 0.5, 1)]     // 0.5 rounds to 0, clamped to 1
    [InlineData(40, 1.9, 64)]   // 76 clamped to p_max
    [InlineData(6, 1.0, 6)]
    public void Rescale_rounds_half_to_even_and_clamps(int p, double ratio, int expected) =>
        Assert.Equal(expected, DecisionMath.Rescale(p, ratio, 64));

    [Fact]
    public void Initial_parallelism_is_p0()
    {
        var env = Environment();
        var p = new int[env.TaskCount];
        new SureAutoscaler(Model(0), env, seed: 1).Initialize(env, p);
        Assert.All(p, v => Assert.Equal(4, v));
    }

    [Fact]
    public void A_known_action_mean_gives_the_hand_computed_parallelism()
    {
        // head.weight = 0 makes m_i = head.bias = ln 3 whatever the state: a = 2 sigmoid(ln 3) = 1.5.
        var env = Environment();
        var policy = new SureAutoscaler(Model(MathF.Log(3), zeroHeadWeight: true), env, seed: 1);
        var next = DecideOnce(policy, env, [2, 4, 6, 10, 50, 1]);
        Assert.Equal([3, 6, 9, 15, 64, 2], next);
    }

    [Fact]
    public void Large_positive_bias_doubles_every_task_and_large_negative_drops_to_one()
    {
        var env = Environment();
        var up = DecideOnce(new SureAutoscaler(Model(100), env, seed: 1), env, [4, 4, 4, 4, 4, 4]);
        Assert.All(up, v => Assert.Equal(8, v));
        var down = DecideOnce(new SureAutoscaler(Model(-100), env, seed: 1), env, [4, 4, 4, 4, 4, 4]);
        Assert.All(down, v => Assert.Equal(1, v));
    }

    [Fact]
    public void Decisions_stay_in_range_over_an_episode()
    {
        var env = Environment();
        var policy = new SureAutoscaler(Model(0), env, seed: 1);
        int decisions = 0;
        var p = new int[env.TaskCount];
        policy.Initialize(env, p);
        env.Reset(0, p, seed: 1);
        for (int span = 0; span < 12; span++)
        {
            env.Step(p);
            policy.Decide(env, p);
            decisions++;
            Assert.All(p, v => Assert.InRange(v, 1, 64));
        }
        Assert.Equal(12, decisions);
    }

    [Fact]
    public void The_same_seed_gives_the_same_decisions_and_another_seed_other_action_means()
    {
        var env = Environment();
        float[] Means(ulong seed)
        {
            var policy = new SureAutoscaler(Model(0), env, seed);
            Episode.Run(env, policy, start: 0, minutes: 180, seed: 1);   // three spans, two decisions
            return policy.LastActionMean.ToArray();
        }
        var first = Means(7);
        Assert.Equal(first, Means(7));
        Assert.NotEqual(first, Means(8));   // the sampler's noise reaches the action
    }

    [Fact]
    public void The_first_decision_is_the_forward_on_the_documented_state_and_noise()
    {
        var env = Environment();
        var model = Model(0);
        const ulong seed = 5;
        var policy = new SureAutoscaler(model, env, seed);
        DecideOnce(policy, env, [4, 4, 4, 4, 4, 4]);

        // S[i, l, 0] = task i, S[i, l, 1+s] = neighbour slot s (zeros in padding); x, y of decision 0 as DecisionNoise says.
        int n = env.TaskCount, L = env.SpanMinutes, K = env.Neighbours.Width, D = StreamEnvironment.SpecFeatureCount;
        var snapshots = env.Snapshots.ToArray();
        var s = Tensor<float>.Zeros(n, L, 1 + K, D);
        for (int i = 0; i < n; i++)
            for (int l = 0; l < L; l++)
                for (int slot = 0; slot <= K; slot++)
                {
                    int task = slot == 0 ? i : env.Neighbours.Slots[i * K + slot - 1];
                    if (task < 0) continue;
                    for (int f = 0; f < D; f++) s[((i * L + l) * (1 + K) + slot) * D + f] = snapshots[(l * n + task) * D + f];
                }
        var x = Tensor<float>.Zeros(n, L, 1 + K);
        var y = Tensor<float>.Zeros(n, L, 1 + K);
        DecisionNoise.Fill(seed, 0, n, L, K, x.Span, y.Span);
        var table = new NeighbourTable(n, K, env.Neighbours.Slots, env.Job.Edges);
        var expected = model.Forward(new Tape<float>(), new SureInput<float>(s, x, y, table), 10, 4, new SubgraphSampler());
        // The policy decides with SureDecider, whose sums run in another order than the tape's: float rounding only.
        var want = expected.ActionMean.Value.Span.ToArray();
        var got = policy.LastActionMean.ToArray();
        for (int i = 0; i < n; i++) Assert.True(Math.Abs(want[i] - got[i]) <= 1e-5 * (1 + Math.Abs(want[i])), $"task {i}: {got[i]} vs {want[i]}");
    }

    [Fact]
    public void A_model_for_other_neighbourhoods_is_refused()
    {
        var env = Environment();
        var model = SureModel<float>.Create(new SureConfig { KMax = 8 }, seed: 1);
        var e = Assert.Throws<SureFileException>(() => new SureAutoscaler(model, env, seed: 1));
        Assert.Contains("K_max", e.Message);
    }
}
