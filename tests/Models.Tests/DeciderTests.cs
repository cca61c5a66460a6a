using Sure.Tests;

namespace Sure.Models.Tests;

public class DeciderTests
{
    // Float reference (tape) vs float decider: same choices; the action means differ only by summation order
    // (layer e >= 1 product first, the mean after; readout fused). Observed at most 1.8e-7 (n = 6 to 300, 20 decisions).
    const float MeanTolerance = 1e-5f;

    public static TheoryData<string> Jobs => ["chain", "diamond", "single", "few", "short", "real46", "forecast", "narrow"];

    static (SureConfig Config, NeighbourTable Job) MakeJob(string name)
    {
        var defaults = new SureConfig();
        return name switch
        {
            "chain" => (defaults with { H = 16 }, DecisionJob.Table(5, [0, 1, 1, 2, 2, 3, 3, 4])),
            "diamond" => (defaults with { H = 12, L = 20, K2 = 3 }, DecisionJob.Table(6, [0, 1, 0, 2, 1, 3, 2, 3, 3, 5, 4, 5])),
            "single" => (defaults with { H = 8, L = 12 }, DecisionJob.Table(1, [])),
            // Two tasks: K_i = 1 < k2 = 4.
            "few" => (defaults with { H = 8 }, DecisionJob.Table(2, [0, 1])),
            // L < k1: every snapshot is an anchor, the rest -1.
            "short" => (defaults with { H = 8, L = 6, E = 1 }, DecisionJob.Table(4, [0, 1, 0, 2, 0, 3])),
            "real46" => (defaults, RealJob("j_4141453")),
            // The scalar fallbacks: D = 11 (the forecast features) is not one Vector256 of snapshot values, and H = 20
            // with D = 5 is not a whole number of vectors anywhere (diamond's H = 12 covers the aggregation alone).
            "forecast" => (defaults with { H = 16, D = 11 }, DecisionJob.Table(6, [0, 1, 0, 2, 1, 3, 2, 3, 3, 5, 4, 5])),
            "narrow" => (defaults with { H = 20, D = 5, E = 3 }, DecisionJob.Table(5, [0, 1, 1, 2, 2, 3, 3, 4])),
            _ => throw new ArgumentException(name),
        };
    }

    static NeighbourTable RealJob(string name)
    {
        var job = Sure.Sim.JobCatalog.Load(name);
        Assert.Equal(46, job.TaskCount);
        return DecisionJob.Table(job);
    }

    static float[] RandomRing(int L, int n, int D, int seed)
    {
        var rng = new Random(seed);
        var ring = new float[L * n * D];
        for (int i = 0; i < ring.Length; i++) ring[i] = (float)rng.NextDouble();
        return ring;
    }

    // [L, n, D] physical ring -> the same snapshots with the oldest at physical row 0.
    static float[] Linearise(float[] ring, int oldest, int L, int rowLength)
    {
        var linear = new float[ring.Length];
        for (int t = 0; t < L; t++) ring.AsSpan((oldest + t) % L * rowLength, rowLength).CopyTo(linear.AsSpan(t * rowLength));
        return linear;
    }

    // S [n, L, 1+K, D] from the ring, padding zero; the reference path only.
    static SureInput<float> ReferenceInput(float[] ring, int oldest, NeighbourTable job, int L, int D, ulong seed, ulong decision)
    {
        int n = job.Tasks, K = job.K, slots = 1 + K;
        var s = new float[n * L * slots * D];
        for (int i = 0; i < n; i++)
            for (int l = 0; l < L; l++)
                for (int slot = 0; slot < slots; slot++)
                {
                    int task = slot == 0 ? i : job.Slots[i * K + slot - 1];
                    if (task < 0) continue;
                    ring.AsSpan(((oldest + l) % L * n + task) * D, D).CopyTo(s.AsSpan(((i * L + l) * slots + slot) * D, D));
                }
        var x = new float[n * L * slots];
        var y = new float[n * L * slots];
        DecisionNoise.Fill(seed, decision, n, L, K, x, y);
        return new SureInput<float>(Tensor<float>.FromArray(s, n, L, slots, D), Tensor<float>.FromArray(x, n, L, slots),
            Tensor<float>.FromArray(y, n, L, slots), job);
    }

