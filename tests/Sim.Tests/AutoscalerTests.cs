using Sure.Tests;
using Sure.Sim;
using Sure.Sim.Autoscalers;

namespace Sure.Sim.Tests;

public class AutoscalerTests
{
    static readonly JobGraph Chain2 = JobGraph.Create("chain", [1, 1], [[], [0]]);

    /// <summary>One task of cost 1: p_ref = 4, mu = mean(W) / 2.8. No noise.</summary>
    static StreamEnvironment Single(double[] workload, int spanMinutes) =>
        new(JobGraph.Create("one", [1], [[]]), workload, new SimOptions { NoiseSigma = 0, SpanMinutes = spanMinutes });

    [Fact]
    public void Ds2_reproduces_the_published_example()
    {
        // DS2 paper: the source emits 100 records/s; Op1 processes 50 and emits 400 per instance-second,
        // Op2 processes 100. Op1 needs ceil(100 / 50) = 2 instances, which emit 2 * 400 = 800, so Op2
        // needs ceil(800 / 100) = 8.
        var p = new int[2];
        Ds2Autoscaler.Recommend(Chain2, [100, 0], [50, 100], [400, 100], 64, p);
        Assert.Equal([2, 8], p);
    }

    [Fact]
    public void Ds2_sizes_a_saturated_task_from_its_true_rate()
    {
        // W = 1000 every minute: mu = 1000 / 2.8 = 357.14. At p = 2 the task is saturated (u = 1),
        // true rate = P / (u p) = mu, and DS2 asks for ceil(1000 / 357.14) = ceil(2.8) = 3.
        var env = Single(Enumerable.Repeat(1000.0, 20).ToArray(), 10);
        env.Reset(0, [2], 1);
        env.Step([2]);
        var p = new[] { 2 };
        var ds2 = new Ds2Autoscaler();
        ds2.Initialize(env, new int[1]);
        ds2.Decide(env, p);
        Assert.Equal(3, p[0]);
        Assert.Equal(1000 / 2.8, SpanStatistics.TrueRatePerInstance(env.LastSpan, 0), 9);
    }

    [Fact]
    public void Hpa_recommendations_follow_the_kubernetes_rule()
    {
        Assert.Equal(4, HpaAutoscaler.Recommend(4, 0.7));
        Assert.Equal(4, HpaAutoscaler.Recommend(4, 0.76));           // |0.76/0.7 - 1| = 0.086 <= 0.1
        Assert.Equal(5, HpaAutoscaler.Recommend(4, 0.8));            // ceil(4 * 1.1429) = ceil(4.571)
        Assert.Equal(6, HpaAutoscaler.Recommend(4, 1.0));            // ceil(4 / 0.7) = ceil(5.714)
        Assert.Equal(5, HpaAutoscaler.Recommend(10, 0.35));          // ceil(10 * 0.5) = 5 exactly
    }

    [Fact]
    public void Hpa_scale_down_takes_the_largest_recommendation_of_the_last_five_minutes()
    {
        // Nine minutes at 1000 then one at 100: mean 910, mu = 910 / 2.8 = 325. At p = 8 the capacity
        // is 2600: u = 1000/2600 = 0.3846 (recommendation ceil(8 * 0.5495) = 5) and in the last
        // minute u = 100/2600 = 0.0385 (recommendation 1). Scale-down keeps the window's max: 5.
        var workload = Enumerable.Repeat(1000.0, 9).Append(100).ToArray();
        var env = Single(workload, 10);
        env.Reset(0, [8], 1);
        env.Step([8]);
        var p = new[] { 8 };
        new HpaAutoscaler().Decide(env, p);
        Assert.Equal(5, p[0]);
    }

    [Fact]
    public void Hpa_scales_up_from_the_last_minute()
    {
        // Constant 1000 at p = 2: saturated, u = 1, recommendation ceil(2 / 0.7) = 3.
        var env = Single(Enumerable.Repeat(1000.0, 10).ToArray(), 10);
        env.Reset(0, [2], 1);
        env.Step([2]);
        var p = new[] { 2 };
        new HpaAutoscaler().Decide(env, p);
        Assert.Equal(3, p[0]);
    }

    [Fact]
    public void Flink_adds_catch_up_and_targets_seventy_percent()
    {
        // Task 0 saturated (u = 1): act. Task 0: 1000 + 300 / 30 = 1010 records/min at 0.7 * 100
        // per instance: ceil(14.43) = 15. Task 1 receives task 0's target 1010, no backlog:
        // ceil(1010 / (0.7 * 200)) = ceil(7.21) = 8.
        var p = new int[2];
        FlinkAutoscaler.Recommend(Chain2, [4, 4], [1000, 0], [300, 0], [100, 200], [1.0, 0.5], 64, p);
        Assert.Equal([15, 8], p);
    }

