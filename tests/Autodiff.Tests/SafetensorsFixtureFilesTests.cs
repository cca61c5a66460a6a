using Sure.Autodiff;

namespace Sure.Autodiff.Tests;

/// <summary>
/// The committed PyTorch fixtures (tests/fixtures, see FIXTURES.md) parse with our reader and hold the tensors
/// the contract names. Comparing op outputs against them is the autodiff tests' job.
/// </summary>
public class SafetensorsFixtureFilesTests
{
    private static readonly string FixtureDir = Path.Combine(AppContext.BaseDirectory, "fixtures");

    /// <summary>Float and index input counts of every op in the contract's table.</summary>
    private static readonly Dictionary<string, (int Floats, int Indices)> Ops = new()
    {
        ["matmul"] = (2, 0), ["add"] = (2, 0), ["add_bias"] = (2, 0), ["mul"] = (2, 0),
        ["sigmoid"] = (1, 0), ["softplus"] = (1, 0), ["relu"] = (1, 0), ["tanh"] = (1, 0), ["exp"] = (1, 0), ["log"] = (1, 0),
        ["clamp"] = (1, 0), ["concat"] = (2, 0), ["gather_rows"] = (1, 1), ["csr_mean"] = (1, 1), ["segment_mean"] = (1, 1),
        ["sum"] = (1, 0), ["mean"] = (1, 0), ["row_dot"] = (2, 0), ["bilinear"] = (3, 0), ["softmax_rows"] = (1, 0),
        ["log_softmax_rows"] = (1, 0), ["stop_gradient"] = (2, 0), ["gaussian_log_density"] = (3, 0),
        ["csr_weighted_sum"] = (2, 1),
    };

    private static readonly string[] CompositeParameters = ["x", "W0", "b0", "W1", "b1", "Wd", "f"];

    private static string OpOf(string path) => Path.GetFileName(path).Split('.')[0];

    private static string[] OpFiles() => Directory.GetFiles(Path.Combine(FixtureDir, "ops"), "*.safetensors");

    [Fact]
    public void EveryContractOpHasAtLeastTwoCasesAndNoUnknownOpIsPresent()
    {
        var counts = OpFiles().GroupBy(OpOf).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Ops.Keys.Order(), counts.Keys.Order());
        Assert.All(counts, pair => Assert.True(pair.Value >= 2, $"{pair.Key} has {pair.Value} case(s)"));
    }

    [Fact]
    public void EveryOpFileHoldsInputsOutputUpstreamGradientAndGradients()
    {
        foreach (var path in OpFiles())
        {
            var file = SafetensorsFile.Read(path);
            var (floats, indices) = Ops[OpOf(path)];
            var expected = new List<string> { "y", "dy" };
            for (int k = 0; k < floats; k++) expected.AddRange([$"x{k}", $"dx{k}"]);
            for (int k = 0; k < indices; k++) expected.Add($"i{k}");
            Assert.Equal(expected.Order(StringComparer.Ordinal), file.Names.Order(StringComparer.Ordinal));

            foreach (var name in expected)
                Assert.Equal(name.StartsWith('i') ? SafetensorsDtype.I32 : SafetensorsDtype.F64, file[name].Dtype);
            Assert.Equal(file["y"].Shape, file["dy"].Shape);
            for (int k = 0; k < floats; k++) Assert.Equal(file[$"x{k}"].Shape, file[$"dx{k}"].Shape);
            Assert.All(file.GetDouble("y").Values, v => Assert.True(double.IsFinite(v), path));
        }
    }

    [Fact]
    public void ClampFilesCarryTheirBoundsAsDecimalMetadata()
    {
        foreach (var path in OpFiles().Where(p => OpOf(p) == "clamp"))
        {
            var file = SafetensorsFile.Read(path);
            double lo = double.Parse(file.Metadata["lo"], System.Globalization.CultureInfo.InvariantCulture);
            double hi = double.Parse(file.Metadata["hi"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(lo < hi);
            Assert.All(file.GetDouble("y").Values, v => Assert.InRange(v, lo, hi));
        }
    }

    [Fact]
    public void AddFixturesAgreeWithTheirDefinition()
    {
        // A cheap check that the generator wrote what the contract says: y = x0 + x1 and both gradients are dy.
        foreach (var path in OpFiles().Where(p => OpOf(p) == "add"))
        {
            var file = SafetensorsFile.Read(path);
            double[] x0 = file.GetDouble("x0").Values, x1 = file.GetDouble("x1").Values, y = file.GetDouble("y").Values;
            double[] dy = file.GetDouble("dy").Values;
            for (int i = 0; i < y.Length; i++) Assert.Equal(x0[i] + x1[i], y[i], 12);
            Assert.Equal(dy, file.GetDouble("dx0").Values);
            Assert.Equal(dy, file.GetDouble("dx1").Values);
        }
    }

    [Fact]
    public void CompositeFilesHoldInputsOutputsAndParameterGradients()
    {
        var paths = Directory.GetFiles(FixtureDir, "composite.*.safetensors");
        Assert.True(paths.Length >= 2);
        bool sawSingleGraph = false;
        foreach (var path in paths)
        {
            var file = SafetensorsFile.Read(path);
            string[] outputs = ["h1", "h2", "hg", "T", "I"];
            var expected = CompositeParameters.Concat(CompositeParameters.Select(p => "grad." + p)).Concat(outputs).Append("edges").Append("seg");
            Assert.Equal(expected.Order(StringComparer.Ordinal), file.Names.Order(StringComparer.Ordinal));
            Assert.Equal(SafetensorsDtype.I32, file["edges"].Dtype);
            Assert.Equal(SafetensorsDtype.I32, file["seg"].Dtype);
            foreach (var p in CompositeParameters)
            {
                Assert.Equal(SafetensorsDtype.F64, file[p].Dtype);
                Assert.Equal(file[p].Shape, file["grad." + p].Shape);
            }
            Assert.Equal([1], file["I"].Shape);
            var seg = file.GetInt32("seg").Values;
            int batches = seg.Length - 1;
            Assert.Equal([batches, batches], file["T"].Shape);
            Assert.Equal(file["x"].Shape[0], seg[^1]);
            sawSingleGraph |= batches == 1;
        }
        Assert.True(sawSingleGraph, "the contract requires a case with B = 1");
    }
}
