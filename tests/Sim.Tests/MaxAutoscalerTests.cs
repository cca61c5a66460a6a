using Sure.Sim;
using Sure.Sim.Autoscalers;

namespace Sure.Sim.Tests;

/// <summary>max-tuned (docs/simulator.md): each task takes the larger of its two heuristics' recommendations.</summary>
public class MaxAutoscalerTests
{
    /// <summary>
    /// Over a real day of medium-2, every decision of max(hpa at 0.6, flink at 0.5) is the element-wise maximum of what
    /// fresh copies of the two heuristics recommend from the same state; and each of the two decides some task alone
    /// on some span (so the test can tell a max from either heuristic).
    /// </summary>
    [Fact]
    public void Each_task_takes_the_larger_recommendation()
    {
        var env = new StreamEnvironment(JobCatalog.Load("medium-2"), WorkloadTrace.ClarkNet().Workload());
        var max = new MaxAutoscaler(new HpaAutoscaler(0.6, "hpa-tuned"), new FlinkAutoscaler(0.5, "flink-tuned"));
        var checker = new Checker(max, new HpaAutoscaler(0.6), new FlinkAutoscaler(0.5));
        var metrics = Episode.Run(env, checker, 10080, 1440, 3);
        Assert.Equal(24, metrics.Spans);
        Assert.True(checker.HpaLarger > 0, "HPA never asked for more than Flink's rule");
        Assert.True(checker.FlinkLarger > 0, "Flink's rule never asked for more than HPA");
    }

    [Fact]
    public void Max_tuned_is_built_from_the_two_tuned_heuristics()
    {
        var env = new StreamEnvironment(JobCatalog.Load("small-1"), WorkloadTrace.ClarkNet().Workload());
        var max = Assert.IsType<MaxAutoscaler>(PolicyFactory.Create("max-tuned", env, (0, 10080), 1));
        Assert.Equal("max-tuned", max.Name);
        Assert.Equal(Tuning.Hpa(env, 0, 10080, 1).Target, Assert.IsType<HpaAutoscaler>(max.First).Target);
        Assert.Equal(Tuning.Flink(env, 0, 10080, 1).Target, Assert.IsType<FlinkAutoscaler>(max.Second).Target);
        Assert.Equal($"hpa-tuned {max.First.Setting}, flink-tuned {max.Second.Setting}", ((IAutoscaler)max).Setting);
        Assert.True(PolicyFactory.IsKnown("max-tuned"));
        Assert.Throws<SimInputException>(() => PolicyFactory.Create("max-tuned", env, null, 1));
    }

    sealed class Checker(MaxAutoscaler max, IAutoscaler hpa, IAutoscaler flink) : IAutoscaler
    {
        public int HpaLarger, FlinkLarger;
        public string Name => "checker";
        public void Initialize(StreamEnvironment env, Span<int> parallelism) => max.Initialize(env, parallelism);

        public void Decide(StreamEnvironment env, Span<int> parallelism)
        {
            int[] a = parallelism.ToArray(), b = parallelism.ToArray();
            hpa.Decide(env, a);
            flink.Decide(env, b);
            max.Decide(env, parallelism);
            for (int i = 0; i < a.Length; i++)
            {
                Assert.Equal(Math.Max(a[i], b[i]), parallelism[i]);
                HpaLarger += a[i] > b[i] ? 1 : 0;
                FlinkLarger += b[i] > a[i] ? 1 : 0;
            }
        }
    }
}