    [Fact]
    public void Flink_limits_scale_down_and_idles_inside_the_band()
    {
        // u = 0.2 < 0.4: act. Targets ceil(100 / 70) = 2, but scale-down keeps ceil(20 * 0.4) = 8.
        var p = new int[2];
        FlinkAutoscaler.Recommend(Chain2, [20, 20], [100, 0], [0, 0], [100, 100], [0.2, 0.2], 64, p);
        Assert.Equal([8, 8], p);
        // Every task inside [0.4, 0.99]: no change, whatever the rates say.
        FlinkAutoscaler.Recommend(Chain2, [20, 3], [100, 0], [0, 0], [100, 100], [0.5, 0.9], 64, p);
        Assert.Equal([20, 3], p);
    }

    [Fact]
    public void Oracle_static_finds_the_best_fixed_parallelism()
    {
        // Constant 1000, mu = 357.14, l_slo = 3 / mu. p = 4: u = 0.7, l = 3.33 / mu, penalty 0.1,
        // reward -0.05 + 0.35 = 0.30. p = 5: u = 0.56, l = 2.27 / mu (no penalty), reward 0.28.
        // p = 3: u = 0.933, l = 15 / mu, penalty 0.8, reward 0.067. Lower p saturates. Best: 4.
        var env = Single(Enumerable.Repeat(1000.0, 120).ToArray(), 60);
        var oracle = OracleStatic.Search(env, 0, 120, 1);
        Assert.Equal([4], oracle.Parallelism.ToArray());
        var metrics = Episode.Run(env, oracle, 0, 120, 1);
        Assert.Equal(0.3, metrics.Reward, 9);
        Assert.Equal(0, metrics.Rescales);
    }

    [Fact]
    public void Policies_parse_from_their_names()
    {
        var env = Single([1000, 1000], 1);
        Assert.Equal("static", PolicyFactory.Create("static", env, null, 1).Name);
        Assert.Equal("fixed:12", PolicyFactory.Create("fixed:12", env, null, 1).Name);
        Assert.Equal("hpa", PolicyFactory.Create("hpa", env, null, 1).Name);
        Assert.Equal("ds2", PolicyFactory.Create("ds2", env, null, 1).Name);
        Assert.Equal("flink", PolicyFactory.Create("flink", env, null, 1).Name);
        foreach (var bad in new[] { "fixed:0", "fixed:65", "fixed:x", "nope", "" })
            Assert.Contains($"bad policy '{bad}'", Assert.Throws<SimInputException>(() => PolicyFactory.Create(bad, env, null, 1)).Message);
        Assert.Throws<SimInputException>(() => PolicyFactory.Create("oracle-static", env, null, 1));
    }

    [Fact]
    public void Every_heuristic_keeps_parallelism_in_range_over_a_real_day()
    {
        var env = new StreamEnvironment(JobCatalog.Load("medium-2"), WorkloadTrace.ClarkNet().Workload());
        foreach (var policy in new IAutoscaler[] { new StaticAutoscaler(), new HpaAutoscaler(), new Ds2Autoscaler(), new FlinkAutoscaler() })
        {
            var metrics = Episode.Run(env, policy, 10080, 1440, 3, (e, _) =>
                Assert.All(e.LastSpan.Parallelism, p => Assert.InRange(p, 1, 64)));
            Assert.Equal(24, metrics.Spans);
            Assert.InRange(metrics.Utilization, 0, 1);
        }
    }

    [Fact]
    public void Heuristic_decisions_allocate_nothing_on_a_large_job()
    {
        var env = new StreamEnvironment(RandomDag.Generate(1000, 2), Enumerable.Repeat(1000.0, 300).ToArray());
        foreach (var policy in new IAutoscaler[] { new HpaAutoscaler(), new Ds2Autoscaler(), new FlinkAutoscaler(), new MaxAutoscaler(new HpaAutoscaler(0.6), new FlinkAutoscaler(0.5)) })
        {
            var p = new int[env.TaskCount];
            policy.Initialize(env, p);
            // Each call replays the first two spans of the 300-minute trace: the second decision sees a full span.
            void TwoSpans()
            {
                env.Reset(0, p, 1);
                env.Step(p);
                policy.Decide(env, p);
                env.Step(p);
                policy.Decide(env, p);
            }
            Assert.Equal(0, Allocations.SteadyState(TwoSpans, warmUp: 3, calls: 2));
        }
    }
}
