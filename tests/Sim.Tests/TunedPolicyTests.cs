using Sure.Tests;
using Sure.Sim;
using Sure.Sim.Autoscalers;

namespace Sure.Sim.Tests;

/// <summary>SPEC 7's hpa-tuned, flink-tuned and clairvoyant, against hand arithmetic on small jobs.</summary>
public class TunedPolicyTests
{
    /// <summary>One task of cost 1 under a constant 1000 records/min: p_ref = 4, mu = 1000 / 2.8 = 357.14. No noise.</summary>
    static StreamEnvironment Constant(int minutes = 600) =>
        new(JobGraph.Create("one", [1], [[]]), Enumerable.Repeat(1000.0, minutes).ToArray(), new SimOptions { NoiseSigma = 0 });

    [Fact]
    public void The_grids_are_spec_7s()
    {
        Assert.Equal([0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.80, 0.85, 0.90], Tuning.TargetGrid);
        Assert.Equal([0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 1.00], Tuning.RhoGrid);
    }

    [Fact]
    public void Hpa_recommends_for_its_own_target()
    {
        // ceil(p u / target) outside the 10% band around the target, p inside it.
        Assert.Equal(6, HpaAutoscaler.Recommend(4, 0.9, 0.6));      // ratio 1.5: ceil(6)
        Assert.Equal(4, HpaAutoscaler.Recommend(4, 0.63, 0.6));     // ratio 1.05: inside the band
        Assert.Equal(7, HpaAutoscaler.Recommend(4, 0.9, 0.55));     // ratio 1.636: ceil(6.55)
        Assert.Equal(HpaAutoscaler.Recommend(9, 0.3), HpaAutoscaler.Recommend(9, 0.3, 0.7));
    }

    /// <summary>
    /// u = 0.7 at p = 4 (reward 0.30 a span: penalty 0.1, utilisation 0.7; see AutoscalerTests' oracle-static case).
    /// HPA keeps p = 4 where |0.7 / t - 1| &lt;= 0.1 (t in [0.64, 0.77]) or ceil(4 * 0.7 / t) = 4 (t >= 0.7): every
    /// t >= 0.65. Below, t = 0.60 asks ceil(4.67) = 5 (reward 0.28 and a restart), lower targets more. The tie among
    /// 0.65 ... 0.90 goes to the first: 0.65, at 0.30.
    /// </summary>
    [Fact]
    public void Hpa_tuned_picks_the_first_target_that_keeps_the_best_parallelism()
    {
        var env = Constant();
        var (target, reward) = Tuning.Choose(Tuning.TargetGrid, t => new HpaAutoscaler(t), env, 0, 600, 1);
        Assert.Equal(0.65, target);
        Assert.Equal(0.30, reward, 9);
        Assert.True(Episode.Run(env, new HpaAutoscaler(0.60), 0, 600, 1).Reward < 0.30 - 0.01);
        var tuned = (HpaAutoscaler)PolicyFactory.Create("hpa-tuned", env, (0, 600), 1);
        Assert.Equal(("hpa-tuned", 0.65, "target 0.65"), (tuned.Name, tuned.Target, ((IAutoscaler)tuned).Setting));
    }

    /// <summary>Flink's autoscaler acts only when a task leaves [0.4, 0.99]; at u = 0.7 no target acts, so all tie at 0.30
    /// and the first, 0.40, is chosen.</summary>
    [Fact]
    public void Flink_tuned_breaks_ties_towards_the_first_candidate()
    {
        var tuned = (FlinkAutoscaler)PolicyFactory.Create("flink-tuned", Constant(), (0, 600), 1);
        Assert.Equal(0.40, tuned.Target);
        Assert.Equal("target 0.40", ((IAutoscaler)tuned).Setting);
    }

