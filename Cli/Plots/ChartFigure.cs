namespace Sure.Cli.Plots;

/// <summary>
/// A single-panel chart for the paper's figures: lines (optionally with ± error bars), scatter series and dashed
/// reference lines, on a numeric or a categorical x axis. A series' colour follows the order its name first appears.
/// </summary>
/// <example>
/// <code>
/// var chart = new ChartFigure { Title = "Sensitivity", XLabel = "MI weight", YLabel = "mean reward" };
/// chart.AddLine("SURE", weights, means, standardDeviations).ReferenceLine(hpaReward, "HPA-tuned");
/// chart.Save("mi.svg");
/// </code>
/// </example>
public sealed class ChartFigure : SvgFigure
{
    readonly List<ChartSeries> series = [];
    readonly List<ReferenceLine> references = [];

    public string? Title { get; set; }
    public string XLabel { get; set; } = "";
    /// <summary>The y axis' label, units included (for example "latency (s)").</summary>
    public string YLabel { get; set; } = "";
    public int Width { get; set; } = 720;
    public int Height { get; set; } = 420;
    /// <summary>Stretch the y axis to zero, for quantities whose size matters.</summary>
    public bool IncludeZero { get; set; }
    /// <summary>
    /// A log10 y axis, for a quantity spanning orders of magnitude (latency against lambda); values at or below zero are
    /// left out, and a whisker reaching below the axis stops at its bottom. <see cref="IncludeZero"/> is ignored.
    /// </summary>
    public bool LogY { get; set; }
    /// <summary>When set, the x axis is categorical: x value k is drawn at the k-th label (k = 0, 1, …).</summary>
    public IReadOnlyList<string>? XCategories { get; set; }
    public IReadOnlyList<ChartSeries> Series => series;
    public IReadOnlyList<ReferenceLine> References => references;

    /// <summary>Distinct series names in order of first appearance; a name's index picks its colour.</summary>
    public IReadOnlyList<string> SeriesNames => series.Select(s => s.Name).Distinct().ToList();

    /// <summary>
    /// A line; <paramref name="errors"/> are ± half-heights drawn as whiskers with caps (a non-finite or zero error
    /// draws none). The values are copied; a non-finite point leaves a gap in the line.
    /// </summary>
    public ChartFigure AddLine(string name, double[] x, double[] y, double[]? errors = null)
    {
        CheckLengths(name, x, y);
        if (errors is not null)
        {
            if (errors.Length != y.Length)
                throw new ArgumentException($"series '{name}' has {y.Length} y values but {errors.Length} errors", nameof(errors));
            if (errors.Any(e => e < 0))
                throw new ArgumentException($"series '{name}' has a negative error; errors are half-heights, so at least 0", nameof(errors));
        }
        series.Add(new ChartSeries(name, ChartKind.Line, x.ToArray(), y.ToArray(), errors?.ToArray()));
        return this;
    }

    /// <summary>Points as small circles; a point with a non-finite coordinate is skipped.</summary>
    public ChartFigure AddScatter(string name, double[] x, double[] y)
    {
        CheckLengths(name, x, y);
        series.Add(new ChartSeries(name, ChartKind.Scatter, x.ToArray(), y.ToArray(), null));
        return this;
    }

    /// <summary>A dashed horizontal line with a label, such as a baseline's score; it is always kept inside the y range.</summary>
    public ChartFigure ReferenceLine(double y, string label)
    {
        references.Add(new ReferenceLine(y, label));
        return this;
    }

    public override void WriteTo(TextWriter writer) => SvgRenderer.Write(this, writer);

    static void CheckLengths(string name, double[] x, double[] y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Length != y.Length)
            throw new ArgumentException($"series '{name}' has {x.Length} x values but {y.Length} y values");
    }
}

public enum ChartKind { Line, Scatter }

public sealed record ChartSeries(string Name, ChartKind Kind, double[] X, double[] Y, double[]? Errors);
