using Sure.Models.Training;
using Sure.Sim;
using Sure.Sim.Autoscalers;

namespace Sure.Models.Tests;

/// <summary>Training one model across many jobs (issue 19): the fleet's gradient and the per-job residual base.</summary>
public class FleetTrainerTests
{
    static readonly double[] Workload = WorkloadTrace.ClarkNet().Workload();

    static TrainOptions Small(int bootstrap) => new()
    {
        Rollouts = 2, WindowHours = 2, Iterations = 4, BootstrapIterations = bootstrap, Seed = 5, Threads = 1,
        Base = ActionBase.HpaTuned, Teacher = TeacherKind.Clairvoyant, DeadBand = 0.1,
    };

    static SureModel<float> Model() => SureTrainer.CreateModel(new SureConfig { H = 8, D = StreamEnvironment.ForecastFeatureCount }, 7);

    /// <summary>A fleet iteration's gradient is the mean of the gradients of the jobs it drew, each computed alone by
    /// a SureTrainer of that job on the same weights (bootstrap and REINFORCE iterations).</summary>
    [Theory]
    [InlineData(0)]      // iteration 0 of a run with 1 bootstrap iteration: bootstrap
    [InlineData(1)]      // iteration 1: REINFORCE
    public void A_fleet_gradient_is_the_mean_of_its_jobs_gradients(int iteration)
    {
        var jobs = new[] { JobCatalog.Load("random:3:1"), JobCatalog.Load("random:5:2"), JobCatalog.Load("random:4:3") };
        var options = Small(bootstrap: 1) with { ValidationMinutes = 0 };
        var model = Model();
        var fleet = new FleetTrainer(model, jobs, [], Workload, SimOptions.Default, options, jobsPerIteration: 3);
        fleet.Gradient(iteration);
        var drawn = Enumerable.Range(0, 3).Select(slot => fleet.JobIndex(iteration, slot)).ToArray();
        var actual = model.Parameters.Select(p => p.Grad.ToArray()).ToArray();
        // R = 2 rollouts of T + 1 = 3 spans of 60 minutes on each drawn job's tasks.
        Assert.Equal(drawn.Sum(job => 2L * 3 * 60 * jobs[job].TaskCount), fleet.SimulatedTaskMinutes);

        var expected = model.Parameters.Select(p => new double[p.Value.Length]).ToArray();
        foreach (int job in drawn)
        {
            var alone = Model();
            var trainer = new SureTrainer(alone, jobs[job], Workload, SimOptions.Default, options);
            alone.Parameters.ZeroGrad();
            trainer.AddGradient(iteration, 1);
            for (int k = 0; k < expected.Length; k++)
                for (int j = 0; j < expected[k].Length; j++) expected[k][j] += alone.Parameters[k].Grad.Span[j] / 3.0;
        }
        double scale = expected.Max(g => g.Max(Math.Abs));
        Assert.True(scale > 0);
        for (int k = 0; k < expected.Length; k++)
            for (int j = 0; j < expected[k].Length; j++)
                Assert.True(Math.Abs(actual[k][j] - expected[k][j]) <= 1e-5 * scale,
                    $"{model.Parameters[k].Name}[{j}]: fleet {actual[k][j]}, mean of jobs {expected[k][j]}");
    }

    /// <summary>The fleet runs its drawn jobs in parallel, one per thread, and sums them in slot order: with two threads
    /// the gradient, the logs, the validation rewards and a short run's weights are one thread's bit for bit, with a
    /// job drawn twice in an iteration (2 jobs, 4 slots).</summary>
    [Fact]
    public void Threads_do_not_change_a_fleet_run()
    {
        var jobs = new[] { JobCatalog.Load("random:3:1"), JobCatalog.Load("random:5:2") };
        var validation = new[] { JobCatalog.Load("random:4:3"), JobCatalog.Load("random:2:4") };
        (float[][] Gradient, float[][] Weights, double[] Rewards, double Best) Train(int threads)
        {
            var model = Model();
            var fleet = new FleetTrainer(model, jobs, validation, Workload, SimOptions.Default,
                Small(bootstrap: 1) with { Threads = threads, Iterations = 3 }, jobsPerIteration: 4);
            fleet.Gradient(1);
            var gradient = model.Parameters.Select(p => p.Grad.ToArray()).ToArray();
            var logs = fleet.Run();
            return (gradient, model.Parameters.Select(p => p.Value.ToArray()).ToArray(),
                logs.SelectMany(l => new[] { l.MeanReward, l.Loss, l.ValidationReward }).ToArray(), fleet.BestValidationReward);
        }
        var one = Train(1);
        var two = Train(2);
        Assert.Contains(one.Gradient, g => g.Any(v => v != 0));
        for (int k = 0; k < one.Gradient.Length; k++)
        {
            Assert.Equal(one.Gradient[k], two.Gradient[k]);
            Assert.Equal(one.Weights[k], two.Weights[k]);
        }
        Assert.Equal(one.Rewards, two.Rewards);
        Assert.Equal(one.Best, two.Best);
        Assert.True(double.IsFinite(one.Best));
    }

