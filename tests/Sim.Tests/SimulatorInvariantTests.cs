using Sure.Tests;
using FsCheck;
using FsCheck.Fluent;
using Sure.Sim;

namespace Sure.Sim.Tests;

public class SimulatorInvariantTests
{
    public sealed record Scenario(int Tasks, int Seed, double Sigma, int SpanMinutes, int Spans, int Start);

    static readonly Arbitrary<Scenario> Scenarios = Arb.From(
        from tasks in Gen.Choose(1, 25)
        from seed in Gen.Choose(0, int.MaxValue)
        from sigma in Gen.Elements(0.0, 0.05, 0.3)
        from spanMinutes in Gen.Choose(1, 12)
        from spans in Gen.Choose(1, 6)
        from start in Gen.Choose(0, 5)
        select new Scenario(tasks, seed, sigma, spanMinutes, spans, start));

    /// <summary>A bursty workload with idle minutes, and a parallelism sequence that sometimes repeats.</summary>
    static (StreamEnvironment Env, int[][] Plan) Build(Scenario s)
    {
        var rng = new SplitMix64((ulong)s.Seed);
        var job = RandomDag.Generate(s.Tasks, rng.Next());
        var workload = new double[s.Start + s.Spans * s.SpanMinutes];
        for (int t = 0; t < workload.Length; t++)
        {
            double roll = rng.NextDouble();
            workload[t] = roll < 0.15 ? 0 : roll < 0.25 ? 20000 * rng.NextDouble() : 2000 * rng.NextDouble();
        }
        workload[0] += 1;                                            // a positive mean
        var plan = new int[s.Spans + 1][];
        plan[0] = Enumerable.Range(0, s.Tasks).Select(_ => 1 + rng.NextInt(64)).ToArray();
        for (int k = 1; k <= s.Spans; k++)
            plan[k] = rng.NextDouble() < 0.4 ? plan[k - 1] : plan[k - 1].Select(p => rng.NextDouble() < 0.5 ? p : 1 + rng.NextInt(64)).ToArray();
        var env = new StreamEnvironment(job, workload, new SimOptions { NoiseSigma = s.Sigma, SpanMinutes = s.SpanMinutes });
        return (env, plan);
    }

    static void Check(Action<Scenario> property) =>
        Prop.ForAll(Scenarios, property).Check(Config.QuickThrowOnFailure.WithMaxTest(150));

    [Fact]
    public void No_record_is_created_or_lost()
    {
        Check(s =>
        {
            var (env, plan) = Build(s);
            env.Reset(s.Start, plan[0], (ulong)s.Seed);
            for (int k = 1; k <= s.Spans; k++)
            {
                env.Step(plan[k]);
                for (int i = 0; i < env.TaskCount; i++)
                {
                    double input = env.CumulativeInput[i];
                    double accounted = env.CumulativeProcessed[i] + env.Backlog[i];
                    Assert.True(Math.Abs(input - accounted) <= 1e-9 * Math.Max(1, input), $"task {i}: {input} != {accounted}");
                    Assert.True(env.Backlog[i] >= 0);
                }
            }
        });
    }

    [Fact]
    public void Utilisation_is_a_fraction_and_latency_is_at_least_zero_load()
    {
        Check(s =>
        {
            var (env, plan) = Build(s);
            env.Reset(s.Start, plan[0], (ulong)s.Seed);
            for (int k = 1; k <= s.Spans; k++)
            {
                var result = env.Step(plan[k]);
                var span = env.LastSpan;
                for (int c = 0; c < span.Minutes * span.TaskCount; c++)
                    Assert.InRange(span.Utilization[c], 0.0, 1.0);
                for (int m = 0; m < span.Minutes; m++)
                {
                    Assert.InRange(span.JobUtilization[m], 0.0, 1.0);
                    Assert.True(span.JobLatency[m] >= env.ZeroLoadLatency * (1 - 1e-12));
                }
                Assert.InRange(result.MeanUtilization, 0.0, 1.0);
                Assert.InRange(result.Reward, -0.5, 0.5);
            }
        });
    }

