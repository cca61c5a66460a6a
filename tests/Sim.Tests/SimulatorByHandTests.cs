using Sure.Sim;

namespace Sure.Sim.Tests;

public class SimulatorByHandTests
{
    // Chain 0 -> 1, durations 10 s and 30 s: mean cost 20, so c = [0.5, 1.5] and
    // p_ref = [round(2), round(6)] = [2, 6]. W = [1000, 2000, 0, 1000] has mean 1000, so
    // Abar = [1000, 1000] and mu = Abar / (0.7 p_ref) = [1000/1.4, 1000/4.2] records/min.
    static StreamEnvironment Chain(int spanMinutes = 2) =>
        new(JobGraph.Create("chain", [10, 30], [[], [0]]), [1000, 2000, 0, 1000],
            new SimOptions { NoiseSigma = 0, SpanMinutes = spanMinutes });

    const double Mu0 = 1000 / 1.4, Mu1 = 1000 / 4.2;

    [Fact]
    public void Constants_follow_spec_2()
    {
        var env = Chain();
        Assert.Equal([0.5, 1.5], env.RecordCost.ToArray());
        Assert.Equal([2, 6], env.ReferenceParallelism.ToArray());
        Assert.Equal(Mu0, env.ServiceRate[0], 12);
        Assert.Equal(Mu1, env.ServiceRate[1], 12);
        // l_0 = 1/mu0 + 1/mu1 = 0.0014 + 0.0042 = 0.0056 min; l_slo = 3 l_0.
        Assert.Equal(0.0056, env.ZeroLoadLatency, 12);
        Assert.Equal(0.0168, env.SloLatency, 12);
    }

    [Fact]
    public void Four_minutes_with_one_rescale_match_hand_arithmetic()
    {
        var env = Chain();
        env.Reset(0, [1, 1], seed: 7);
        var first = env.Step([1, 1]);
        var span = env.LastSpan;

        // Minute 0: W = 1000. Task 0: C = mu0 = 714.2857, P = 714.2857, Q = 285.7143, u = 1, rho = 0.95,
        // l = (1/mu0)/0.05 + Q/C = 0.028 + 0.4 = 0.428. Task 1: A = 714.2857, C = mu1 = 238.0952,
        // P = 238.0952, Q = 476.1905, u = 1, l = (1/mu1)/0.05 + Q/C = 0.084 + 2.0 = 2.084. Job: 2.512 min.
        Assert.Equal(1000, span.At(span.Input, 0, 0), 9);
        Assert.Equal(Mu0, span.At(span.Processed, 0, 0), 9);
        Assert.Equal(1000 - Mu0, span.At(span.Backlog, 0, 0), 9);
        Assert.Equal(0.428, span.At(span.TaskLatency, 0, 0), 9);
        Assert.Equal(Mu0 - Mu1, span.At(span.Backlog, 0, 1), 9);
        Assert.Equal(2.084, span.At(span.TaskLatency, 0, 1), 9);
        Assert.Equal(2.512, span.JobLatency[0], 9);
        Assert.Equal(1.0, span.JobUtilization[0], 12);

        // Minute 1: W = 2000. Task 0: queued 285.7143 + 2000, C = 714.2857, Q = 1571.4286,
        // l = 0.028 + 1571.4286/714.2857 = 0.028 + 2.2 = 2.228. Task 1: queued 476.1905 + 714.2857,
        // Q = 952.3810, l = 0.084 + 952.3810/238.0952 = 0.084 + 4 = 4.084. Job: 6.312 min.
        Assert.Equal(2000 + 1000 - 2 * Mu0, span.At(span.Backlog, 1, 0), 9);
        Assert.Equal(2.228, span.At(span.TaskLatency, 1, 0), 9);
        Assert.Equal(4.084, span.At(span.TaskLatency, 1, 1), 9);
        Assert.Equal(6.312, span.JobLatency[1], 9);

        // Span reward: lat_pen = 1 - 0.0168 / l per minute, u = 1 in both minutes.
        double penalty = ((1 - 0.0168 / 2.512) + (1 - 0.0168 / 6.312)) / 2;
        Assert.Equal(-0.5 * penalty + 0.5 * 1.0, first.Reward, 12);
        Assert.Equal(60 * (2.512 + 6.312) / 2, first.MeanLatencySeconds, 9);
        Assert.Equal(2, first.SloViolationMinutes);
        Assert.Equal(4, first.InstanceMinutes);
        Assert.False(first.Rescaled);

        // Minute 2: rescale to [4, 12] restarts the job: r = 1 - 30/60 = 0.5. W = 0.
        // Task 0: C = 4 mu0 * 0.5 = 1428.5714 >= its backlog 1571.4286? No: P = 1428.5714, Q = 142.8571,
        // u = 1, l = (1/mu0)/0.05 + 142.8571/1428.5714 = 0.028 + 0.1 = 0.128.
        // Task 1: queued 952.3810 + 1428.5714 = 2380.9524, C = 12 mu1 * 0.5 = 1428.5714,
        // Q = 952.3810, l = 0.084 + 952.3810/1428.5714 = 0.084 + 0.6667 = 0.750667. Job: 0.878667 min.
        var second = env.Step([4, 12]);
        Assert.True(second.Rescaled);
        Assert.Equal(0.5, span.RestartFactor[0]);
        Assert.Equal(1.0, span.RestartFactor[1]);
        Assert.Equal(4 * Mu0 * 0.5, span.At(span.Capacity, 0, 0), 9);
        Assert.Equal(1000 / 7.0, span.At(span.Backlog, 0, 0), 9);
        Assert.Equal(0.128, span.At(span.TaskLatency, 0, 0), 9);
        Assert.Equal(0.084 + 2 / 3.0, span.At(span.TaskLatency, 0, 1), 9);

        // Minute 3: W = 1000, r = 1. Task 0: queued 142.8571 + 1000 <= C = 2857.1429: P = 1142.8571,
        // Q = 0, u = 0.4, l = 0.0014 / 0.6 = 0.0023333. Task 1: queued 952.3810 + 1142.8571 = 2095.2381,
        // C = 2857.1429, Q = 0, u = 0.7333, l = 0.0042 / 0.2667 = 0.01575. Job: 0.0180833 min.
        Assert.Equal(0, span.At(span.Backlog, 1, 0), 12);
        Assert.Equal(0.4, span.At(span.Utilization, 1, 0), 12);
        Assert.Equal(2200 / 3000.0, span.At(span.Utilization, 1, 1), 12);
        Assert.Equal(0.0014 / 0.6 + 0.0042 / (1 - 2200 / 3000.0), span.JobLatency[1], 12);
        // Job utilisation = (0.4 * 4 + 0.73333 * 12) / 16.
        Assert.Equal((0.4 * 4 + 2200 / 3000.0 * 12) / 16, span.JobUtilization[1], 12);
        Assert.Equal(1, env.Rescales);
    }