    /// <summary>
    /// The clairvoyant gives p = ceil(1000 / (rho mu)) = ceil(2.8 / rho): 6 for rho 0.50-0.55, 5 for 0.60-0.65, 4 for
    /// 0.70-0.90 (the best, 0.30 a span), 3 for 0.95-1.00. First of the best: 0.70.
    /// </summary>
    [Fact]
    public void Clairvoyant_tuned_picks_the_first_rho_that_keeps_the_best_parallelism()
    {
        var env = Constant();
        var (rho, reward) = Tuning.Choose(Tuning.RhoGrid, r => new ClairvoyantAutoscaler(r), env, 0, 600, 1);
        Assert.Equal(0.70, rho);
        Assert.Equal(0.30, reward, 9);
        Assert.Equal("rho 0.70", ((IAutoscaler)PolicyFactory.Create("clairvoyant", env, (0, 600), 1)).Setting);
    }

    /// <summary>
    /// Chain 0 -> 1, durations 10 s and 30 s: p_ref = [2, 6]; W has mean 1000, so mu = [1000 / 1.4, 1000 / 4.2]
    /// (SimulatorByHandTests). Spans of 2 minutes, rho = 0.8 (rho mu = [571.43, 190.48]). The first span runs at p_0 = 4;
    /// before [2, 4) (peak 2000) it sizes ceil(2000 / 571.43) = ceil(3.5) = 4 and ceil(2000 / 190.48) = ceil(10.5) = 11;
    /// before [4, 6) (peak 1500) ceil(2.625) = 3 and ceil(7.875) = 8.
    /// </summary>
    [Fact]
    public void Clairvoyant_sizes_each_task_for_the_coming_spans_peak()
    {
        var env = new StreamEnvironment(JobGraph.Create("chain", [10, 30], [[], [0]]), [1000, 1000, 2000, 500, 0, 1500],
            new SimOptions { NoiseSigma = 0, SpanMinutes = 2 });
        var seen = new List<int[]>();
        var metrics = Episode.Run(env, new ClairvoyantAutoscaler(0.8), 0, 6, 1, (e, _) => seen.Add(e.LastSpan.Parallelism.ToArray()));
        Assert.Equal([[4, 4], [4, 11], [3, 8]], seen);
        Assert.Equal(2, metrics.Rescales);
    }

    /// <summary>Diamond 0 -> {1, 2} -> 3: the join receives both branches, A_pk = [W, W, W, 2W].</summary>
    [Fact]
    public void Clairvoyant_propagates_the_peak_along_the_dag()
    {
        var job = JobGraph.Create("diamond", [1, 1, 1, 1], [[], [0], [0], [1, 2]]);
        var p = new int[4];
        var input = new double[4];
        ClairvoyantAutoscaler.Size(job, [100, 100, 50, 400], 2000, 0.5, 64, p, input);
        Assert.Equal([2000, 2000, 2000, 4000], input);
        Assert.Equal([40, 40, 64, 20], p);      // 2000/50 = 40, 2000/25 = 80 clamped to 64, 4000/200 = 20
    }

    [Fact]
    public void Tuned_policies_need_a_window_and_parse_from_their_names()
    {
        var env = Constant(120);
        foreach (var name in new[] { "hpa-tuned", "flink-tuned", "clairvoyant" })
        {
            Assert.True(PolicyFactory.IsKnown(name));
            Assert.Contains(name, Assert.Throws<SimInputException>(() => PolicyFactory.Create(name, env, null, 1)).Message);
        }
        Assert.Null(((IAutoscaler)new HpaAutoscaler()).Setting);
    }

    [Fact]
    public void Clairvoyant_decisions_allocate_nothing_once_warm()
    {
        var env = new StreamEnvironment(RandomDag.Generate(200, 2), Enumerable.Repeat(1000.0, 300).ToArray());
        var policy = new ClairvoyantAutoscaler(0.8);
        var p = new int[env.TaskCount];
        policy.Initialize(env, p);
        env.Reset(0, p, 1);
        env.Step(p);
        Assert.Equal(0, Allocations.SteadyState(() => policy.Decide(env, p), warmUp: 2, calls: 3));
    }
}
