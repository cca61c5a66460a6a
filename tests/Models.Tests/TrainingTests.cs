using Sure.Models.Training;
using Sure.Sim;

namespace Sure.Models.Tests;

public class TrainingTests
{
    static readonly double[] Workload = WorkloadTrace.ClarkNet().Workload();

    static (IReadOnlyList<IterationLog> Logs, float[][] Weights) Train(int threads, SamplerKind sampler = SamplerKind.Nvss)
    {
        var model = SureModel<float>.Create(new SureConfig { H = 8 }, seed: 4);
        var options = new TrainOptions { Iterations = 2, Seed = 9, Rollouts = 3, WindowHours = 3, Threads = threads, Sampler = sampler };
        var logs = new SureTrainer(model, JobCatalog.Load("small-1"), Workload, SimOptions.Default, options).Run();
        return (logs, model.Parameters.Select(p => p.Value.ToArray()).ToArray());
    }

    [Theory]
    [InlineData(SamplerKind.Nvss)]
    [InlineData(SamplerKind.Uniform)]
    public void Same_seed_gives_identical_logs_and_weights_whatever_the_thread_count(SamplerKind sampler)
    {
        // Three rollouts on two threads: worker 0 runs rollouts 0 and 2, worker 1 rollout 1.
        var one = Train(1, sampler);
        var two = Train(2, sampler);
        Assert.Equal(one.Logs.Select(l => l with { Elapsed = default }), two.Logs.Select(l => l with { Elapsed = default }));
        for (int p = 0; p < one.Weights.Length; p++) Assert.Equal(one.Weights[p], two.Weights[p]);
        Assert.NotEqual(one.Logs[0].MeanReward, one.Logs[1].MeanReward);   // windows and noise differ per iteration
    }

    [Fact]
    public void Uniform_sampler_leaves_the_nvss_weights_alone()
    {
        var initial = SureModel<float>.Create(new SureConfig { H = 8 }, seed: 4);
        var trained = Train(1, SamplerKind.Uniform).Weights;
        for (int p = 0; p < initial.Parameters.Count; p++)
        {
            var name = initial.Parameters[p].Name;
            if (name.StartsWith("nvss.", StringComparison.Ordinal)) Assert.Equal(initial.Parameters[p].Value.ToArray(), trained[p]);
            else if (name != "disc.weight") Assert.NotEqual(initial.Parameters[p].Value.ToArray(), trained[p]);
        }
    }

    [Fact]
    public void Checkpoint_keeps_job_seed_iterations_and_options()
    {
        var model = SureModel<float>.Create(new SureConfig { H = 8 }, seed: 4);
        var trainer = new SureTrainer(model, JobCatalog.Load("small-1"), Workload, SimOptions.Default,
            new TrainOptions { Iterations = 1, Seed = 9, Rollouts = 2, WindowHours = 2, Threads = 1, BetaMi = 0 });
        trainer.Run();
        string path = Path.Combine(Path.GetTempPath(), $"sure-trainer-{Guid.NewGuid():N}.safetensors");
        try
        {
            trainer.SaveCheckpoint(path);
            var loaded = SureModel<float>.Load(path);
            Assert.Equal("small-1", loaded.Metadata["job"]);
            Assert.Equal("9", loaded.Metadata["seed"]);
            Assert.Equal("1", loaded.Metadata["iterations"]);
            Assert.Contains("\"BetaMi\":0", loaded.Metadata["train_options"]);
            Assert.Equal(model.Parameters[0].Value.ToArray(), loaded.Parameters[0].Value.ToArray());
        }
        finally { File.Delete(path); }
    }

