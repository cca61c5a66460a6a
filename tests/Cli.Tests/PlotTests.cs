using System.Globalization;
using System.Xml.Linq;
using Sure.Cli.Plots;

namespace Sure.Cli.Tests;

public class PlotTests
{
    static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    static XDocument Parse(Figure figure) => XDocument.Parse(figure.ToSvg());

    static string[] PathData(XDocument doc) => doc.Descendants(Svg + "path").Select(p => (string)p.Attribute("d")!).ToArray();

    static Figure Week(int policies)
    {
        var minutes = Enumerable.Range(0, 10_080).Select(i => (double)i).ToArray();
        var figure = new Figure { Title = "Test week", XLabel = "minute of the week" };
        var latency = figure.AddPanel("Latency", "seconds").ReferenceLine(5, "SLO 5 s");
        var instances = figure.AddPanel("Instances", "total instances");
        instances.IncludeZero = true;
        string[] names = ["SURE", "HPA", "static"];
        for (int p = 0; p < policies; p++)
        {
            var rng = new Random(p + 1);
            var load = minutes.Select(m => 1 + 0.5 * Math.Sin(2 * Math.PI * m / 1440 - p)).ToArray();
            latency.Add(names[p], minutes, load.Select(l => 0.8 * l + 0.3 * p + (rng.NextDouble() < 0.002 ? 6 : 0.2 * rng.NextDouble())).ToArray());
            instances.Add(names[p], minutes, load.Select(l => Math.Round(12 * l + 4 * p)).ToArray());
        }
        return figure;
    }

