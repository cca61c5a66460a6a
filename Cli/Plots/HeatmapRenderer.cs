using System.Globalization;

namespace Sure.Cli.Plots;

static partial class SvgRenderer
{
    const double CharWidth = 7, ColourBarWidth = 14, ColourBarRoom = 90;

    public static void Write(HeatmapFigure map, TextWriter w)
    {
        var rowIndices = HeatmapFigure.TickIndices(map.Rows).ToList();
        var columnIndices = HeatmapFigure.TickIndices(map.Columns).ToList();
        int rowTickLength = rowIndices.Max(i => HeatmapFigure.TickLabel(map.RowTicks, i).Length);
        int columnTickLength = columnIndices.Max(i => HeatmapFigure.TickLabel(map.ColumnTicks, i).Length);

        double left = 36 + CharWidth * rowTickLength, right = map.Width - ColourBarRoom;
        double top = Layout.TopPad + (map.Title is null ? 0 : Layout.TitleHeight) + 10;
        double tickSpacing = (right - left) / map.Columns * (columnIndices.Count > 1 ? columnIndices[1] : 1);
        // Column labels wider than the room between them are turned 45°, which needs height instead of width.
        bool slanted = CharWidth * columnTickLength > tickSpacing;
        double bottom = map.Height - (slanted ? 22 + 0.75 * CharWidth * columnTickLength : 24) - 26;
        double cellWidth = (right - left) / map.Columns, cellHeight = (bottom - top) / map.Rows;
        double X(int column) => Math.Round(left + column * cellWidth, 1);
        double Y(int row) => Math.Round(top + row * cellHeight, 1);
        var (min, max) = map.Scale();

        Open(w, map.Width, map.Height, map.Title, left);
        // Edges rounded once and shared by neighbours, with crisp edges, so no hairline gaps show between cells.
        w.Write("<g shape-rendering=\"crispEdges\">\n");
        for (int r = 0; r < map.Rows; r++)
        {
            for (int c = 0; c < map.Columns; c++)
                w.Write($"<rect class=\"cell\" x=\"{N(X(c))}\" y=\"{N(Y(r))}\" width=\"{N(X(c + 1) - X(c))}\" height=\"{N(Y(r + 1) - Y(r))}\" fill=\"{HeatmapFigure.CellColour(map.Values[r, c], min, max)}\"/>");
            w.Write('\n');
        }
        w.Write($"<rect x=\"{N(left)}\" y=\"{N(top)}\" width=\"{N(X(map.Columns) - left)}\" height=\"{N(Y(map.Rows) - top)}\" fill=\"none\" stroke=\"{Axis}\"/>\n</g>\n");
        foreach (var frame in map.Frames)
            w.Write($"<rect class=\"frame\" x=\"{N(X(frame.Column))}\" y=\"{N(Y(frame.Row))}\" width=\"{N(X(frame.Column + frame.Columns) - X(frame.Column))}\" height=\"{N(Y(frame.Row + frame.Rows) - Y(frame.Row))}\" fill=\"none\" stroke=\"{Escape(frame.Colour)}\" stroke-width=\"2\"/>\n");

        foreach (int r in rowIndices)
            w.Write($"<text x=\"{N(left - 6)}\" y=\"{N((Y(r) + Y(r + 1)) / 2 + 4)}\" text-anchor=\"end\">{Escape(HeatmapFigure.TickLabel(map.RowTicks, r))}</text>\n");
        foreach (int c in columnIndices)
        {
            double x = (X(c) + X(c + 1)) / 2;
            string placement = slanted ? $"transform=\"translate({N(x + 4)} {N(bottom + 12)}) rotate(-45)\" text-anchor=\"end\"" : $"x=\"{N(x)}\" y=\"{N(bottom + 16)}\" text-anchor=\"middle\"";
            w.Write($"<text {placement}>{Escape(HeatmapFigure.TickLabel(map.ColumnTicks, c))}</text>\n");
        }
        w.Write($"<text transform=\"translate({N(16)} {N((top + bottom) / 2)}) rotate(-90)\" text-anchor=\"middle\">{Escape(map.RowLabel)}</text>\n");
        w.Write($"<text x=\"{N((left + right) / 2)}\" y=\"{N(map.Height - 10)}\" text-anchor=\"middle\">{Escape(map.ColumnLabel)}</text>\n");
        WriteColourBar(map, right + 16, top, bottom, min, max, w);
        w.Write("</svg>\n");
    }

    /// <summary>A vertical bar, min at the bottom and max at the top, and a grey swatch when some cells have no value.</summary>
    static void WriteColourBar(HeatmapFigure map, double x, double top, double bottom, double min, double max, TextWriter w)
    {
        w.Write("<defs><linearGradient id=\"heatmap-scale\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">");
        foreach (var (offset, colour) in HeatmapFigure.GradientStops())
            w.Write($"<stop offset=\"{N(offset * 100)}%\" stop-color=\"{colour}\"/>");
        w.Write("</linearGradient></defs>\n");
        w.Write($"<rect class=\"colour-bar\" x=\"{N(x)}\" y=\"{N(top)}\" width=\"{N(ColourBarWidth)}\" height=\"{N(bottom - top)}\" fill=\"url(#heatmap-scale)\" stroke=\"{Axis}\"/>\n");
        w.Write($"<text x=\"{N(x + ColourBarWidth + 4)}\" y=\"{N(top + 9)}\">{Escape(Value(max))}</text>\n");
        w.Write($"<text x=\"{N(x + ColourBarWidth + 4)}\" y=\"{N(bottom)}\">{Escape(Value(min))}</text>\n");
        if (map.Values.Cast<double>().Any(v => !double.IsFinite(v)))
        {
            w.Write($"<rect x=\"{N(x)}\" y=\"{N(bottom + 10)}\" width=\"{N(ColourBarWidth)}\" height=\"{N(ColourBarWidth)}\" fill=\"{HeatmapFigure.MissingColour}\" stroke=\"{Axis}\"/>");
            w.Write($"<text x=\"{N(x + ColourBarWidth + 4)}\" y=\"{N(bottom + 21)}\">none</text>\n");
        }
    }

    static string Value(double value) => (value + 0.0).ToString("G4", CultureInfo.InvariantCulture);
}
