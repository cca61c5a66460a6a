using System.Globalization;
using Sure.Autodiff;
using Sure.Tensors;

namespace Sure.Autodiff.Tests;

/// <summary>
/// Reads the PyTorch fixtures of tests/fixtures (layout in FIXTURES.md, copied next to the test assembly) into an
/// <see cref="OpCase"/>, so a fixture op is built on the tape by the same code as the property tests.
/// </summary>
public static class FixtureOps
{
    public static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "fixtures");

    /// <summary>File names such as "clamp.1.safetensors" under fixtures/ops, sorted.</summary>
    public static string[] OpFileNames() => FileNames(Path.Combine(Dir, "ops"), "*.safetensors");

    /// <summary>File names such as "composite.0.safetensors" under fixtures, sorted.</summary>
    public static string[] CompositeFileNames() => FileNames(Dir, "composite.*.safetensors");

    public static string OpOf(string fileName) => fileName.Split('.')[0];

    public static SafetensorsFile ReadOp(string fileName) => SafetensorsFile.Read(Path.Combine(Dir, "ops", fileName));

    /// <summary>
    /// Float inputs x0, x1.. in order; i0 is the index input (gather_rows, segment_mean) or, for csr_mean, the
    /// [E, 2] directed (src, dst) edges; clamp takes lo and hi from the metadata.
    /// </summary>
    public static OpCase Load(SafetensorsFile file, string op)
    {
        var shapes = new List<Shape>();
        var values = new List<double[]>();
        for (int k = 0; file.Contains($"x{k}"); k++)
        {
            var (v, dims) = file.GetDouble($"x{k}");
            shapes.Add(new Shape(dims));
            values.Add(v);
        }
        int[] ints = file.Contains("i0") ? file.GetInt32("i0").Values : [];
        bool isGraph = op is "csr_mean" or "csr_weighted_sum";
        return new OpCase
        {
            Op = op,
            Shapes = [.. shapes],
            Values = [.. values],
            Index = op == "csr_weighted_sum" ? OpCase.EntryEdges(shapes[0][0], Destinations(ints)) : isGraph ? [] : ints,
            Graph = isGraph ? Graph(ints, nodes: shapes[0][0], undirected: false) : null,
            NoGrad = op == "stop_gradient" ? [false, true] : null,
            Lo = op == "clamp" ? Attribute(file, "lo") : OpCase.ClampLo,
            Hi = op == "clamp" ? Attribute(file, "hi") : OpCase.ClampHi,
        };
    }

    static int[] Destinations(int[] edges) => [.. Enumerable.Range(0, edges.Length / 2).Select(e => edges[2 * e + 1])];

    /// <summary>edges: row-major [E, 2] pairs (src, dst); rows of the graph are the destinations.</summary>
    public static Csr Graph(int[] edges, int nodes, bool undirected)
    {
        var src = new int[edges.Length / 2];
        var dst = new int[edges.Length / 2];
        for (int e = 0; e < src.Length; e++)
        {
            src[e] = edges[2 * e];
            dst[e] = edges[2 * e + 1];
        }
        return Csr.FromEdges(nodes, src, dst, undirected);
    }

    /// <summary>The op names in the first column of the "## Ops" table of FIXTURES.md ("a, b" cells name several).</summary>
    public static List<string> ContractOps()
    {
        var ops = new List<string>();
        bool inOpsSection = false;
        foreach (var line in File.ReadLines(Path.Combine(Dir, "FIXTURES.md")))
        {
            if (line.StartsWith("## ")) inOpsSection = line.StartsWith("## Ops");
            if (!inOpsSection || !line.StartsWith('|')) continue;
            string firstCell = line.Split('|')[1].Trim();
            if (firstCell == "op" || firstCell.StartsWith("---")) continue;
            ops.AddRange(firstCell.Split(',', StringSplitOptions.TrimEntries));
        }
        return ops;
    }

    static double Attribute(SafetensorsFile file, string name) =>
        double.Parse(file.Metadata[name], NumberStyles.Float, CultureInfo.InvariantCulture);

    static string[] FileNames(string dir, string pattern) =>
        [.. Directory.GetFiles(dir, pattern).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal)];
}