    [Theory]
    [MemberData(nameof(Jobs))]
    public void Decisions_match_the_tape_forward(string name)
    {
        var (config, job) = MakeJob(name);
        var model = SureModel<float>.Create(config, seed: 11);
        var decider = new SureDecider(model.DecisionWeights, job);
        int n = job.Tasks, oldest = config.L / 3;
        var ring = RandomRing(config.L, n, config.D, seed: 5);
        var p = new int[n];
        var newP = new int[n];
        for (int i = 0; i < n; i++) p[i] = 1 + i % config.PMax;

        for (ulong decision = 0; decision < 3; decision++)
        {
            decider.Decide(ring, oldest, p, seed: 42, decision, newP);
            var sampler = new SubgraphSampler();
            var reference = model.Forward(new Tape<float>(inference: true), ReferenceInput(ring, oldest, job, config.L, config.D, 42, decision),
                config.K1, config.K2, sampler);

            Assert.Equal(sampler.Anchors.ToArray(), decider.Anchors.ToArray());
            Assert.Equal(sampler.Neighbours.ToArray(), decider.Neighbours.ToArray());
            var expected = reference.ActionMean.Value.ToArray();
            for (int i = 0; i < n; i++)
                Assert.True(Math.Abs(expected[i] - decider.ActionMeans[i]) <= MeanTolerance * (1 + Math.Abs(expected[i])),
                    $"task {i}: m = {decider.ActionMeans[i]:R}, tape {expected[i]:R}");
            for (int i = 0; i < n; i++)
            {
                Assert.InRange(newP[i], 1, config.PMax);
                // The reference's m gives the same new parallelism unless a * p sits on a rounding boundary.
                float scaled = 2f / (1f + MathF.Exp(-expected[i])) * p[i];
                if (Math.Abs(scaled - MathF.Floor(scaled) - 0.5f) > 1e-3f)
                    Assert.Equal(DecisionMath.Rescale(p[i], DecisionMath.Ratio(expected[i]), config.PMax), newP[i]);
            }
        }
    }

    [Fact]
    public void Neighbours_are_valid_slots_and_anchors_differ_between_decisions()
    {
        var (config, job) = MakeJob("real46");
        var decider = new SureDecider(SureModel<float>.Create(config, seed: 2).DecisionWeights, job);
        var ring = RandomRing(config.L, job.Tasks, config.D, seed: 9);
        var p = new int[job.Tasks];
        var newP = new int[job.Tasks];
        Array.Fill(p, 8);
        decider.Decide(ring, 0, p, 1, 0, newP);
        var first = decider.Anchors.ToArray();
        for (int i = 0; i < job.Tasks; i++)
            for (int j = 0; j < config.K1; j++)
            {
                var slots = decider.Neighbours.Slice((i * config.K1 + j) * config.K2, config.K2).ToArray();
                int chosen = slots.Count(s => s >= 0);
                Assert.Equal(Math.Min(config.K2, job.Valid[i]), chosen);
                Assert.All(slots.Take(chosen), s => Assert.InRange(s, 0, job.Valid[i] - 1));
            }
        decider.Decide(ring, 0, p, 1, 1, newP);
        Assert.NotEqual(first, decider.Anchors.ToArray());   // a new decision index draws new noise
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(59)]
    public void Ring_head_offset_gives_the_linearised_result(int oldest)
    {
        var (config, job) = MakeJob("real46");
        var model = SureModel<float>.Create(config, seed: 4);
        int n = job.Tasks, rowLength = n * config.D;
        var ring = RandomRing(config.L, n, config.D, seed: 3);
        var linear = Linearise(ring, oldest, config.L, rowLength);
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = 1 + 3 * i % 64;
        var fromRing = new int[n];
        var fromLinear = new int[n];

        var a = new SureDecider(model.DecisionWeights, job);
        var b = new SureDecider(model.DecisionWeights, job);
        a.Decide(ring, oldest, p, 7, 3, fromRing);
        b.Decide(linear, 0, p, 7, 3, fromLinear);
        Assert.Equal(b.Anchors.ToArray(), a.Anchors.ToArray());
        Assert.Equal(b.Neighbours.ToArray(), a.Neighbours.ToArray());
        Assert.Equal(b.ActionMeans.ToArray(), a.ActionMeans.ToArray());
        Assert.Equal(fromLinear, fromRing);
        // And reading the ring at the wrong head really is different.
        a.Decide(ring, 0, p, 7, 3, fromRing);
        Assert.NotEqual(b.ActionMeans.ToArray(), a.ActionMeans.ToArray());
    }