    /// <summary>The checkpoint is chosen by the policy as deployed: with a zero head (a = 1 everywhere) validation is
    /// each validation job's base, tuned on that job's training range, on the validation day. Until 2026-12-02 the
    /// validators were built before the base was in the metadata and ran on the current parallelism instead.</summary>
    [Theory]
    [InlineData(ActionBase.HpaTuned)]
    [InlineData(ActionBase.MaxTuned)]
    [InlineData(ActionBase.BestTuned)]
    public void Validation_runs_the_policy_on_its_per_job_base(ActionBase kind)
    {
        var jobs = new[] { JobCatalog.Load("random:3:1") };
        var validation = new[] { JobCatalog.Load("small-1"), JobCatalog.Load("medium-2") };
        var model = Model();
        model.HeadWeight.Value.Span.Clear();
        model.HeadBias.Value.Span.Clear();
        var options = Small(bootstrap: 1) with { Base = kind };
        var fleet = new FleetTrainer(model, jobs, validation, Workload, SimOptions.Default, options, jobsPerIteration: 1);
        var train = DataSplit.For(Workload.Length).Train;
        double expected = validation.Average(job =>
        {
            var env = new StreamEnvironment(job, Workload);
            var (hpa, flink) = SureAutoscaler.TuneBase(env, train.Start, train.Minutes, kind);
            return Episode.Run(env, SureAutoscaler.Base(hpa, flink), options.ValidationStart, options.ValidationMinutes, options.ValidationSeed).Reward;
        });
        Assert.Equal(expected, fleet.Validate(), 12);
    }

    [Fact]
    public void The_draw_of_jobs_is_a_function_of_the_seed_and_iteration()
    {
        var jobs = Enumerable.Range(1, 7).Select(s => JobCatalog.Load($"random:3:{s}")).ToArray();
        var options = Small(0) with { ValidationMinutes = 0 };
        var a = new FleetTrainer(Model(), jobs, [], Workload, SimOptions.Default, options, 4);
        var b = new FleetTrainer(Model(), jobs, [], Workload, SimOptions.Default, options, 4);
        var c = new FleetTrainer(Model(), jobs, [], Workload, SimOptions.Default, options with { Seed = 6 }, 4);
        var draws = Enumerable.Range(0, 20).SelectMany(k => Enumerable.Range(0, 4).Select(s => a.JobIndex(k, s))).ToArray();
        Assert.Equal(draws, Enumerable.Range(0, 20).SelectMany(k => Enumerable.Range(0, 4).Select(s => b.JobIndex(k, s))));
        Assert.NotEqual(draws, Enumerable.Range(0, 20).SelectMany(k => Enumerable.Range(0, 4).Select(s => c.JobIndex(k, s))));
        Assert.Equal(7, draws.Distinct().Count());
    }

    // A model whose action is exactly its base (u = 0 on every task), the base tuned per job.
    static SureModel<float> ZeroHead(string baseKind)
    {
        var model = SureModel<float>.Create(new SureConfig { H = 8 }, 3);
        model.HeadWeight.Value.Span.Clear();
        model.HeadBias.Value.Span.Clear();
        model.Metadata[SureAutoscaler.BaseKey] = baseKind;
        model.Metadata[SureAutoscaler.BaseTargetKey] = SureAutoscaler.TunedPerJob;
        return model;
    }

    /// <summary>A fleet checkpoint's residual base is HPA tuned on the job where it runs: on each job, the untrained
    /// (zero-action) policy is hpa-tuned at that job's own target, tuned on the trace's training range.</summary>
    [Fact]
    public void A_per_job_base_is_tuned_on_the_job_it_decides_for()
    {
        var model = ZeroHead(SureAutoscaler.HpaTunedBase);
        var train = DataSplit.For(Workload.Length).Train;
        foreach (string name in new[] { "small-1", "medium-2" })
        {
            var job = JobCatalog.Load(name);
            double target = Tuning.Hpa(new StreamEnvironment(job, Workload), train.Start, train.Minutes, 1).Target;
            var sure = SureAutoscaler.Evaluate(model, job, Workload, SimOptions.Default, 10080, 1440, 4);
            var hpa = Episode.Run(new StreamEnvironment(job, Workload), new HpaAutoscaler(target), 10080, 1440, 4);
            Assert.Equal(hpa, sure);
        }
        Assert.Throws<SureFileException>(() => SureAutoscaler.BaseHeuristic(model.Metadata));
    }

    /// <summary>A best-tuned fleet checkpoint's base is, on each job, hpa-tuned or max-tuned: whichever scores the higher
    /// reward on that job's training range (computed here from the tuned heuristics themselves). The cases hold both
    /// choices, so a base that always took one of them fails.</summary>
    [Fact]
    public void A_best_tuned_base_is_the_better_of_hpa_tuned_and_max_tuned_on_the_training_range()
    {
        var model = ZeroHead(SureAutoscaler.BestTunedBase);
        model.Metadata[SureAutoscaler.FlinkTargetKey] = SureAutoscaler.TunedPerJob;
        var train = DataSplit.For(Workload.Length).Train;
        var chosen = new List<string>();
        foreach (string name in new[] { "small-1", "small-2", "medium-1", "medium-2", "large-1", "large-2" })
        {
            var job = JobCatalog.Load(name);
            var env = new StreamEnvironment(job, Workload);
            var hpa = Tuning.Hpa(env, train.Start, train.Minutes, 1);
            var max = Tuning.Max(env, train.Start, train.Minutes, 1);
            IAutoscaler better = Episode.Run(env, max, train.Start, train.Minutes, 1).Reward > Episode.Run(env, hpa, train.Start, train.Minutes, 1).Reward ? max : hpa;
            chosen.Add(better.Name);
            var sure = SureAutoscaler.Evaluate(model, job, Workload, SimOptions.Default, 10080, 1440, 4);
            Assert.Equal(Episode.Run(new StreamEnvironment(job, Workload), better, 10080, 1440, 4), sure);
        }
        Assert.Contains("hpa-tuned", chosen);
        Assert.Contains("max-tuned", chosen);
        model.Metadata.Remove(SureAutoscaler.FlinkTargetKey);
        model.Metadata[SureAutoscaler.BaseTargetKey] = "0.6";
        Assert.Throws<SureFileException>(() => SureAutoscaler.BaseHeuristic(model.Metadata));
    }
}
