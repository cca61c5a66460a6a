using Sure.Models;
using Sure.Sim;

namespace Sure.Policy.Tests;

/// <summary>
/// The library decides as the simulator's policy does: a session fed a simulated run's metrics, minute by minute,
/// holds the same snapshots bit for bit and sets the same parallelism as <see cref="SureAutoscaler"/> (the reference,
/// built on the trainer's model class and the simulator's own monitor) at every decision.
/// </summary>
public class SimulatorEquivalenceTests
{
    static readonly double[] Workload = WorkloadTrace.ClarkNet().Workload();

    [Theory]
    // SPEC 4.4's policy gets a head bias of 0.4 (a ratio near 1.2), so that it scales from p_0 = 4 and keeps moving.
    [InlineData("small-1", 8, false, 0.0, 11UL)]
    [InlineData("small-1", 11, true, 0.1, 12UL)]        // the default recipe: forecast features, residual on hpa-tuned, dead band
    [InlineData("medium-2", 11, true, 0.0, 13UL)]
    [InlineData("random:40:3", 8, false, 0.1, 14UL)]
    public void A_session_fed_the_simulators_metrics_decides_as_the_simulators_policy(string jobName, int d, bool residual, double deadBand, ulong seed)
    {
        string path = TestModels.Write(d, seed, residual ? 0.6 : null, deadBand,
            edit: residual ? null : m => m.HeadBias.Value.Span[0] += 0.4f);
        try
        {
            var job = JobCatalog.Load(jobName);
            var model = SureModel<float>.Load(path);
            var env = new StreamEnvironment(job, Workload, SureAutoscaler.Fit(SimOptions.Default, model.Config));
            var reference = new SureAutoscaler(model, env, seed);
            var p = new int[env.TaskCount];
            reference.Initialize(env, p);
            env.Reset(7 * 1440 + 300, p, seed);

            var session = new PolicySession(PolicyWeights.Load(path), TestModels.Dag(job), p, new PolicyOptions { Seed = seed });
            var metrics = new TaskMetrics[env.TaskCount];
            int rescales = 0;
            for (int span = 0; span < 8; span++)
            {
                env.Step(p);
                var record = env.LastSpan;
                for (int m = 0; m < record.Minutes; m++)
                {
                    TestModels.Metrics(record, m, metrics);
                    Assert.True(session.Observe(metrics, (record.StartMinute + m) % 1440, record.RestartFactor[m] != 1));
                }
                Assert.Equal(env.OldestSnapshot, session.OldestSnapshot);
                Assert.True(env.Snapshots.SequenceEqual(session.Snapshots), $"span {span}: the session's snapshots differ from the simulator's");

                var before = p.ToArray();
                reference.Decide(env, p);
                var decision = session.Decide();
                Assert.Equal(p, decision.Parallelism.ToArray());
                Assert.Equal(reference.LastActionMean.ToArray(), decision.ActionMeans.ToArray());
                Assert.All(decision.Reasons.ToArray(), r => Assert.Equal(DecisionReason.Policy, r));
                if (!before.SequenceEqual(p)) rescales++;
            }
            Assert.True(rescales > 0, "the run never rescaled: it would not tell a wrong base from a right one");
        }
        finally { File.Delete(path); }
    }
}