    [Fact]
    public void Steady_state_decisions_allocate_nothing()
    {
        var (config, job) = MakeJob("real46");
        var decider = new SureDecider(SureModel<float>.Create(config, seed: 1).DecisionWeights, job);
        var ring = RandomRing(config.L, job.Tasks, config.D, seed: 1);
        var p = new int[job.Tasks];
        var newP = new int[job.Tasks];
        Array.Fill(p, 4);
        ulong decision = 0;
        Assert.Equal(0, Allocations.SteadyState(() => decider.Decide(ring, 5, p, 3, decision++, newP)));
    }

    [Theory]
    [InlineData(1.25f, 2, 2)]     // 2.5 -> 2 (half to even)
    [InlineData(1.25f, 6, 8)]     // 7.5 -> 8
    [InlineData(0.75f, 2, 2)]     // 1.5 -> 2
    [InlineData(1.75f, 2, 4)]     // 3.5 -> 4
    [InlineData(0.25f, 2, 1)]     // 0.5 -> 0 -> clamped to 1
    [InlineData(0.01f, 10, 1)]
    [InlineData(1.5f, 63, 64)]    // 94.5 -> clamped to p_max
    [InlineData(1.1f, 10, 11)]
    public void Rounding_is_half_to_even_and_clamped(float ratio, int p, int expected) =>
        Assert.Equal(expected, DecisionMath.Rescale(p, ratio, 64));

    [Fact]
    public void Zero_action_mean_keeps_parallelism_within_bounds()
    {
        var (config, job) = MakeJob("diamond");
        var model = SureModel<float>.Create(config, seed: 1);
        model.HeadWeight.Value.Span.Clear();
        model.HeadBias.Value.Span[0] = 0f;   // m = 0: ratio 2 sigmoid(0) = 1 exactly
        var decider = new SureDecider(model.DecisionWeights, job);
        int[] p = [1, 7, 64, 100, 0, 33];
        var newP = new int[6];
        decider.Decide(RandomRing(config.L, 6, config.D, 2), 0, p, 1, 0, newP);
        Assert.Equal(new[] { 1, 7, 64, 64, 1, 33 }, newP);
    }

    [Fact]
    public void Noise_positions_follow_the_documented_mapping()
    {
        // n = 3, L = 4, K = 2: slot 0 block first, then the neighbour block.
        Assert.Equal(0UL, DecisionNoise.Position(3, 4, 2, 0, 0, 0));
        Assert.Equal(7UL, DecisionNoise.Position(3, 4, 2, 1, 3, 0));
        Assert.Equal(12UL, DecisionNoise.Position(3, 4, 2, 0, 0, 1));
        Assert.Equal(12UL + (2 * 4 + 1) * 2 + 1, DecisionNoise.Position(3, 4, 2, 2, 1, 2));
        var x = new float[3 * 4 * 3];
        var y = new float[3 * 4 * 3];
        DecisionNoise.Fill(5, 9, 3, 4, 2, x, y);
        // Position 7 is odd: r cos(t - pi/2), Philox.Normal's r sin t to within float rounding of the angle.
        float normal = Philox.Normal<float>(5, 18, 7);
        Assert.True(Math.Abs(normal - x[(1 * 4 + 3) * 3]) <= 2e-6f * (1 + Math.Abs(normal)), $"{x[(1 * 4 + 3) * 3]:R} vs {normal:R}");
        Assert.Equal(Philox.Normal<float>(5, 18, 6), x[(1 * 4 + 2) * 3]);
        Assert.Equal(Philox.Gumbel<float>(5, 19, 12 + 19), y[(2 * 4 + 1) * 3 + 2]);
    }
}