    [Fact]
    public void A_change_of_parallelism_costs_exactly_one_restart_minute()
    {
        Check(s =>
        {
            var (env, plan) = Build(s);
            env.Reset(s.Start, plan[0], (ulong)s.Seed);
            int restartMinutes = 0, changes = 0;
            for (int k = 1; k <= s.Spans; k++)
            {
                bool changed = !plan[k].AsSpan().SequenceEqual(plan[k - 1]);
                var result = env.Step(plan[k]);
                Assert.Equal(changed, result.Rescaled);
                if (changed) changes++;
                var span = env.LastSpan;
                var eps = new double[env.TaskCount];
                var noise = new LogNormalNoise(s.Sigma);
                for (int m = 0; m < span.Minutes; m++)
                {
                    double expected = changed && m == 0 ? 0.5 : 1.0;
                    Assert.Equal(expected, span.RestartFactor[m]);
                    if (span.RestartFactor[m] != 1) restartMinutes++;
                    // Capacity is exactly p mu eps r: the restart halves one minute's capacity and nothing else.
                    noise.Fill((ulong)s.Seed, span.StartMinute + m, eps);
                    for (int i = 0; i < env.TaskCount; i++)
                        Assert.Equal(plan[k][i] * env.ServiceRate[i] * eps[i] * expected, span.At(span.Capacity, m, i), 1e-12 * span.At(span.Capacity, m, i));
                }
            }
            Assert.Equal(changes, restartMinutes);
            Assert.Equal(changes, env.Rescales);
        });
    }

    [Fact]
    public void The_same_seed_gives_the_same_run()
    {
        Check(s =>
        {
            var (a, plan) = Build(s);
            var (b, _) = Build(s);
            a.Reset(s.Start, plan[0], (ulong)s.Seed);
            b.Reset(s.Start, plan[0], (ulong)s.Seed);
            for (int k = 1; k <= s.Spans; k++)
            {
                Assert.Equal(a.Step(plan[k]), b.Step(plan[k]));
                Assert.True(a.Snapshots.SequenceEqual(b.Snapshots));
                Assert.Equal(a.LastSpan.Capacity, b.LastSpan.Capacity);
            }
        });
    }

    [Fact]
    public void Noise_is_lognormal_with_the_requested_sigma()
    {
        var eps = new double[1000];
        double sum = 0, sumSq = 0;
        int count = 0;
        var noise = new LogNormalNoise(0.05);
        for (int t = 0; t < 100; t++)
        {
            noise.Fill(42, t, eps);
            foreach (double e in eps)
            {
                double z = Math.Log(e);
                sum += z;
                sumSq += z * z;
                count++;
            }
        }
        double mean = sum / count, std = Math.Sqrt(sumSq / count - mean * mean);
        Assert.InRange(mean, -0.002, 0.002);                 // 5 sigma / sqrt(1e5) = 0.0008
        Assert.InRange(std, 0.049, 0.051);
        new LogNormalNoise(0).Fill(42, 0, eps);
        Assert.All(eps, e => Assert.Equal(1.0, e));
    }

    [Fact]
    public void Noise_tails_and_quantiles_are_right()
    {
        // Exact quantiles; the approximation is good to 1.3e-5.
        Assert.Equal(1.959963985, LogNormalNoise.InverseNormal(0.975), 4);
        Assert.Equal(1.0, LogNormalNoise.InverseNormal(0.8413447460685429), 4);
        Assert.Equal(-3.090232306, LogNormalNoise.InverseNormal(0.001), 4);
        Assert.Equal(3.090232306, LogNormalNoise.InverseNormal(0.999), 4);
        Assert.Equal(-5.199337582, LogNormalNoise.InverseNormal(1e-7), 4);
        // Fraction of |z| > 3 over 10^6 draws: 2 (1 - Phi(3)) = 0.0027 (binomial sd 0.00005).
        var noise = new LogNormalNoise(1);
        var eps = new double[1000];
        int beyond = 0;
        for (int t = 0; t < 1000; t++)
        {
            noise.Fill(7, t, eps);
            foreach (double e in eps) if (Math.Abs(Math.Log(e)) > 3) beyond++;
        }
        Assert.InRange(beyond / 1e6, 0.0025, 0.0029);
    }

