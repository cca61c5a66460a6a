using Sure.Sim;
using Sure.Tests;

namespace Sure.Policy.Tests;

/// <summary>What a host relies on: nothing allocated per minute or per decision, a session refuses overlapping calls,
/// and sessions on many threads answer as one thread does.</summary>
public class SessionTests
{
    static readonly JobGraph Job = JobCatalog.Load("medium-1");

    static (PolicyWeights Weights, TaskMetrics[][] Minutes) Setup(int d)
    {
        string path = TestModels.Write(d, seed: 21, baseTarget: 0.6, deadBand: 0.05);
        try
        {
            // Three spans of a simulated run's metrics, replayed to every session.
            var workload = WorkloadTrace.ClarkNet().Workload();
            var env = new StreamEnvironment(Job, workload, SimOptions.Default with { ForecastFeatures = d == 11 });
            var p = Enumerable.Repeat(4, Job.TaskCount).ToArray();
            env.Reset(2000, p, 1);
            var minutes = new List<TaskMetrics[]>();
            for (int span = 0; span < 3; span++)
            {
                env.Step(p);
                for (int m = 0; m < env.LastSpan.Minutes; m++)
                {
                    var row = new TaskMetrics[Job.TaskCount];
                    TestModels.Metrics(env.LastSpan, m, row);
                    minutes.Add(row);
                }
                p[span] = 5 + span;                                   // some rescales, so that the parallelism features move
            }
            return (PolicyWeights.Load(path), minutes.ToArray());
        }
        finally { File.Delete(path); }
    }

    static int[][] Run(PolicyWeights weights, TaskMetrics[][] minutes, ulong seed)
    {
        var session = new PolicySession(weights, TestModels.Dag(Job), minutes[0].Select(m => m.Parallelism).ToArray(), new PolicyOptions { Seed = seed });
        var answers = new List<int[]>();
        for (int m = 0; m < minutes.Length; m++)
        {
            session.Observe(minutes[m], m % 1440);
            if ((m + 1) % 60 == 0) answers.Add(session.Decide().Parallelism.ToArray());
        }
        return answers.ToArray();
    }

    [Theory]
    [InlineData(8)]
    [InlineData(11)]
    public void A_minute_and_a_decision_allocate_nothing_once_warm(int d)
    {
        var (weights, minutes) = Setup(d);
        var session = new PolicySession(weights, TestModels.Dag(Job), minutes[0].Select(m => m.Parallelism).ToArray());
        int minute = 0;
        void Observe() => session.Observe(minutes[minute++ % minutes.Length], minute % 1440);
        Assert.Equal(0, Allocations.SteadyState(Observe, warmUp: 60, calls: 60));
        // A span of minutes and its decision (the policy's path, not the fallback), again and again.
        Assert.Equal(0, Allocations.SteadyState(() =>
        {
            for (int m = 0; m < 60; m++) Observe();
            Assert.False(session.Decide().FellBack);
        }, warmUp: 3, calls: 2, rounds: 3));
    }

    [Fact]
    public void A_call_that_overlaps_another_on_the_same_session_is_refused()
    {
        var (weights, minutes) = Setup(8);
        var session = new PolicySession(weights, TestModels.Dag(Job), minutes[0].Select(m => m.Parallelism).ToArray());
        var error = (InvalidOperationException?)null;
        // The hook runs inside Decide while the session is held: a second call there is what another thread would make.
        session.DuringCall = () =>
        {
            session.DuringCall = null;
            error = Assert.Throws<InvalidOperationException>(() => session.Observe(minutes[0], 0));
        };
        session.Decide();
        Assert.NotNull(error);
        Assert.Contains("single-threaded", error!.Message);
        // The refused call changed nothing, and the session is free again.
        Assert.Equal(0, session.AcceptedMinutes);
        Assert.True(session.Observe(minutes[0], 0));
    }

    [Fact]
    public void Two_threads_on_one_session_get_the_clear_exception_and_nothing_else()
    {
        var (weights, minutes) = Setup(8);
        var session = new PolicySession(weights, TestModels.Dag(Job), minutes[0].Select(m => m.Parallelism).ToArray());
        var others = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        int refused = 0;
        void Hammer()
        {
            for (int k = 0; k < 400; k++)
                try
                {
                    session.Observe(minutes[k % minutes.Length], k % 1440);
                    if (k % 60 == 59) session.Decide();
                }
                catch (InvalidOperationException e) when (e.Message.Contains("single-threaded")) { Interlocked.Increment(ref refused); }
                catch (Exception e) { others.Add(e); }
        }
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(Hammer)).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        Assert.Empty(others);
    }

    [Fact]
    public void Sessions_on_many_threads_answer_as_one_thread_does()
    {
        var (weights, minutes) = Setup(11);
        var seeds = new ulong[] { 1, 2, 3, 4, 5, 6, 7, 8 };
        var alone = seeds.Select(s => Run(weights, minutes, s)).ToArray();
        Assert.NotEqual(alone[0], alone[1]);                            // the seeds matter, so a mix-up would show
        var together = new int[seeds.Length][][];
        Parallel.For(0, seeds.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k => together[k] = Run(weights, minutes, seeds[k]));
        for (int k = 0; k < seeds.Length; k++) Assert.Equal(alone[k], together[k]);
    }
}
