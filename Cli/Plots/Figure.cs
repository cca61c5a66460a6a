
namespace Sure.Cli.Plots;

/// <summary>
/// A figure of one or more line-chart panels stacked vertically on one shared x axis, written as plain SVG.
/// A series keeps its colour across panels (colours follow the order names first appear), so one legend serves all.
/// </summary>
/// <example>
/// <code>
/// var figure = new Figure { Title = "Test week", XLabel = "minute" };
/// figure.AddPanel("Latency", "seconds").Add("SURE", minutes, latency).Add("HPA", minutes, hpaLatency).ReferenceLine(5, "SLO 5 s");
/// figure.AddPanel("Instances", "total instances").Add("SURE", minutes, instances).Add("HPA", minutes, hpaInstances);
/// figure.Save("week.svg");
/// </code>
/// </example>
public sealed class Figure : SvgFigure
{
    readonly List<Panel> panels = [];

    public string? Title { get; set; }
    public string XLabel { get; set; } = "";
    public int Width { get; set; } = 960;
    public int PanelHeight { get; set; } = 220;
    public IReadOnlyList<Panel> Panels => panels;

    public Panel AddPanel(string title, string yLabel)
    {
        var panel = new Panel(title, yLabel);
        panels.Add(panel);
        return panel;
    }

    /// <summary>Distinct series names in order of first appearance; a name's index picks its colour.</summary>
    public IReadOnlyList<string> SeriesNames =>
        panels.SelectMany(p => p.Series).Select(s => s.Name).Distinct().ToList();

    public override void WriteTo(TextWriter writer) => SvgRenderer.Write(this, writer);
}

public sealed class Panel(string title, string yLabel)
{
    readonly List<Series> series = [];
    readonly List<ReferenceLine> references = [];

    public string Title { get; } = title;
    public string YLabel { get; } = yLabel;
    /// <summary>Stretch the y axis down (or up) to zero, for quantities whose size matters such as instance counts.</summary>
    public bool IncludeZero { get; set; }
    public IReadOnlyList<Series> Series => series;
    public IReadOnlyList<ReferenceLine> References => references;

    /// <summary>Adds a series; the values are copied. Non-finite points leave a gap in the line.</summary>
    public Panel Add(string name, ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"series '{name}' has {x.Length} x values but {y.Length} y values");
        series.Add(new Series(name, x.ToArray(), y.ToArray()));
        return this;
    }

    /// <summary>Adds a series plotted against its index 0, 1, 2, … (for example reward per iteration).</summary>
    public Panel Add(string name, ReadOnlySpan<double> y)
    {
        var x = new double[y.Length];
        for (int i = 0; i < x.Length; i++) x[i] = i;
        return Add(name, x, y);
    }

    /// <summary>A dashed horizontal line with a label, such as a latency SLO; it is always kept inside the y range.</summary>
    public Panel ReferenceLine(double y, string label)
    {
        references.Add(new ReferenceLine(y, label));
        return this;
    }
}

public sealed record Series(string Name, double[] X, double[] Y);

public sealed record ReferenceLine(double Y, string Label);
