using Sure.Autodiff;
using Sure.Models;
using Sure.Sim;

namespace Sure.Policy.Tests;

/// <summary>Weights as SPEC 8 says, read by the library: sizes from the shapes, metadata optional, defects one error.</summary>
public class PolicyWeightsTests
{
    static string Save(SafetensorsFile file)
    {
        string path = Path.Combine(Path.GetTempPath(), $"sure-policy-weights-{Guid.NewGuid():N}.safetensors");
        file.Write(path);
        return path;
    }

    /// <summary>A file with no metadata at all (as another implementation would write it), H = 24 and E = 3: the sizes
    /// come from the shapes, and a session decides as the trainer's model class does on the same file.</summary>
    [Fact]
    public void Weights_without_metadata_load_with_their_shapes_sizes()
    {
        var model = SureModel<float>.Create(new SureConfig { H = 24, E = 3 }, seed: 9);
        var file = model.ToSafetensors();
        file.Metadata.Clear();
        string path = Save(file);
        try
        {
            var weights = PolicyWeights.Load(path);
            Assert.Equal((8, 24, 3), (weights.Config.D, weights.Config.H, weights.Config.E));
            Assert.Null(weights.Base.HpaTarget);
            Assert.Equal(0, weights.Base.DeadBand);

            var job = JobCatalog.Load("small-2");
            var table = DecisionJob.Table(job);
            var reference = new SureDecider(SureModel<float>.Load(path).DecisionWeights, table);
            var session = new PolicySession(weights, TestModels.Dag(job), Enumerable.Repeat(4, job.TaskCount).ToArray(), new PolicyOptions { Seed = 3 });
            var metrics = new TaskMetrics[job.TaskCount];
            for (int m = 0; m < 60; m++)
            {
                for (int i = 0; i < job.TaskCount; i++) metrics[i] = new TaskMetrics(1000 + 37 * m + 100 * i, 0.3 + 0.01 * i, 4, 2 + 0.1 * m, m % 7);
                session.Observe(metrics, m);
            }
            var expected = new int[job.TaskCount];
            reference.Decide(session.Snapshots, session.OldestSnapshot, Enumerable.Repeat(4, job.TaskCount).ToArray(), 3, 0, expected);
            var decision = session.Decide();
            Assert.Equal(expected, decision.Parallelism.ToArray());
            Assert.Equal(reference.ActionMeans.ToArray(), decision.ActionMeans.ToArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_model_reading_features_a_host_cannot_feed_is_refused()
    {
        string path = Save(SureModel<float>.Create(new SureConfig { D = 7, H = 8 }, seed: 1).ToSafetensors());
        try { Assert.Contains("D = 7", Assert.Throws<SureFileException>(() => PolicyWeights.Load(path)).Message); }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_non_finite_weight_is_refused_with_its_name()
    {
        var model = SureModel<float>.Create(new SureConfig { H = 8 }, seed: 1);
        model.SageWeights[1].Value.Span[5] = float.NaN;
        string path = Save(model.ToSafetensors());
        try
        {
            var message = Assert.Throws<SureFileException>(() => PolicyWeights.Load(path)).Message;
            Assert.Contains("sage.1.weight", message);
            Assert.Contains("index 5", message);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData(ResidualBase.BaseKey, "ds2", "unknown action_base")]
    [InlineData(ResidualBase.DeadBandKey, "1.5", "dead_band")]
    public void A_rule_the_library_cannot_apply_is_refused(string key, string value, string expected)
    {
        var model = SureModel<float>.Create(new SureConfig { H = 8 }, seed: 1);
        model.Metadata[key] = value;
        string path = Save(model.ToSafetensors());
        try { Assert.Contains(expected, Assert.Throws<SureFileException>(() => PolicyWeights.Load(path)).Message); }
        finally { File.Delete(path); }
    }

    /// <summary>A fleet model's base is tuned per job: a session needs the host's target, and with it decides as the same
    /// weights with that target written in.</summary>
    [Fact]
    public void A_per_job_base_takes_the_hosts_target()
    {
        string perJob = TestModels.Write(8, seed: 4, baseTarget: 0.6, edit: m => m.Metadata[ResidualBase.BaseTargetKey] = ResidualBase.TunedPerJob);
        string stated = TestModels.Write(8, seed: 4, baseTarget: 0.6);
        try
        {
            var job = new JobDag(["a", "b", "c"], [("a", "b"), ("a", "c")]);
            var fleet = PolicyWeights.Load(perJob);
            Assert.True(fleet.Base.TargetPerJob);
            Assert.Contains("BaseTarget", Assert.Throws<ArgumentException>(() => new PolicySession(fleet, job, [4, 4, 4])).Message);
            var withTarget = new PolicySession(fleet, job, [4, 4, 4], new PolicyOptions { BaseTarget = 0.6 });
            var reference = new PolicySession(PolicyWeights.Load(stated), job, [4, 4, 4]);
            for (int m = 0; m < 60; m++)
            {
                TaskMetrics[] minute = [new(5000, 0.9, 4, 1, 0), new(2500, 0.2 + 0.01 * m, 4, 1, 0), new(2500, 0.5, 4, 1, 3)];
                withTarget.Observe(minute, m);
                reference.Observe(minute, m);
            }
            var expected = reference.Decide().Parallelism.ToArray();
            Assert.Equal(expected, withTarget.Decide().Parallelism.ToArray());
        }
        finally
        {
            File.Delete(perJob);
            File.Delete(stated);
        }
    }
    /// <summary>A residual on max-tuned reads back with both targets; a session refuses it with a message naming the
    /// base (the library implements the HPA base only), instead of deciding as a different policy.</summary>
    [Fact]
    public void A_max_tuned_base_is_read_and_refused_by_sessions()
    {
        string path = TestModels.Write(8, seed: 4, baseTarget: 0.6, edit: m =>
        {
            m.Metadata[ResidualBase.BaseKey] = ResidualBase.MaxTunedBase;
            m.Metadata[ResidualBase.FlinkTargetKey] = "0.5";
        });
        try
        {
            var weights = PolicyWeights.Load(path);
            Assert.Equal(0.6, weights.Base.HpaTarget);
            Assert.Equal(0.5, weights.Base.FlinkTarget);
            var job = new JobDag(["a", "b", "c"], [("a", "b"), ("a", "c")]);
            Assert.Contains("max-tuned", Assert.Throws<ArgumentException>(() => new PolicySession(weights, job, [4, 4, 4])).Message);
        }
        finally { File.Delete(path); }
    }

    /// <summary>A best-tuned fleet base (hpa-tuned or max-tuned, chosen per job) reads back as per job with both targets
    /// to tune; sessions refuse it, naming it; with a fixed target instead of per-job the file is refused.</summary>
    [Fact]
    public void A_best_tuned_base_is_read_as_per_job_and_refused_by_sessions()
    {
        string perJob = TestModels.Write(8, seed: 4, baseTarget: 0.6, edit: m =>
        {
            m.Metadata[ResidualBase.BaseKey] = ResidualBase.BestTunedBase;
            m.Metadata[ResidualBase.BaseTargetKey] = ResidualBase.TunedPerJob;
            m.Metadata[ResidualBase.FlinkTargetKey] = ResidualBase.TunedPerJob;
        });
        string fixedTarget = TestModels.Write(8, seed: 4, baseTarget: 0.6, edit: m => m.Metadata[ResidualBase.BaseKey] = ResidualBase.BestTunedBase);
        try
        {
            var weights = PolicyWeights.Load(perJob);
            Assert.True(weights.Base.TargetPerJob);
            Assert.True(weights.Base.BestOfTwo);
            Assert.True(double.IsNaN(weights.Base.FlinkTarget!.Value));
            var job = new JobDag(["a", "b", "c"], [("a", "b"), ("a", "c")]);
            Assert.Contains("best-tuned", Assert.Throws<ArgumentException>(() =>
                new PolicySession(weights, job, [4, 4, 4], new PolicyOptions { BaseTarget = 0.6 })).Message);
            Assert.Contains("per-job", Assert.Throws<SureFileException>(() => PolicyWeights.Load(fixedTarget)).Message);
        }
        finally
        {
            File.Delete(perJob);
            File.Delete(fixedTarget);
        }
    }
}
