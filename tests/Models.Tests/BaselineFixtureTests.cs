using Sure.Models.Baselines;
using Sure.Sim;

namespace Sure.Models.Tests;

/// <summary>
/// The five baselines against their PyTorch references (tests/models/baselines_reference.py: dense maths,
/// torch's GRUCell and LSTMCell, F.conv1d), on two job shapes: action means and every parameter's gradient of
/// sum(m * dy), in double tightly and in float loosely.
/// </summary>
public class BaselineFixtureTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var architecture in new[] { "deepwave", "dream", "tvw-rl", "astgcn", "ccrnn" })
            foreach (var shape in new[] { "diamond", "seven" }) data.Add(architecture, shape);
        return data;
    }

    static string PathOf(string architecture, string shape, string part) =>
        Path.Combine(AppContext.BaseDirectory, "fixtures", "baselines", $"{architecture}.{shape}.{part}.safetensors");

    // The job from the fixture's (parent, child) edges; its topological order must be the reference's (DREAM's GRU runs along it).
    static JobGraph Job(SafetensorsFile expected)
    {
        var edges = expected.GetInt32("edges").Values;
        int n = expected.GetDouble("snapshots").Shape[2];
        var parents = Enumerable.Range(0, n).Select(_ => new List<int>()).ToArray();
        for (int e = 0; e < edges.Length / 2; e++) parents[edges[2 * e + 1]].Add(edges[2 * e]);
        var job = JobGraph.Create("fixture", [.. Enumerable.Repeat(1.0, n)], [.. parents.Select(p => p.ToArray())]);
        Assert.Equal(expected.GetInt32("order").Values, job.TopologicalOrder.ToArray());
        return job;
    }

    static BaselineBatch<T> Batch<T>(JobGraph job, SafetensorsArray<double> snapshots) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int[] s = snapshots.Shape;   // [B, L, n, D]
        var batch = new BaselineBatch<T>(job, s[0], s[1], s[3]);
        var into = batch.Snapshots.Span;
        for (int k = 0; k < snapshots.Values.Length; k++) into[k] = T.CreateChecked(snapshots.Values[k]);
        return batch;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Double_matches_pytorch(string architecture, string shape)
    {
        var file = SafetensorsFile.Read(PathOf(architecture, shape, "model"));
        var expected = SafetensorsFile.Read(PathOf(architecture, shape, "expected"));
        var job = Job(expected);
        var network = PolicyNetworks.Empty<double>(architecture, SureConfig.FromJson(file.Metadata["config"]), job.TaskCount);
        network.LoadFrom(file);
        var tape = new Tape<double>();
        network.Parameters.ZeroGrad();
        var m = network.ActionMeans(tape, Batch<double>(job, expected.GetDouble("snapshots")));
        Fixtures.AssertClose(expected.GetDouble("m").Values, m.Value.Span, 1e-10, 1e-9, $"{architecture}.{shape} m");
        tape.Backward(m, expected.GetDouble("dy").Values);
        foreach (var parameter in network.Parameters)
        {
            var want = expected.GetDouble($"grad.{parameter.Name}").Values;
            Fixtures.AssertClose(want, parameter.Grad.Span, 1e-10 * (1 + Fixtures.MaxAbs(want)), 1e-8, $"{architecture}.{shape} grad.{parameter.Name}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float_matches_pytorch(string architecture, string shape)
    {
        var expected = SafetensorsFile.Read(PathOf(architecture, shape, "expected"));
        var job = Job(expected);
        var network = (IBaselineNetwork<float>)PolicyNetworks.FromSafetensors(SafetensorsFile.Read(PathOf(architecture, shape, "model")));
        var m = network.ActionMeans(new Tape<float>(inference: true), Batch<float>(job, expected.GetDouble("snapshots")));
        var want = expected.GetDouble("m").Values;
        Fixtures.AssertClose(want, m.Value.Span, 1e-4 * (1 + Fixtures.MaxAbs(want)), 1e-4, $"{architecture}.{shape} m (float)");
    }
}