    [Fact]
    public void OutputIsWellFormedSvg()
    {
        var doc = Parse(Week(3));
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        Assert.Equal(6, PathData(doc).Length);
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "SLO 5 s");
        // The legend names each series and the dashed line by its own label: the line's label plus its legend entry.
        var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Equal(2, texts.Count(t => t == "SLO 5 s"));
        foreach (var name in new[] { "SURE", "HPA", "static" }) Assert.Contains(name, texts);
        Assert.DoesNotContain("reference", texts);
    }

    [Fact]
    public void TicksForZeroTo97AreRoundTwenties()
    {
        var scale = NiceScale.Create(0, 97, extend: true);
        Assert.Equal([0.0, 20, 40, 60, 80, 100], scale.Ticks);
        Assert.Equal((0.0, 100.0), (scale.Min, scale.Max));
    }

    [Fact]
    public void TicksForSmallFractionsStepByHundredths()
    {
        var scale = NiceScale.Create(0.013, 0.05, extend: true);
        Assert.Equal([0.01, 0.02, 0.03, 0.04, 0.05], scale.Ticks);
        Assert.Equal(["0.01", "0.02", "0.03", "0.04", "0.05"], scale.Ticks.Select(scale.Label));
    }

    [Fact]
    public void TimeAxisKeepsItsRangeAndLabelsThousands()
    {
        var scale = NiceScale.Create(0, 10_079, extend: false, target: 7);
        Assert.Equal((0.0, 10_079.0), (scale.Min, scale.Max));
        Assert.Equal(Enumerable.Range(0, 11).Select(k => k * 1000.0), scale.Ticks);
        Assert.Equal("0", scale.Label(0));
        Assert.Equal("1k", scale.Label(1000));
        Assert.Equal("10k", scale.Label(10_000));
    }

    [Fact]
    public void NegativeRangesAndHalfStepsGetOneDecimal()
    {
        var scale = NiceScale.Create(-2.2, 0.1, extend: true);
        Assert.Equal([-2.5, -2, -1.5, -1, -0.5, 0, 0.5], scale.Ticks);
        Assert.Equal(["-2.5", "-2.0", "-1.5", "-1.0", "-0.5", "0.0", "0.5"], scale.Ticks.Select(scale.Label));
    }

    [Theory]
    [InlineData(3.0)]
    [InlineData(0.0)]
    [InlineData(-1e6)]
    public void ConstantDataStillGetsAFiniteRange(double value)
    {
        var scale = NiceScale.Create(value, value, extend: true);
        Assert.True(scale.Min < value && value < scale.Max);
        Assert.All(scale.Ticks, t => Assert.True(double.IsFinite(t)));

        var figure = new Figure();
        figure.AddPanel("flat", "y").Add("c", [1.0, 2, 3], [value, value, value]).Add("empty", [], []);
        Assert.DoesNotContain("NaN", figure.ToSvg());
        Assert.DoesNotContain("Infinity", figure.ToSvg());
        Assert.Single(PathData(Parse(figure)));
    }

    [Fact]
    public void EmptyFigureAndAllNaNSeriesStillParse()
    {
        Parse(new Figure());
        var figure = new Figure();
        figure.AddPanel("nothing", "y").Add("gaps", [double.NaN, double.NaN]);
        var svg = figure.ToSvg();
        XDocument.Parse(svg);
        Assert.DoesNotContain("NaN", svg);
    }

    [Fact]
    public void KnownPointsLandOnHandComputedPixels()
    {
        // Width 500: plot spans x 72 .. 476. No title; legend row 10 .. 32; panel title 24 px; plot y 56 .. 256.
        var figure = new Figure { Width = 500, PanelHeight = 200 };
        figure.AddPanel("p", "y").Add("s", [0.0, 5, 10], [0.0, 50, 100]);
        Assert.Equal(["M72,256 L274,156 476,56"], PathData(Parse(figure)));
    }

    [Fact]
    public void DecimationKeepsGlobalExtremesAndAtMostTwoPointsPerColumn()
    {
        var rng = new Random(7);
        const int n = 10_080, columns = 864;
        var points = Enumerable.Range(0, n).Select(i => (X: 72 + i * (double)columns / n, Y: rng.NextDouble())).ToList();
        points[4321] = (points[4321].X, -3);
        points[777] = (points[777].X, 9);

        var kept = Decimation.MinMaxPerColumn(points);

        Assert.Contains(points[4321], kept);
        Assert.Contains(points[777], kept);
        Assert.InRange(kept.Count, columns, 2 * columns);
        Assert.Equal(kept.OrderBy(p => p.X), kept); // original order survives
        foreach (var column in points.GroupBy(p => Math.Floor(p.X)))
        {
            var inColumn = kept.Where(p => Math.Floor(p.X) == column.Key).ToList();
            Assert.Equal(column.Min(p => p.Y), inColumn.Min(p => p.Y));
            Assert.Equal(column.Max(p => p.Y), inColumn.Max(p => p.Y));
        }
    }

    [Fact]
    public void SparseSeriesAreNotThinned()
    {
        var points = new List<(double X, double Y)> { (1, 5), (2.5, 3), (2.7, 4), (4, 1) };
        Assert.Equal(points, Decimation.MinMaxPerColumn(points));
    }

    [Fact]
    public void AWeekOfThreePoliciesMakesASmallFile()
    {
        var svg = Week(3).ToSvg();
        Assert.True(svg.Length < 200_000, $"{svg.Length} characters");
        foreach (var d in PathData(XDocument.Parse(svg)))
            Assert.InRange(d.Split(' ').Length, 2, 2 * 900);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NonFinitePointBreaksTheLineInTwo(double bad)
    {
        var figure = new Figure();
        figure.AddPanel("p", "y").Add("s", [1.0, 2, bad, 4, 5]);
        var d = Assert.Single(PathData(Parse(figure)));
        Assert.Equal(2, d.Count(c => c == 'M'));
        Assert.DoesNotContain("NaN", d);
        Assert.DoesNotContain("Infinity", d);
        // The y axis ignores the bad point: 1 .. 5 gives ticks 1 .. 5, so the top label is "5".
        Assert.Contains(Parse(figure).Descendants(Svg + "text"), t => t.Value == "5");
    }

    [Fact]
    public void TextIsEscaped()
    {
        const string tricky = "p95 < 5 s & \"fast\" 'ok'";
        var figure = new Figure { Title = tricky, XLabel = "<minute>" };
        figure.AddPanel(tricky, "a&b").Add(tricky, [1.0, 2]).ReferenceLine(1.5, "SLO <= 1.5");
        var texts = Parse(figure).Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains(tricky, texts);
        Assert.Contains("<minute>", texts);
        Assert.Contains("a&b", texts);
        Assert.Contains("SLO <= 1.5", texts);
    }

    [Fact]
    public void OutputDoesNotDependOnTheCurrentCulture()
    {
        // The test host runs with invariant globalization, so build a German-style culture by hand: comma decimals.
        var german = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        german.NumberFormat.NumberDecimalSeparator = ",";
        german.NumberFormat.NumberGroupSeparator = ".";
        Assert.Equal("0,5", 0.5.ToString(german));

        var figure = new Figure { Width = 333 };
        figure.AddPanel("p", "y").Add("s", [0.013, 0.021, 0.05]).ReferenceLine(0.0333, "target 0.0333");
        var saved = CultureInfo.CurrentCulture;
        string invariant, underGerman;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            invariant = figure.ToSvg();
            CultureInfo.CurrentCulture = german;
            underGerman = figure.ToSvg();
        }
        finally { CultureInfo.CurrentCulture = saved; }

        Assert.Equal(invariant, underGerman);
        var doc = XDocument.Parse(underGerman);
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "0.03");
        Assert.Contains(".", PathData(doc)[0]);
    }

    [Fact]
    public void WritesTheExampleWeekChart()
    {
        // Kept as a file so the chart can be looked at: rsvg-convert -o week.png sure-example-week.svg
        var path = Path.Combine(Path.GetTempPath(), "sure-example-week.svg");
        Week(3).Save(path);
        XDocument.Load(path);
        var training = new Figure { Title = "Training", XLabel = "iteration" };
        training.AddPanel("Reward per iteration", "mean reward")
            .Add("SURE", Enumerable.Range(0, 300).Select(i => -40 * Math.Exp(-i / 60.0) - 3 + Math.Sin(i) * 1.5).ToArray());
        training.Save(Path.Combine(Path.GetTempPath(), "sure-example-training.svg"));
    }
}
