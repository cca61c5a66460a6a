using Sure.Models.Training;
using Sure.Sim;
using Sure.Sim.Autoscalers;

namespace Sure.Models.Tests;

/// <summary>The default recipe's action: a residual on hpa-tuned, a dead band, and the forecast features.</summary>
public class ResidualPolicyTests
{
    static readonly double[] Workload = WorkloadTrace.ClarkNet().Workload();

    static SureModel<float> Residual(double target, float headBias, double deadBand = 0, int d = StreamEnvironment.SpecFeatureCount)
    {
        var model = SureModel<float>.Create(new SureConfig { H = 16, D = d }, seed: 3);
        model.HeadWeight.Value.Span.Clear();
        model.HeadBias.Value.Span.Fill(headBias);
        model.Metadata[SureAutoscaler.BaseKey] = SureAutoscaler.HpaTunedBase;
        model.Metadata[SureAutoscaler.BaseTargetKey] = target.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (deadBand > 0) model.Metadata[SureAutoscaler.DeadBandKey] = deadBand.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return model;
    }

    /// <summary>m = 0 gives a = 1: the residual policy is exactly HPA at its base target, minute for minute.</summary>
    [Fact]
    public void A_zero_action_is_the_base_heuristic()
    {
        var job = JobCatalog.Load("small-2");
        var sure = SureAutoscaler.Evaluate(Residual(0.65, 0), job, Workload, SimOptions.Default, 10080, 1440, 4);
        var hpa = Episode.Run(new StreamEnvironment(job, Workload), new HpaAutoscaler(0.65), 10080, 1440, 4);
        Assert.Equal(hpa, sure);
        Assert.True(hpa.Rescales > 0);
    }

    /// <summary>m = ln(7 / 3) gives a = 2 sigmoid(m) = 1.4: every task gets round(1.4 p_hpa) (never a half, so float
    /// rounding of m cannot tip it).</summary>
    [Fact]
    public void The_ratio_multiplies_the_base_heuristics_recommendation()
    {
        var env = new StreamEnvironment(JobCatalog.Load("small-1"), Workload);
        var policy = new SureAutoscaler(Residual(0.65, MathF.Log(7f / 3)), env, 1);
        var p = new int[env.TaskCount];
        policy.Initialize(env, p);
        env.Reset(600, p, 1);
        env.Step(p);
        var hpa = (int[])p.Clone();
        new HpaAutoscaler(0.65).Decide(env, hpa);
        policy.Decide(env, p);
        Assert.Equal(hpa.Select(q => (int)Math.Clamp(Math.Round(1.4 * q), 1, 64)), p);
        Assert.NotEqual(hpa, p);
    }

    [Theory]
    [InlineData(0.15, 0.1, 1.0)]          // 2 sigmoid(0.15) = 1.0749: inside the band
    [InlineData(-0.19, 0.1, 1.0)]         // 0.9053
    [InlineData(0.25, 0.1, 1.1243530)]    // outside: the ratio itself
    [InlineData(0.15, 0.0, 1.0748596)]    // no band: SPEC 4.4
    public void The_dead_band_holds_ratios_near_one(double u, double band, double expected) =>
        Assert.Equal(expected, DecisionMath.Ratio(u, band), 6);

    [Fact]
    public void Bad_residual_metadata_is_one_clear_error()
    {
        var model = Residual(0.65, 0);
        model.Metadata[SureAutoscaler.BaseTargetKey] = "1.5";
        Assert.Contains("action_base_target", Assert.Throws<SureFileException>(() => SureAutoscaler.BaseHeuristic(model)).Message);
        model.Metadata[SureAutoscaler.BaseKey] = "ds2";
        Assert.Contains("unknown action_base 'ds2'", Assert.Throws<SureFileException>(() => SureAutoscaler.BaseHeuristic(model)).Message);
        model.Metadata[SureAutoscaler.DeadBandKey] = "NaN";
        Assert.Contains("dead_band", Assert.Throws<SureFileException>(() => SureAutoscaler.DeadBand(model)).Message);
    }

