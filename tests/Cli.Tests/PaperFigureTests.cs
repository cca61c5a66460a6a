using System.Globalization;
using System.Xml.Linq;
using Sure.Cli.Plots;

namespace Sure.Cli.Tests;

public class PaperFigureTests
{
    static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    static XDocument Parse(SvgFigure figure)
    {
        var doc = XDocument.Parse(figure.ToSvg());
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        return doc;
    }

    static List<XElement> WithClass(XDocument doc, string name, string cls) =>
        doc.Descendants(Svg + name).Where(e => (string?)e.Attribute("class") == cls).ToList();

    static List<string> Texts(XDocument doc) => doc.Descendants(Svg + "text").Select(t => t.Value).ToList();

    static double Number(XElement e, string attribute) => double.Parse((string)e.Attribute(attribute)!, CultureInfo.InvariantCulture);

    /// <summary>The vertical extent of a whisker's path "M x,y1 L x,y2 M …": its first two points.</summary>
    static double WhiskerLength(XElement whisker)
    {
        var points = ((string)whisker.Attribute("d")!).Split(' ').Take(2)
            .Select(p => double.Parse(p.TrimStart('M', 'L').Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
        return Math.Abs(points[1] - points[0]);
    }

    /// <summary>Lightness as the sum of the red, green and blue channels of "#rrggbb".</summary>
    static int Lightness(string colour) =>
        Enumerable.Range(0, 3).Sum(k => int.Parse(colour.Substring(1 + 2 * k, 2), NumberStyles.HexNumber));

    [Fact]
    public void LineChartWithErrorBarsReferenceAndLabels()
    {
        var chart = new ChartFigure { Title = "Sensitivity to the MI weight", XLabel = "MI weight", YLabel = "mean reward (per hour)" };
        chart.AddLine("SURE", [0.0, 0.1, 0.2, 0.3, 0.4], [-5, -4, -3.5, double.NaN, -4], [1, 2, double.NaN, 0.5, 0])
             .AddLine("uniform", [0.0, 0.1, 0.2, 0.3, 0.4], [-6, -6, -5.5, -5, -5.2])
             .ReferenceLine(-4.5, "HPA-tuned");
        var doc = Parse(chart);

        // Whiskers only where the point and its error are finite and the error is not zero: errors 1 and 2.
        var whiskers = WithClass(doc, "path", "whisker");
        Assert.Equal(2, whiskers.Count);
        Assert.Equal(2.0, WhiskerLength(whiskers[1]) / WhiskerLength(whiskers[0]), 0.01);
        Assert.True(WhiskerLength(whiskers[0]) > 10);

        var texts = Texts(doc);
        foreach (var text in new[] { "Sensitivity to the MI weight", "MI weight", "mean reward (per hour)", "SURE", "uniform" })
            Assert.Contains(text, texts);
        Assert.Equal(2, texts.Count(t => t == "HPA-tuned")); // the line's own label and its legend entry
        var lines = doc.Descendants(Svg + "path").Where(p => p.Attribute("class") is null).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(2, ((string)lines[0].Attribute("d")!).Count(c => c == 'M')); // the NaN point breaks the line
        Assert.DoesNotContain("NaN", chart.ToSvg());
    }

    [Fact]
    public void WhiskerSpansTheErrorOnTheYAxis()
    {
        // Hand-computed: y from -1 to 3 with error 1 at y = 1; the whisker runs from value 0 to value 2, half the axis.
        var chart = new ChartFigure { Width = 500, Height = 400 };
        chart.AddLine("s", [0.0, 1], [1.0, 1], [1.0, 0]).ReferenceLine(-1, "low").ReferenceLine(3, "high");
        var doc = Parse(chart);
        var frame = doc.Descendants(Svg + "rect").Last();
        double plotHeight = Number(frame, "height");
        Assert.Equal(plotHeight / 2, WhiskerLength(Assert.Single(WithClass(doc, "path", "whisker"))), 0.11);
    }

    [Fact]
    public void LogAxisSpacesDecadesEvenlyAndDropsWhatItCannotShow()
    {
        // Points at 10, 100 and 1000 sit one decade apart, so equally far apart in pixels; 0 and -5 cannot be drawn.
        var chart = new ChartFigure { LogY = true, YLabel = "latency (s)" };
        chart.AddLine("SURE", [1.0, 2, 3, 4, 5], [10.0, 100, 1000, 0, -5], [0.0, 150, 0, 0, 0]);
        var doc = Parse(chart);
        string svg = chart.ToSvg();
        Assert.DoesNotContain("NaN", svg);
        Assert.DoesNotContain("Infinity", svg);
        var texts = Texts(doc);
        foreach (var label in new[] { "10", "100", "1k" }) Assert.Contains(label, texts);

        var line = doc.Descendants(Svg + "path").Single(p => p.Attribute("class") is null);
        var ys = ((string)line.Attribute("d")!).Split(' ', 'M', 'L').Where(t => t.Contains(','))
            .Select(t => double.Parse(t.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(3, ys.Length);
        Assert.Equal(ys[0] - ys[1], ys[1] - ys[2], 0.11);
        Assert.True(ys[0] > ys[1]); // larger values higher up

        // The whisker at 100 +- 150 would reach below zero: it runs from the axis' bottom (the frame's lower edge) to 250.
        var frame = doc.Descendants(Svg + "rect").Last();
        double frameBottom = Number(frame, "y") + Number(frame, "height");
        var whisker = Assert.Single(WithClass(doc, "path", "whisker"));
        double low = double.Parse(((string)whisker.Attribute("d")!).Split(' ')[0].TrimStart('M').Split(',')[1], CultureInfo.InvariantCulture);
        Assert.Equal(frameBottom, low, 0.11);
        double decade = ys[0] - ys[1], high = double.Parse(((string)whisker.Attribute("d")!).Split(' ')[1].TrimStart('L').Split(',')[1], CultureInfo.InvariantCulture);
        Assert.Equal(ys[1] - decade * Math.Log10(2.5), high, 0.11);
    }

    [Theory]
    [InlineData(3.0, 7.0, 1.0, 10.0, 4)]             // within one decade: ticks 1 2 5 10
    [InlineData(100.0, 100.0, 100.0, 1000.0, 4)]     // one value on a decade: the decade above it
    [InlineData(0.5, 30.0, 0.1, 100.0, 4)]           // three decades: a tick per decade
    [InlineData(0.02, 40_000.0, 0.01, 100_000.0, 8)] // seven decades: a tick per decade
    public void LogScaleCoversTheDataInWholeDecades(double lo, double hi, double min, double max, int ticks)
    {
        var scale = NiceScale.CreateLog(lo, hi);
        Assert.Equal(min, scale.Min, 1e-12);
        Assert.Equal(max, scale.Max, 1e-6);
        Assert.Equal(ticks, scale.Ticks.Length);
        Assert.Equal(min, scale.Ticks[0], 1e-12);
        Assert.Equal(max, scale.Ticks[^1], 1e-6);
    }

    [Fact]
    public void ScatterDrawsOneCircleForEachFinitePointAndNamesEverySeries()
    {
        var chart = new ChartFigure { Title = "Task embeddings (t-SNE)" };
        chart.AddScatter("source", [0.0, 1, 2], [0.0, 1, 4])
             .AddScatter("sink", [3.0, double.NaN, 5, 6], [1.0, 2, double.PositiveInfinity, 0]);
        var doc = Parse(chart);
        var points = WithClass(doc, "circle", "point");
        Assert.Equal(5, points.Count);
        // One colour per series, and the two series differ.
        var fills = points.Select(p => (string)p.Attribute("fill")!).ToList();
        Assert.Single(fills.Take(3).Distinct());
        Assert.Single(fills.Skip(3).Distinct());
        Assert.NotEqual(fills[0], fills[3]);
        Assert.Contains("source", Texts(doc));
        Assert.Contains("sink", Texts(doc));
    }

    [Fact]
    public void CategoricalAxisLabelsEachCategory()
    {
        var chart = new ChartFigure { XCategories = ["small-1", "large-1", "large-2"], IncludeZero = true };
        chart.AddLine("SURE", [0.0, 1, 2], [3.0, 4, 5], [0.5, 0.5, 0.5]);
        var doc = Parse(chart);
        var texts = Texts(doc);
        Assert.Contains("small-1", texts);
        Assert.Contains("large-2", texts);
        Assert.Contains("0", texts); // the y axis reaches down to zero
        // Categories are evenly spaced: the three whiskers' x positions step by the same amount.
        var xs = WithClass(doc, "path", "whisker").Select(p => double.Parse(((string)p.Attribute("d")!)[1..].Split(',')[0], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(xs[1] - xs[0], xs[2] - xs[1], 0.11);
    }

    [Fact]
    public void MismatchedLengthsNameTheSeries()
    {
        var chart = new ChartFigure();
        Assert.Contains("'SURE'", Assert.Throws<ArgumentException>(() => chart.AddLine("SURE", [1.0, 2], [1.0])).Message);
        Assert.Contains("'SURE'", Assert.Throws<ArgumentException>(() => chart.AddLine("SURE", [1.0, 2], [1.0, 2], [1.0])).Message);
        Assert.Contains("'SURE'", Assert.Throws<ArgumentException>(() => chart.AddLine("SURE", [1.0], [1.0], [-1.0])).Message);
        Assert.Contains("'tasks'", Assert.Throws<ArgumentException>(() => chart.AddScatter("tasks", [1.0], [])).Message);
    }

    [Fact]
    public void EmptyChartAndTrickyTextStillParse()
    {
        Parse(new ChartFigure());
        const string tricky = "p95 < 5 s & \"fast\"";
        var chart = new ChartFigure { Title = tricky, YLabel = "a&b" };
        chart.AddScatter(tricky, [double.NaN], [1.0]);
        var texts = Texts(Parse(chart));
        Assert.Contains(tricky, texts);
        Assert.Contains("a&b", texts);
    }

    static HeatmapFigure Sampled()
    {
        var values = new double[6, 8];
        for (int r = 0; r < 6; r++)
            for (int c = 0; c < 8; c++) values[r, c] = (r * 8 + c) % 7 / 10.0 + 0.05;
        values[2, 3] = 0.9;   // the largest
        values[4, 6] = 0.01;  // the smallest
        values[1, 1] = double.NaN;
        return new HeatmapFigure(values) { Title = "Sampled subgraph", RowLabel = "task", ColumnLabel = "minute" };
    }

    [Fact]
    public void HeatmapCellsFollowTheScale()
    {
        var map = Sampled().Frame(0, 0, 2, 3, "#D55E00").Frame(4, 6, 1, 1, "#000000");
        var doc = Parse(map);
        var cells = WithClass(doc, "rect", "cell");
        Assert.Equal(6 * 8, cells.Count);
        string Fill(int r, int c) => (string)cells[r * 8 + c].Attribute("fill")!;

        Assert.Equal(HeatmapFigure.MissingColour, Fill(1, 1));
        var finite = Enumerable.Range(0, 48).Where(i => i != 1 * 8 + 1).Select(i => Lightness(Fill(i / 8, i % 8))).ToList();
        Assert.Equal(finite.Min(), Lightness(Fill(2, 3)));
        Assert.Equal(finite.Max(), Lightness(Fill(4, 6)));
        Assert.True(Lightness(Fill(2, 3)) < Lightness(Fill(0, 0)));

        // Cells tile the matrix: each row's cells are the same height and abut with no gap.
        Assert.Equal(Number(cells[0], "x") + Number(cells[0], "width"), Number(cells[1], "x"), 1e-9);
        Assert.Equal(Number(cells[0], "y") + Number(cells[0], "height"), Number(cells[8], "y"), 1e-9);

        var frames = WithClass(doc, "rect", "frame");
        Assert.Equal(2, frames.Count);
        Assert.Equal("#D55E00", (string)frames[0].Attribute("stroke")!);
        // The first frame covers three columns and two rows of cells exactly.
        Assert.Equal(Number(cells[0], "x"), Number(frames[0], "x"), 1e-9);
        Assert.Equal(Number(cells[3], "x") - Number(cells[0], "x"), Number(frames[0], "width"), 0.11);
        Assert.Equal(Number(cells[16], "y") - Number(cells[0], "y"), Number(frames[0], "height"), 0.11);

        var texts = Texts(doc);
        foreach (var text in new[] { "Sampled subgraph", "task", "minute", "0", "0.9", "none" }) Assert.Contains(text, texts);
    }

    [Fact]
    public void ScaleRunsFromZeroToTheLargestValueAndColoursAreMonotone()
    {
        Assert.Equal((0.0, 0.9), Sampled().Scale());
        Assert.Equal((0.0, 2.0), new HeatmapFigure(new double[,] { { 1, 0.5 } }) { ScaleMax = 2 }.Scale());
        Assert.Equal((0.0, 1.0), new HeatmapFigure(new double[,] { { 0, double.NaN } }).Scale());
        Assert.Equal("#ffffff", HeatmapFigure.CellColour(0, 0, 1));
        Assert.Equal("#08306b", HeatmapFigure.CellColour(1, 0, 1));
        Assert.Equal("#08306b", HeatmapFigure.CellColour(7, 0, 1)); // past the top is clamped
        var lightness = Enumerable.Range(0, 101).Select(k => Lightness(HeatmapFigure.CellColour(k / 100.0, 0, 1))).ToList();
        Assert.All(lightness.Zip(lightness.Skip(1)), pair => Assert.True(pair.Second <= pair.First));
    }

    [Fact]
    public void AtMostFifteenTickLabelsPerAxis()
    {
        Assert.Equal([0, 1, 2], HeatmapFigure.TickIndices(3));
        Assert.Equal(15, HeatmapFigure.TickIndices(15).Count());
        Assert.Equal([0, 2, 4, 6, 8, 10, 12, 14], HeatmapFigure.TickIndices(16));
        Assert.Equal(Enumerable.Range(0, 15).Select(k => 7 * k), HeatmapFigure.TickIndices(100));

        var map = new HeatmapFigure(new double[40, 100]) { ColumnTicks = Enumerable.Range(0, 100).Select(c => $"job-{c}").ToArray() };
        var texts = Texts(Parse(map));
        Assert.Equal(15, texts.Count(t => t.StartsWith("job-")));
        Assert.Contains("job-98", texts);
        Assert.DoesNotContain("job-99", texts);
        // Row numbers 0, 3, …, 39 (14 of 40), then the colour bar's ends 0 and 1 (an all-zero matrix gets the scale 0 to 1).
        var numbers = texts.Where(t => int.TryParse(t, out _));
        Assert.Equal(Enumerable.Range(0, 14).Select(k => (3 * k).ToString(CultureInfo.InvariantCulture)).Concat(["0", "1"]).Order(), numbers.Order());
    }

    [Fact]
    public void HeatmapRejectsBadShapesTicksAndFrames()
    {
        Assert.Throws<ArgumentException>(() => new HeatmapFigure(new double[0, 3]));
        var map = new HeatmapFigure(new double[2, 3]);
        Assert.Contains("3 row tick labels for 2 rows", Assert.Throws<ArgumentException>(() => map.RowTicks = ["a", "b", "c"]).Message);
        Assert.ThrowsAny<ArgumentException>(() => map.Frame(1, 1, 2, 1, "red"));
        Assert.ThrowsAny<ArgumentException>(() => map.Frame(0, 0, 0, 1, "red"));
    }

    [Fact]
    public void WritesTheExampleFigures()
    {
        // Kept as files so they can be looked at: rsvg-convert -o tsne.png sure-example-tsne.svg
        var random = new Random(4);
        // Three groups 5 apart with noise of spread about 1.7 per axis (a sum of uniforms): groups that touch a little.
        var points = Enumerable.Range(0, 120).Select(i => Enumerable.Range(0, 8).Select(k => (k == i % 3 ? 5 : 0) + 3 * (random.NextDouble() + random.NextDouble() - 1)).ToArray()).ToArray();
        var layout = Tsne.Embed(points, seed: 1, perplexity: 15);
        var tsne = new ChartFigure { Title = "Task embeddings (t-SNE)", XLabel = "t-SNE 1", YLabel = "t-SNE 2" };
        for (int c = 0; c < 3; c++)
        {
            var mine = Enumerable.Range(0, 120).Where(i => i % 3 == c).ToArray();
            tsne.AddScatter($"group {c}", mine.Select(i => layout[i, 0]).ToArray(), mine.Select(i => layout[i, 1]).ToArray());
        }
        string path = Path.Combine(Path.GetTempPath(), "sure-example-tsne.svg");
        tsne.Save(path);
        XDocument.Load(path);
        var chart = new ChartFigure { Title = "Sensitivity", XLabel = "MI weight", YLabel = "mean reward" };
        chart.AddLine("SURE", [0.0, 0.05, 0.1, 0.2], [-4.1, -3.6, -3.4, -3.9], [0.3, 0.2, 0.25, 0.4]).ReferenceLine(-4.5, "HPA-tuned");
        chart.Save(Path.Combine(Path.GetTempPath(), "sure-example-sensitivity.svg"));
        Sampled().Frame(0, 0, 2, 3, "#D55E00").Save(Path.Combine(Path.GetTempPath(), "sure-example-heatmap.svg"));
    }
}
