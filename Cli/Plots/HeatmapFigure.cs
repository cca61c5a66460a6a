using System.Globalization;

namespace Sure.Cli.Plots;

/// <summary>
/// A matrix drawn as coloured cells on a white-to-blue scale, with a colour bar and optional framed groups of cells
/// (for example the tasks a sampled subgraph kept). A cell without a finite value is grey, off the scale.
/// </summary>
/// <example>
/// <code>
/// var map = new HeatmapFigure(attention) { Title = "Attention", RowLabel = "task", ColumnLabel = "minute" };
/// map.Frame(0, 50, 4, 10, "#D55E00").Save("attention.svg");
/// </code>
/// </example>
public sealed class HeatmapFigure : SvgFigure
{
    /// <summary>At most this many tick labels per axis, evenly spaced, so they stay readable on a large matrix.</summary>
    public const int MaxTicks = 15;
    public const string MissingColour = "#b0b0b0";
    // White through mid blue to navy: every channel falls at every step, so a larger value is always a darker cell.
    static readonly (double R, double G, double B)[] Stops = [(255, 255, 255), (107, 174, 214), (8, 48, 107)];

    readonly List<HeatmapFrame> frames = [];
    IReadOnlyList<string>? rowTicks, columnTicks;

    public HeatmapFigure(double[,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.GetLength(0) == 0 || values.GetLength(1) == 0)
            throw new ArgumentException($"the matrix is {values.GetLength(0)} x {values.GetLength(1)}; a heatmap needs at least one cell", nameof(values));
        Values = (double[,])values.Clone();
    }

    public double[,] Values { get; }
    public int Rows => Values.GetLength(0);
    public int Columns => Values.GetLength(1);
    public string? Title { get; set; }
    public string RowLabel { get; set; } = "";
    public string ColumnLabel { get; set; } = "";
    public int Width { get; set; } = 640;
    public int Height { get; set; } = 560;
    /// <summary>The value drawn darkest; by default the largest finite value. Set it to share one scale across figures.</summary>
    public double? ScaleMax { get; set; }
    public IReadOnlyList<HeatmapFrame> Frames => frames;

    /// <summary>One label per row (null: the row numbers).</summary>
    public IReadOnlyList<string>? RowTicks { get => rowTicks; set => rowTicks = CheckTicks(value, Rows, "row"); }

    /// <summary>One label per column (null: the column numbers).</summary>
    public IReadOnlyList<string>? ColumnTicks { get => columnTicks; set => columnTicks = CheckTicks(value, Columns, "column"); }

    /// <summary>Outlines the block of cells starting at (<paramref name="row0"/>, <paramref name="col0"/>) in the given colour.</summary>
    public HeatmapFigure Frame(int row0, int col0, int rows, int cols, string colour)
    {
        if (rows < 1 || cols < 1 || row0 < 0 || col0 < 0 || row0 + rows > Rows || col0 + cols > Columns)
            throw new ArgumentOutOfRangeException(nameof(rows),
                $"frame rows {row0}..{row0 + rows - 1}, columns {col0}..{col0 + cols - 1} is not a block inside the {Rows} x {Columns} matrix");
        frames.Add(new HeatmapFrame(row0, col0, rows, cols, colour));
        return this;
    }

    /// <summary>The colour scale's ends: from zero (or the smallest value, if negative) to <see cref="ScaleMax"/>.</summary>
    public (double Min, double Max) Scale()
    {
        double min = 0, max = double.NegativeInfinity;
        foreach (double v in Values)
            if (double.IsFinite(v)) (min, max) = (Math.Min(min, v), Math.Max(max, v));
        if (ScaleMax is { } fixedMax && double.IsFinite(fixedMax)) max = fixedMax;
        return max > min ? (min, max) : (min, min + 1); // an all-zero (or empty) matrix still needs a span to divide by
    }

    /// <summary>The fill for a value: grey when not finite, otherwise its place on the scale (clamped to the ends).</summary>
    public static string CellColour(double value, double min, double max)
    {
        if (!double.IsFinite(value)) return MissingColour;
        double position = Math.Clamp((value - min) / (max - min), 0, 1) * (Stops.Length - 1);
        int segment = Math.Min((int)position, Stops.Length - 2);
        double f = position - segment;
        var (a, b) = (Stops[segment], Stops[segment + 1]);
        int Channel(double from, double to) => (int)Math.Round(from + f * (to - from));
        return $"#{Channel(a.R, b.R):x2}{Channel(a.G, b.G):x2}{Channel(a.B, b.B):x2}";
    }

    /// <summary>The colour bar's stops, bottom (min) to top (max), as offsets in [0, 1] and colours.</summary>
    internal static IEnumerable<(double Offset, string Colour)> GradientStops() =>
        Stops.Select((_, i) => ((double)i / (Stops.Length - 1), CellColour(i, 0, Stops.Length - 1)));

    /// <summary>Indices of the rows or columns that get a label: every k-th, with k chosen to show at most <see cref="MaxTicks"/>.</summary>
    public static IEnumerable<int> TickIndices(int count)
    {
        int step = (count + MaxTicks - 1) / MaxTicks;
        for (int i = 0; i < count; i += step) yield return i;
    }

    internal static string TickLabel(IReadOnlyList<string>? labels, int index) => labels?[index] ?? index.ToString(CultureInfo.InvariantCulture);

    public override void WriteTo(TextWriter writer) => SvgRenderer.Write(this, writer);

    static IReadOnlyList<string>? CheckTicks(IReadOnlyList<string>? labels, int count, string axis)
    {
        if (labels is not null && labels.Count != count)
            throw new ArgumentException($"{labels.Count} {axis} tick labels for {count} {axis}s; give one per {axis}");
        return labels?.ToArray();
    }
}

public sealed record HeatmapFrame(int Row, int Column, int Rows, int Columns, string Colour);