    /// <summary>Forecast features (D = 11): minute t of the trace carries sin and cos of its time of day and its place in
    /// the span; SPEC 3's eight are unchanged.</summary>
    [Fact]
    public void Forecast_features_give_time_of_day_and_place_in_the_span()
    {
        var job = JobCatalog.Load("small-1");
        var plain = new StreamEnvironment(job, Workload);
        var forecast = new StreamEnvironment(job, Workload, SimOptions.Default with { ForecastFeatures = true });
        Assert.Equal((8, 11), (plain.FeatureCount, forecast.FeatureCount));
        var p = new int[job.TaskCount];
        Array.Fill(p, 4);
        foreach (var env in new[] { plain, forecast })
        {
            env.Reset(1800, p, 5);      // 06:00 on day 2
            env.Step(p);
        }
        int n = job.TaskCount;
        for (int l = 0; l < 60; l++)
            for (int i = 0; i < n; i++)
            {
                var a = plain.Snapshots.Slice((l * n + i) * 8, 8).ToArray();
                var b = forecast.Snapshots.Slice((l * n + i) * 11, 11).ToArray();
                Assert.Equal(a, b[..8]);
                double angle = 2 * Math.PI * ((1800 + l) % 1440) / 1440;
                Assert.Equal(Math.Sin(angle), b[8], 5);
                Assert.Equal(Math.Cos(angle), b[9], 5);
                Assert.Equal(l / 59.0, b[10], 5);
            }
        Assert.Equal(1.0, forecast.Snapshots[(0 * n) * 11 + 8], 6);       // 06:00: sin(pi / 2) = 1
    }

    // A trainer for small-1 with the given residual base built (its constructor tunes the base and writes the metadata).
    static (JobGraph Job, SureModel<float> Model) TrainerOn(ActionBase actionBase)
    {
        var job = JobCatalog.Load("small-1");
        var model = SureTrainer.CreateModel(new SureConfig { H = 8, D = 11 }, 1);
        _ = new SureTrainer(model, job, Workload, SimOptions.Default,
            new TrainOptions { Base = actionBase, DeadBand = 0.1, Threads = 1, Rollouts = 2, WindowHours = 2 });
        return (job, model);
    }

    /// <summary>The trainer writes the residual's base, its tuned target and the dead band into the model's metadata,
    /// so that every reader decides as the rollouts did; the target is hpa-tuned's on the training range.</summary>
    [Fact]
    public void The_trainer_records_the_base_and_dead_band_in_the_model()
    {
        var (job, model) = TrainerOn(ActionBase.HpaTuned);
        double target = Tuning.Hpa(new StreamEnvironment(job, Workload), 0, 8640, 1).Target;
        Assert.Equal(target, Assert.IsType<HpaAutoscaler>(SureAutoscaler.BaseHeuristic(model)).Target);
        Assert.Equal(0.1, SureAutoscaler.DeadBand(model));
    }

    /// <summary>A residual on max-tuned: both targets tuned on the training range, recorded, and read back as the max of
    /// the two heuristics; the policy library refuses it with a message that says why.</summary>
    [Fact]
    public void The_trainer_records_a_max_tuned_base_with_both_targets()
    {
        var (job, model) = TrainerOn(ActionBase.MaxTuned);
        var env = new StreamEnvironment(job, Workload);
        Assert.Equal(SureAutoscaler.MaxTunedBase, model.Metadata[SureAutoscaler.BaseKey]);
        var max = Assert.IsType<MaxAutoscaler>(SureAutoscaler.BaseHeuristic(model));
        Assert.Equal(Tuning.Hpa(env, 0, 8640, 1).Target, Assert.IsType<HpaAutoscaler>(max.First).Target);
        Assert.Equal(Tuning.Flink(env, 0, 8640, 1).Target, Assert.IsType<FlinkAutoscaler>(max.Second).Target);
        var residual = ResidualBase.FromMetadata(model.Metadata);
        Assert.Equal(((FlinkAutoscaler)max.Second).Target, residual.FlinkTarget);

        model.Metadata.Remove(SureAutoscaler.FlinkTargetKey);
        Assert.Contains("action_base_flink_target", Assert.Throws<SureFileException>(() => SureAutoscaler.BaseHeuristic(model)).Message);
    }
}
