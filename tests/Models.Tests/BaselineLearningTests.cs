using Sure.Tests;
using Sure.Models.Baselines;
using Sure.Models.Training;
using Sure.Sim;

namespace Sure.Models.Tests;

/// <summary>
/// Each baseline learns through the shared trainer: 30 REINFORCE iterations on small-1 (H = 8, R = 4 rollouts of
/// 6-hour windows, lr 1e-2, no bootstrap, no validation) take the deterministic policy far above its untrained self on
/// the first day of the test week. The untrained network keeps p_0 = 4 everywhere (its small head gives a ~ 1):
/// reward -0.1960 (evaluation seed 11) and -0.1967 (seed 12). Measured trained rewards, seed 11, training seeds 1 / 2:
/// deepwave -0.0724 / -0.0724, dream -0.0765 / -0.0765, tvw-rl -0.0765 / -0.0724, astgcn -0.0718 / -0.0083,
/// ccrnn -0.0666 / -0.0724: gains of 0.12 to 0.19, against a spread over training seeds of at most 0.064 (astgcn, else
/// 0.006) and over evaluation seeds of 0.007. The test asks for a gain of 0.08 with training seed 1.
/// (Imitation does not serve here: TVW-RL's one job-level action averages a per-task teacher's targets to a ratio
/// that rounds back to p.)
/// </summary>
public class BaselineLearningTests
{
    static readonly double[] Workload = WorkloadTrace.ClarkNet().Workload();

    static double Reward(IPolicyNetwork<float> network, JobGraph job, ulong evalSeed) =>
        LearnedPolicy.Evaluate(network, job, Workload, SimOptions.Default, 10080, 1440, evalSeed).Reward;

    [Theory]
    [InlineData("deepwave")]
    [InlineData("dream")]
    [InlineData("tvw-rl")]
    [InlineData("astgcn")]
    [InlineData("ccrnn")]
    public void Reinforce_beats_the_untrained_network_on_small_1(string architecture)
    {
        var job = JobCatalog.Load("small-1");
        var network = PolicyNetworks.Create(architecture, new SureConfig { H = 8 }, job, seed: 1);
        double[] before = [Reward(network, job, 11), Reward(network, job, 12)];
        new SureTrainer(network, job, Workload, SimOptions.Default, new TrainOptions
        {
            Iterations = 30, BootstrapIterations = 0, LearningRate = 1e-2, Seed = 1, Rollouts = 4, WindowHours = 6, Threads = 2,
            ValidationMinutes = 0,
        }).Run();
        double[] after = [Reward(network, job, 11), Reward(network, job, 12)];
        for (int k = 0; k < 2; k++)
            Assert.True(after[k] > before[k] + 0.08, $"{architecture}, eval seed {11 + k}: untrained {before[k]:F4}, trained {after[k]:F4}");
    }
}

/// <summary>A baseline's warm training iteration (rollouts, loss, backward, Adam) and its warm decision allocate nothing.</summary>
public class BaselineAllocationTests
{
    [Theory]
    [InlineData("deepwave")]
    [InlineData("dream")]
    [InlineData("tvw-rl")]
    [InlineData("astgcn")]
    [InlineData("ccrnn")]
    public void A_warm_training_iteration_and_a_warm_decision_allocate_nothing(string architecture)
    {
        var job = JobCatalog.Load("small-1");
        var workload = WorkloadTrace.ClarkNet().Workload();
        var network = PolicyNetworks.Create(architecture, new SureConfig { H = 8, L = 60 }, job, 1);
        var trainer = new SureTrainer(network, job, workload, SimOptions.Default,
            new TrainOptions { Rollouts = 2, WindowHours = 2, Threads = 1, BootstrapIterations = 1, ValidationMinutes = 0 });
        Assert.Equal(0, Allocations.SteadyState(() => trainer.Step(), warmUp: 3, calls: 2, rounds: 3));

        var env = new StreamEnvironment(job, workload, SimOptions.Default);
        var policy = new BaselineAutoscaler((IBaselineNetwork<float>)network, env);
        var p = new int[job.TaskCount];
        policy.Initialize(env, p);
        env.Reset(10080, p, 1);
        env.Step(p);
        Assert.Equal(0, Allocations.SteadyState(() => policy.Decide(env, p), warmUp: 5, calls: 3, rounds: 3));
    }
}

/// <summary>The trainer's determinism holds for the baselines: the same seed gives the same logs and weights whatever the
/// thread count (the rollouts share the network; each worker has its own batch and its state).</summary>
public class BaselineDeterminismTests
{
    [Theory]
    [InlineData("dream")]
    [InlineData("astgcn")]
    public void Same_seed_gives_identical_logs_and_weights_whatever_the_thread_count(string architecture)
    {
        var job = JobCatalog.Load("small-1");
        var workload = WorkloadTrace.ClarkNet().Workload();
        (IReadOnlyList<IterationLog>, float[][]) Train(int threads)
        {
            var network = PolicyNetworks.Create(architecture, new SureConfig { H = 8 }, job, 4);
            var logs = new SureTrainer(network, job, workload, SimOptions.Default, new TrainOptions
            {
                Iterations = 3, BootstrapIterations = 1, Seed = 9, Rollouts = 3, WindowHours = 3, Threads = threads, ValidationMinutes = 0,
                Epochs = 2,
            }).Run();
            return (logs, network.Parameters.Select(p => p.Value.ToArray()).ToArray());
        }
        var (logs1, weights1) = Train(1);
        var (logs3, weights3) = Train(3);
        Assert.Equal(logs1.Select(l => (l.MeanReward, l.Loss, l.GradNorm)), logs3.Select(l => (l.MeanReward, l.Loss, l.GradNorm)));
        for (int p = 0; p < weights1.Length; p++) Assert.Equal(weights1[p], weights3[p]);
        Assert.NotEqual(weights1[0], PolicyNetworks.Create(architecture, new SureConfig { H = 8 }, job, 4).Parameters[0].Value.ToArray());
    }
}
