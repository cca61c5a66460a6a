using System.Globalization;
using Sure.Models;
using Sure.Sim;

namespace Sure.Policy.Tests;

/// <summary>Weights files for the tests, written by the trainer's model class and read back by both sides.</summary>
static class TestModels
{
    /// <summary>A seeded model saved to a temporary file; residual on hpa-tuned at <paramref name="baseTarget"/> when given.</summary>
    public static string Write(int d, ulong seed, double? baseTarget = null, double deadBand = 0, int h = 16, Action<SureModel<float>>? edit = null)
    {
        var model = SureModel<float>.Create(new SureConfig { D = d, H = h }, seed);
        if (baseTarget is double target)
        {
            model.Metadata[ResidualBase.BaseKey] = ResidualBase.HpaTunedBase;
            model.Metadata[ResidualBase.BaseTargetKey] = target.ToString("R", CultureInfo.InvariantCulture);
        }
        if (deadBand > 0) model.Metadata[ResidualBase.DeadBandKey] = deadBand.ToString("R", CultureInfo.InvariantCulture);
        edit?.Invoke(model);
        string path = Path.Combine(Path.GetTempPath(), $"sure-policy-test-{Guid.NewGuid():N}.safetensors");
        model.Save(path);
        return path;
    }

    /// <summary>A model whose action mean is <paramref name="headBias"/> for every task, whatever the input (head.weight = 0).</summary>
    public static string Constant(float headBias, int d = StreamEnvironment.SpecFeatureCount) =>
        Write(d, seed: 5, edit: m =>
        {
            m.HeadWeight.Value.Span.Clear();
            m.HeadBias.Value.Span.Fill(headBias);
        });

    /// <summary>A job's DAG as the library takes it, tasks named t0, t1, ...</summary>
    public static JobDag Dag(JobGraph job)
    {
        var names = Enumerable.Range(0, job.TaskCount).Select(i => $"t{i}").ToArray();
        var edges = new List<(string, string)>();
        for (int e = 0; e < job.Edges.Length; e += 2) edges.Add((names[job.Edges[e]], names[job.Edges[e + 1]]));
        return new JobDag(names, edges);
    }

    /// <summary>Minute m of the simulator's last span as a host would report it.</summary>
    public static void Metrics(SpanRecord span, int minute, Span<TaskMetrics> metrics)
    {
        for (int i = 0; i < span.TaskCount; i++)
            metrics[i] = new TaskMetrics(span.At(span.Input, minute, i), span.At(span.Utilization, minute, i), span.Parallelism[i],
                60 * span.At(span.TaskLatency, minute, i), span.At(span.Backlog, minute, i), span.At(span.Capacity, minute, i));
    }
}