    [Fact]
    public void Snapshot_features_follow_spec_3()
    {
        var env = Chain();
        env.Reset(0, [1, 1], seed: 7);
        env.Step([1, 1]);
        env.Step([4, 12]);
        // Two whole spans of L = 2: the ring head is back at slot 0 and slot 0 holds minute 2.
        Assert.Equal(0, env.OldestSnapshot);
        Assert.Equal(2, env.SnapshotCount);
        var minute2Task1 = env.Snapshots.Slice((0 * 2 + 1) * 8, 8).ToArray();
        double a = 4 * Mu0 * 0.5;                 // A_1 at minute 2 = task 0's P = its halved capacity, 1428.57
        double q = 4000 / 4.2;                    // task 1's backlog after minute 2, 952.38
        double l = 0.084 + 2 / 3.0;
        Assert.Equal(Math.Log(1 + a), minute2Task1[0], 4);
        Assert.Equal(Math.Log(1 + a / 12), minute2Task1[1], 4);
        Assert.Equal(1f, minute2Task1[2]);
        Assert.Equal(12f / 64, minute2Task1[3]);
        Assert.Equal(Math.Log(1 + 60 * l), minute2Task1[4], 4);
        Assert.Equal(Math.Log(1 + q), minute2Task1[5], 4);
        Assert.Equal(1f / 10, minute2Task1[6], 6);                      // A / C = 1
        Assert.Equal(0.5f, minute2Task1[7]);
        var minute3Task0 = env.Snapshots.Slice((1 * 2 + 0) * 8, 8).ToArray();
        Assert.Equal(0f, minute3Task0[7]);
        Assert.Equal(0.4f, minute3Task0[2], 6);
    }

    [Fact]
    public void Three_task_fan_in_sums_parent_outputs_and_takes_the_longest_path()
    {
        // 0 -> 2 <- 1, equal durations: c = 1, p_ref = 4, Abar = [1000, 1000, 2000],
        // mu = [1000/2.8, 1000/2.8, 2000/2.8]. With p = 4 and W = 1000 nobody saturates:
        // tasks 0, 1: u = 1000 / (4000/2.8) = 0.7, l = (2.8/1000)/0.3. Task 2: A = 2000, u = 0.7,
        // l = (2.8/2000)/0.3. Critical path = l_0 + l_2.
        var env = new StreamEnvironment(JobGraph.Create("fan-in", [5, 5, 5], [[], [], [0, 1]]), [1000, 1000],
            new SimOptions { NoiseSigma = 0, SpanMinutes = 1 });
        env.Reset(0, [4, 4, 4], 1);
        var result = env.Step([4, 4, 4]);
        var span = env.LastSpan;
        Assert.Equal(2000, span.At(span.Input, 0, 2), 9);
        Assert.Equal(0.7, span.At(span.Utilization, 0, 2), 12);
        double expected = 2.8 / 1000 / 0.3 + 2.8 / 2000 / 0.3;
        Assert.Equal(expected, span.JobLatency[0], 12);
        Assert.Equal(60 * expected, result.MeanLatencySeconds, 9);
        Assert.Equal(0.7, result.MeanUtilization, 12);
        // l = l_0 / 0.3 = 3.333 l_0 > l_slo = 3 l_0 (the SLO is met only below rho = 2/3):
        // lat_pen = 1 - 3 / 3.333 = 0.1, so r = -0.5 * 0.1 + 0.5 * 0.7 = 0.3.
        Assert.Equal(0.3, result.Reward, 12);
        Assert.Equal(1, result.SloViolationMinutes);
    }
}