    /// <summary>
    /// small-1, training seed 1, H = 16 (documented: smaller than the default 64 so that 100 iterations take about
    /// 20-30 s on 2 cores), every other setting the SPEC's (R = 8, 24-hour windows, lr 1e-3, beta_mi 0.1, beta_kl 1e-3),
    /// the trainer's initial model (head.weight x 0.01). Reward of the deterministic policy on the first two days of
    /// the test week (minutes [10080, 12960)), measured at evaluation seeds 11..15:
    ///   training seed 1: untrained -0.1976 -0.1981 -0.1979 -0.1986 -0.1979, trained -0.0584 -0.0585 -0.0582 -0.0582 -0.0583
    ///   training seed 2: untrained (same),                                  trained  0.1160  0.1119  0.1068  0.1119  0.0860
    ///   training seed 3: untrained (same),                                  trained -0.0576 -0.0577 -0.0584 -0.0584 -0.0585
    /// The untrained policy keeps p near p_0 whatever the seed (spread 0.001 over all seeds); a trained policy's
    /// spread over evaluation seeds is 0.0003 (seed 1) to 0.03 (seed 2). Every training seed gains 0.14 to 0.31 (seeds 1
    /// and 3 settle on p = 1 for every task, checked span by span on an H = 64 run; seed 2 finds a better policy). The test asks seed 1 for a gain of
    /// 0.08 at two evaluation seeds: far above the evaluation spread, below every seed's measured gain.
    /// </summary>
    [Fact]
    public void Training_improves_the_held_out_reward_on_small_1()
    {
        var job = JobCatalog.Load("small-1");
        var model = SureTrainer.CreateModel(new SureConfig { H = 16 }, seed: 1);
        double Reward(ulong evalSeed) => SureAutoscaler.Evaluate(model, job, Workload, SimOptions.Default, 10080, 2880, evalSeed).Reward;
        double[] before = [Reward(11), Reward(12)];
        new SureTrainer(model, job, Workload, SimOptions.Default, new TrainOptions { Iterations = 100, Seed = 1, Threads = 2 }).Run();
        double[] after = [Reward(11), Reward(12)];
        for (int k = 0; k < 2; k++)
            Assert.True(after[k] > before[k] + 0.08, $"eval seed {11 + k}: untrained {before[k]:F4}, trained {after[k]:F4}");
    }
}

public class TrainingReplayTests
{
    /// <summary>
    /// The loss pass replays a rollout's decisions as one batched forward; REINFORCE is only right if that replay
    /// makes exactly the choices and action means the rollout acted on (one decision at a time, in float).
    /// </summary>
    [Fact]
    public void Batched_replay_reproduces_each_decision_exactly()
    {
        var job = JobCatalog.Load("small-2");
        var workload = WorkloadTrace.ClarkNet().Workload();
        var env = new StreamEnvironment(job, workload, SimOptions.Default);
        var model = SureModel<float>.Create(new SureConfig(), seed: 2);
        int decisions = 3, n = job.TaskCount, L = env.SpanMinutes, D = StreamEnvironment.FeatureCount, span = L * n * D;
        var snapshots = new float[decisions * span];
        var parallelism = new int[n];
        Array.Fill(parallelism, 4);
        env.Reset(500, parallelism, 3);
        var single = new SpanBatch<float>(env.Neighbors, job.Edges, 1, L, D);
        var tape = new Tape<float>(inference: true);
        var sampler = new SubgraphSampler();
        var means = new List<float[]>();
        var anchors = new List<int[]>();
        for (int t = 0; t < decisions; t++)
        {
            parallelism[t % n] = 3 + t;
            env.Step(parallelism);
            env.CopySnapshotsOldestFirst(snapshots.AsSpan(t * span, span));
            single.Fill(0, snapshots.AsSpan(t * span, span), 5, 40 + 4 * (ulong)t);
            tape.Reset();
            means.Add(model.Forward(tape, single.Input, 10, 4, sampler).ActionMean.Value.ToArray());
            anchors.Add(sampler.Anchors.ToArray());
        }

        var loss = new RolloutLoss<float>(job, env.Neighbors, decisions, L, D);
        loss.Build(new Tape<float>(), model, new LossWeights(1, 0.1, 1e-3, false), 1, snapshots, new float[decisions * n],
            [1, 0, -1], 5, 40, out _);
        var batchedMeans = loss.LastOutput!.ActionMean.Value.ToArray();
        var batchedAnchors = loss.LastOutput.Subgraphs.Anchors.ToArray();
        for (int t = 0; t < decisions; t++)
        {
            Assert.Equal(means[t], batchedMeans.AsSpan(t * n, n).ToArray());
            Assert.Equal(anchors[t], batchedAnchors.AsSpan(t * n * 10, n * 10).ToArray());
        }
    }
}