    [Fact]
    public void A_shortened_span_moves_the_oldest_snapshot()
    {
        // L = 4: a whole span leaves the head at slot 0; two more minutes put minutes 2..5 of the
        // episode in slots 2, 3, 0, 1, so the oldest is slot 2.
        var env = new StreamEnvironment(JobGraph.Create("one", [1], [[]]), [100, 200, 300, 400, 500, 600],
            new SimOptions { NoiseSigma = 0, SpanMinutes = 4 });
        env.Reset(0, [4], 1);
        env.Step([4]);
        Assert.Equal(0, env.OldestSnapshot);
        env.Step([4], 2);
        Assert.Equal(2, env.OldestSnapshot);
        float Received(int slot) => env.Snapshots[slot * 8];
        Assert.Equal(MathF.Log(1 + 300f), Received(2), 5);
        Assert.Equal(MathF.Log(1 + 500f), Received(0), 5);
        Assert.Equal(MathF.Log(1 + 600f), Received(1), 5);
        var ordered = new float[4 * 8];
        env.CopySnapshotsOldestFirst(ordered);
        for (int k = 0; k < 4; k++) Assert.Equal(Math.Log(301 + 100 * k), ordered[k * 8], 5);
    }

    [Fact]
    public void Stepping_allocates_nothing()
    {
        var env = new StreamEnvironment(JobCatalog.Load("large-2"), WorkloadTrace.ClarkNet().Workload());
        var p = new int[env.TaskCount];
        Array.Fill(p, 4);
        env.Reset(0, p, 1);
        env.Step(p);
        p[3] = 9;
        int k = 0;
        Assert.Equal(0, Allocations.SteadyState(() =>
        {
            p[3] = 5 + k++ % 10;   // a change every span: the restart path runs too
            env.Step(p);
        }));
    }

    [Fact]
    public void A_ten_thousand_task_dag_simulates()
    {
        var job = RandomDag.Generate(10_000, 3);
        Assert.Equal(10_000, job.TaskCount);
        var env = new StreamEnvironment(job, Enumerable.Repeat(1000.0, 120).ToArray());
        Assert.InRange(env.Neighbours.Width, 1, 32);
        var p = new int[job.TaskCount];
        Array.Fill(p, 4);
        env.Reset(0, p, 5);
        var result = env.Step(p);
        Assert.True(double.IsFinite(result.Reward));
        Assert.Equal(60, env.SnapshotCount);
    }

    [Fact]
    public void Reward_shares_add_up_to_the_span_reward()
    {
        Check(s =>
        {
            var (env, plan) = Build(s);
            env.Reset(s.Start, plan[0], (ulong)s.Seed);
            var shares = new double[env.TaskCount];
            for (int k = 1; k <= s.Spans; k++)
            {
                double reward = env.Step(plan[k]).Reward;
                env.RewardShares(shares);
                Assert.True(Math.Abs(shares.Sum() - reward) <= 1e-9, $"span {k}: shares add up to {shares.Sum()}, reward {reward}");
            }
        });
    }

    [Fact]
    public void A_task_off_the_critical_path_is_credited_its_utilisation_only()
    {
        // A fork: the source feeds a (ample capacity) and b (one instance, overloaded), so b is on the critical path in
        // every minute and a in none; a's share is its part of the job utilisation, recomputed here from the span record.
        var job = JobGraph.Create("fork", [1, 1, 1], [[], [0], [0]]);
        var workload = Enumerable.Repeat(5000.0, 120).ToArray();
        var env = new StreamEnvironment(job, workload, new SimOptions { NoiseSigma = 0, SpanMinutes = 30 });
        env.Reset(0, [8, 64, 1], 1);
        double reward = env.Step([8, 64, 1]).Reward;
        var shares = new double[3];
        env.RewardShares(shares);
        var span = env.LastSpan;
        double expected = 0;
        for (int m = 0; m < span.Minutes; m++) expected += 0.5 * span.Utilization[m * 3 + 1] * 64 / 73 / span.Minutes;
        Assert.Equal(expected, shares[1], 1e-12);
        Assert.True(shares[2] < 0, $"the overloaded task's share {shares[2]} carries the latency penalty");
        Assert.Equal(reward, shares.Sum(), 1e-12);
    }
}
