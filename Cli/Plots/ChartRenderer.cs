namespace Sure.Cli.Plots;

static partial class SvgRenderer
{
    const double WhiskerCap = 4, PointRadius = 3, MarkerRadius = 2.5;

    public static void Write(ChartFigure chart, TextWriter w)
    {
        var names = chart.SeriesNames;
        double left = Layout.MarginLeft, right = chart.Width - Layout.MarginRight;
        var legend = LegendItems(chart, names);
        double legendTop = Layout.TopPad + (chart.Title is null ? 0 : Layout.TitleHeight);
        var placed = PlaceLegend(legend, left, right, legendTop, out double top);
        double bottom = Math.Max(chart.Height - Layout.BottomHeight, top + 40);

        var (xTicks, xLabels, xMap) = XAxis(chart, left, right);
        var ys = chart.Series.SelectMany(VerticalExtent).Concat(chart.References.Select(r => r.Y)).Where(y => !chart.LogY || y > 0).ToList();
        double lo = Extreme(ys, min: true), hi = Extreme(ys, min: false);
        if (chart.IncludeZero && !chart.LogY && double.IsFinite(lo)) (lo, hi) = (Math.Min(lo, 0), Math.Max(hi, 0));
        var yScale = chart.LogY ? NiceScale.CreateLog(lo, hi) : NiceScale.Create(lo, hi, extend: true);
        var yMap = new AxisMap(yScale.Min, yScale.Max, bottom, top, chart.LogY);

        Open(w, chart.Width, bottom + Layout.BottomHeight, chart.Title, left);
        foreach (var (item, x, y) in placed) LegendItem(item, x, y, w);
        foreach (double tick in yScale.Ticks)
        {
            double y = yMap[tick];
            w.Write($"<line x1=\"{N(left)}\" y1=\"{N(y)}\" x2=\"{N(right)}\" y2=\"{N(y)}\" stroke=\"{Grid}\"/>");
            w.Write($"<text x=\"{N(left - 6)}\" y=\"{N(y + 4)}\" text-anchor=\"end\">{Escape(yScale.Label(tick))}</text>\n");
        }
        for (int i = 0; i < xTicks.Length; i++)
        {
            double x = xMap[xTicks[i]];
            w.Write($"<line x1=\"{N(x)}\" y1=\"{N(top)}\" x2=\"{N(x)}\" y2=\"{N(bottom)}\" stroke=\"{Grid}\"/>");
            w.Write($"<text x=\"{N(x)}\" y=\"{N(bottom + 17)}\" text-anchor=\"middle\">{Escape(xLabels[i])}</text>\n");
        }
        w.Write($"<text transform=\"translate({N(16)} {N((top + bottom) / 2)}) rotate(-90)\" text-anchor=\"middle\">{Escape(chart.YLabel)}</text>\n");
        w.Write($"<text x=\"{N((left + right) / 2)}\" y=\"{N(bottom + 40)}\" text-anchor=\"middle\">{Escape(chart.XLabel)}</text>\n");

        foreach (var series in chart.Series)
        {
            string colour = Colour(IndexOf(names, series.Name));
            if (series.Kind == ChartKind.Scatter) WriteScatter(series, colour, xMap, yMap, w);
            else WriteLine(series, colour, xMap, yMap, w);
        }
        foreach (var reference in chart.References)
        {
            double y = yMap[reference.Y];
            if (!double.IsFinite(y)) continue; // zero or below on a log axis
            w.Write($"<line x1=\"{N(left)}\" y1=\"{N(y)}\" x2=\"{N(right)}\" y2=\"{N(y)}\" stroke=\"{Axis}\" stroke-width=\"1.2\" stroke-dasharray=\"6 4\"/>");
            w.Write($"<text x=\"{N(right - 4)}\" y=\"{N(y - 5)}\" text-anchor=\"end\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">{Escape(reference.Label)}</text>\n");
        }
        w.Write($"<rect x=\"{N(left)}\" y=\"{N(top)}\" width=\"{N(right - left)}\" height=\"{N(bottom - top)}\" fill=\"none\" stroke=\"{Axis}\"/>\n");
        w.Write("</svg>\n");
    }

    /// <summary>Categories sit at 0, 1, … with half a slot of room either side; numbers get round ticks.</summary>
    static (double[] Ticks, string[] Labels, AxisMap Map) XAxis(ChartFigure chart, double left, double right)
    {
        if (chart.XCategories is { Count: > 0 } categories)
        {
            var ticks = Enumerable.Range(0, categories.Count).Select(k => (double)k).ToArray();
            return (ticks, categories.ToArray(), new AxisMap(-0.5, categories.Count - 0.5, left, right));
        }
        var xs = chart.Series.SelectMany(s => s.X).ToList();
        // Points and whiskers at the data's ends would sit on the frame, half hidden; a little room keeps them whole.
        double lo = Extreme(xs, min: true), hi = Extreme(xs, min: false), pad = 0.02 * (hi - lo);
        var scale = NiceScale.Create(lo - pad, hi + pad, extend: true, target: 7);
        return (scale.Ticks, scale.Ticks.Select(scale.Label).ToArray(), new AxisMap(scale.Min, scale.Max, left, right));
    }

    /// <summary>Each point's value and, where it has an error bar, both ends of the whisker, so no whisker is cut off.</summary>
    static IEnumerable<double> VerticalExtent(ChartSeries series)
    {
        for (int i = 0; i < series.Y.Length; i++)
        {
            double error = series.Errors is { } errors && double.IsFinite(errors[i]) ? errors[i] : 0;
            yield return series.Y[i] - error;
            yield return series.Y[i] + error;
        }
    }

    static void WriteLine(ChartSeries series, string colour, AxisMap xMap, AxisMap yMap, TextWriter w)
    {
        string d = PathData(new Series(series.Name, series.X, series.Y), xMap, yMap);
        if (d.Length > 0)
            w.Write($"<path d=\"{d}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" stroke-linejoin=\"round\"><title>{Escape(series.Name)}</title></path>\n");
        if (series.Errors is not { } errors) return;
        for (int i = 0; i < series.X.Length; i++)
        {
            double error = errors[i];
            double x = xMap[series.X[i]], y = yMap[series.Y[i]];
            if (!double.IsFinite(x) || !double.IsFinite(y) || !double.IsFinite(error) || error == 0) continue;
            // On a log axis the low end can fall to zero or below; the whisker then runs to the axis' bottom.
            double low = yMap[Math.Max(series.Y[i] - error, yMap.DataMin)], high = yMap[series.Y[i] + error];
            w.Write($"<path class=\"whisker\" d=\"M{N(x)},{N(low)} L{N(x)},{N(high)} M{N(x - WhiskerCap)},{N(low)} L{N(x + WhiskerCap)},{N(low)} ");
            w.Write($"M{N(x - WhiskerCap)},{N(high)} L{N(x + WhiskerCap)},{N(high)}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.2\"/>");
            // A dot marks the value the whisker is centred on, which a bend in the line alone does not show.
            w.Write($"<circle class=\"marker\" cx=\"{N(x)}\" cy=\"{N(y)}\" r=\"{N(MarkerRadius)}\" fill=\"{colour}\"/>\n");
        }
    }

    static void WriteScatter(ChartSeries series, string colour, AxisMap xMap, AxisMap yMap, TextWriter w)
    {
        for (int i = 0; i < series.X.Length; i++)
        {
            double x = xMap[series.X[i]], y = yMap[series.Y[i]];
            if (double.IsFinite(x) && double.IsFinite(y))
                // Slightly transparent so that overlapping points still show how dense a region is.
                w.Write($"<circle class=\"point\" cx=\"{N(x)}\" cy=\"{N(y)}\" r=\"{N(PointRadius)}\" fill=\"{colour}\" fill-opacity=\"0.75\"/>\n");
        }
    }

    sealed record LegendEntry(string Label, string Colour, ChartKind? Kind); // Kind null: a reference line

    static List<LegendEntry> LegendItems(ChartFigure chart, IReadOnlyList<string> names)
    {
        var items = names.Select((name, i) => new LegendEntry(name, Colour(i), chart.Series.First(s => s.Name == name).Kind)).ToList();
        items.AddRange(chart.References.Select(r => new LegendEntry(r.Label, Axis, null)));
        return items;
    }

    /// <summary>Left to right, starting a new row when an item would run past the plot; <paramref name="plotTop"/> is where the rows end.</summary>
    static List<(LegendEntry Item, double X, double Y)> PlaceLegend(List<LegendEntry> items, double left, double right, double legendTop, out double plotTop)
    {
        var placed = new List<(LegendEntry, double, double)>();
        double x = left, y = legendTop + Layout.LegendHeight / 2;
        foreach (var item in items)
        {
            double width = 28 + 7.5 * item.Label.Length + 22; // a generous per-character width so items never collide
            if (x > left && x + width > right) (x, y) = (left, y + Layout.LegendHeight);
            placed.Add((item, x, y));
            x += width;
        }
        plotTop = (items.Count == 0 ? legendTop : y + Layout.LegendHeight / 2) + 8;
        return placed;
    }

    static void LegendItem(LegendEntry item, double x, double y, TextWriter w)
    {
        if (item.Kind == ChartKind.Scatter)
            w.Write($"<circle cx=\"{N(x + 11)}\" cy=\"{N(y)}\" r=\"{N(PointRadius + 1)}\" fill=\"{item.Colour}\"/>");
        else
            w.Write($"<line x1=\"{N(x)}\" y1=\"{N(y)}\" x2=\"{N(x + 22)}\" y2=\"{N(y)}\" stroke=\"{item.Colour}\" stroke-width=\"2.5\"{(item.Kind is null ? " stroke-dasharray=\"6 4\"" : "")}/>");
        w.Write($"<text x=\"{N(x + 28)}\" y=\"{N(y + 4)}\">{Escape(item.Label)}</text>\n");
    }
}
