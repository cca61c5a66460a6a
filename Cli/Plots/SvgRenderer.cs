using System.Globalization;
using System.Security;

namespace Sure.Cli.Plots;

/// <summary>Where everything sits on the canvas, in pixels; worked out once so the renderer and tests agree.</summary>
sealed record Layout(double PlotLeft, double PlotRight, double[] PlotTop, double[] PlotBottom, double LegendY, double Height)
{
    public const double MarginLeft = 72, MarginRight = 24, PanelTitleHeight = 24, PanelGap = 16;
    public const double TitleHeight = 26, LegendHeight = 22, TopPad = 10, BottomHeight = 52;

    public static Layout For(Figure figure)
    {
        double y = TopPad + (figure.Title is null ? 0 : TitleHeight);
        double legendY = y + LegendHeight / 2;
        if (figure.SeriesNames.Count > 0 || figure.Panels.Any(p => p.References.Count > 0)) y += LegendHeight;
        int n = figure.Panels.Count;
        var top = new double[n];
        var bottom = new double[n];
        for (int i = 0; i < n; i++)
        {
            top[i] = y + PanelTitleHeight;
            bottom[i] = top[i] + figure.PanelHeight;
            y = bottom[i] + PanelGap;
        }
        double height = (n > 0 ? bottom[^1] : y) + BottomHeight;
        return new Layout(MarginLeft, figure.Width - MarginRight, top, bottom, legendY, height);
    }
}

/// <summary>
/// Maps a data interval onto a pixel interval (which may run backwards, as y does on screen), linearly or, with
/// <paramref name="Log"/>, in log10 of the value (a value at or below zero then maps to a non-finite pixel: no point).
/// </summary>
readonly record struct AxisMap(double DataMin, double DataMax, double PixelFrom, double PixelTo, bool Log = false)
{
    public double this[double value] => Log
        ? PixelFrom + (Math.Log10(value) - Math.Log10(DataMin)) / (Math.Log10(DataMax) - Math.Log10(DataMin)) * (PixelTo - PixelFrom)
        : PixelFrom + (value - DataMin) / (DataMax - DataMin) * (PixelTo - PixelFrom);
}

static partial class SvgRenderer
{
    // Okabe–Ito colours: told apart with the common colour-vision deficiencies and readable on white.
    public static readonly string[] Palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
    const string Grid = "#e3e3e3", Axis = "#555555", Text = "#222222";

    public static void Write(Figure figure, TextWriter w)
    {
        var layout = Layout.For(figure);
        var names = figure.SeriesNames;
        var xScale = NiceScale.Create(
            Extreme(figure.Panels.SelectMany(p => p.Series).SelectMany(s => s.X), min: true),
            Extreme(figure.Panels.SelectMany(p => p.Series).SelectMany(s => s.X), min: false), extend: false, target: 7);
        var xMap = new AxisMap(xScale.Min, xScale.Max, layout.PlotLeft, layout.PlotRight);

        Open(w, figure.Width, layout.Height, figure.Title, layout.PlotLeft);
        WriteLegend(figure, layout, names, w);

        for (int i = 0; i < figure.Panels.Count; i++)
            WritePanel(figure.Panels[i], layout.PlotTop[i], layout.PlotBottom[i], layout, xScale, xMap, names, w);

        // Tick labels and the axis label only under the bottom panel: the panels share the axis.
        double axisY = figure.Panels.Count > 0 ? layout.PlotBottom[^1] : layout.Height - Layout.BottomHeight;
        foreach (double tick in xScale.Ticks)
            w.Write($"<text x=\"{N(xMap[tick])}\" y=\"{N(axisY + 17)}\" text-anchor=\"middle\">{Escape(xScale.Label(tick))}</text>\n");
        if (figure.XLabel.Length > 0)
            w.Write($"<text x=\"{N((layout.PlotLeft + layout.PlotRight) / 2)}\" y=\"{N(axisY + 40)}\" text-anchor=\"middle\">{Escape(figure.XLabel)}</text>\n");
        w.Write("</svg>\n");
    }

    /// <summary>The root element on a white background (viewers differ on transparent ones), and the title if any.</summary>
    internal static void Open(TextWriter w, double width, double height, string? title, double titleX)
    {
        w.Write($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{N(width)}\" height=\"{N(height)}\" ");
        w.Write($"viewBox=\"0 0 {N(width)} {N(height)}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\" fill=\"{Text}\">\n");
        w.Write("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        if (title is not null)
            w.Write($"<text x=\"{N(titleX)}\" y=\"{N(Layout.TopPad + 17)}\" font-size=\"16\" font-weight=\"bold\">{Escape(title)}</text>\n");
    }

    static void WriteLegend(Figure figure, Layout layout, IReadOnlyList<string> names, TextWriter w)
    {
        double x = layout.PlotLeft, y = layout.LegendY;
        void Item(string label, string stroke, string dash)
        {
            w.Write($"<line x1=\"{N(x)}\" y1=\"{N(y)}\" x2=\"{N(x + 22)}\" y2=\"{N(y)}\" stroke=\"{stroke}\" stroke-width=\"2.5\"{dash}/>");
            w.Write($"<text x=\"{N(x + 28)}\" y=\"{N(y + 4)}\">{Escape(label)}</text>\n");
            x += 28 + 7.5 * label.Length + 22; // a generous per-character width so items never collide
        }
        for (int i = 0; i < names.Count; i++) Item(names[i], Colour(i), "");
        // The dashed line's own label (e.g. "SLO 1.64 s") names it in the legend too.
        string? reference = figure.Panels.SelectMany(p => p.References).Select(r => r.Label).FirstOrDefault();
        if (reference is not null) Item(reference, Axis, " stroke-dasharray=\"6 4\"");
    }

    static void WritePanel(Panel panel, double top, double bottom, Layout layout, NiceScale xScale, AxisMap xMap,
        IReadOnlyList<string> names, TextWriter w)
    {
        var ys = panel.Series.SelectMany(s => s.Y).Concat(panel.References.Select(r => r.Y)).ToList();
        double lo = Extreme(ys, min: true), hi = Extreme(ys, min: false);
        if (panel.IncludeZero && double.IsFinite(lo)) (lo, hi) = (Math.Min(lo, 0), Math.Max(hi, 0));
        var yScale = NiceScale.Create(lo, hi, extend: true);
        var yMap = new AxisMap(yScale.Min, yScale.Max, bottom, top);
        double left = layout.PlotLeft, right = layout.PlotRight;

        w.Write($"<text x=\"{N(left)}\" y=\"{N(top - 8)}\" font-size=\"13\" font-weight=\"bold\">{Escape(panel.Title)}</text>\n");
        foreach (double tick in yScale.Ticks)
        {
            double y = yMap[tick];
            w.Write($"<line x1=\"{N(left)}\" y1=\"{N(y)}\" x2=\"{N(right)}\" y2=\"{N(y)}\" stroke=\"{Grid}\"/>");
            w.Write($"<text x=\"{N(left - 6)}\" y=\"{N(y + 4)}\" text-anchor=\"end\">{Escape(yScale.Label(tick))}</text>\n");
        }
        foreach (double tick in xScale.Ticks)
            w.Write($"<line x1=\"{N(xMap[tick])}\" y1=\"{N(top)}\" x2=\"{N(xMap[tick])}\" y2=\"{N(bottom)}\" stroke=\"{Grid}\"/>\n");
        w.Write($"<text transform=\"translate({N(16)} {N((top + bottom) / 2)}) rotate(-90)\" text-anchor=\"middle\">{Escape(panel.YLabel)}</text>\n");

        foreach (var series in panel.Series)
        {
            string d = PathData(series, xMap, yMap);
            if (d.Length > 0)
                w.Write($"<path d=\"{d}\" fill=\"none\" stroke=\"{Colour(IndexOf(names, series.Name))}\" stroke-width=\"1.5\" stroke-linejoin=\"round\"><title>{Escape(series.Name)}</title></path>\n");
        }
        foreach (var reference in panel.References)
        {
            double y = yMap[reference.Y];
            w.Write($"<line x1=\"{N(left)}\" y1=\"{N(y)}\" x2=\"{N(right)}\" y2=\"{N(y)}\" stroke=\"{Axis}\" stroke-width=\"1.2\" stroke-dasharray=\"6 4\"/>");
            // A white halo keeps the label legible where it crosses a data line.
            w.Write($"<text x=\"{N(right - 4)}\" y=\"{N(y - 5)}\" text-anchor=\"end\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">{Escape(reference.Label)}</text>\n");
        }
        // The frame goes last so data lines touching the edge do not paint over it.
        w.Write($"<rect x=\"{N(left)}\" y=\"{N(top)}\" width=\"{N(right - left)}\" height=\"{N(bottom - top)}\" fill=\"none\" stroke=\"{Axis}\"/>\n");
    }

    /// <summary>One "M … L …" subpath per unbroken run of finite points, each thinned to its pixel columns.</summary>
    internal static string PathData(Series series, AxisMap xMap, AxisMap yMap)
    {
        var d = new System.Text.StringBuilder();
        var run = new List<(double X, double Y)>();
        void Flush()
        {
            var kept = Decimation.MinMaxPerColumn(run);
            for (int i = 0; i < kept.Count; i++)
                d.Append(i == 0 ? (d.Length == 0 ? "M" : " M") : i == 1 ? " L" : " ")
                 .Append(N(kept[i].X)).Append(',').Append(N(kept[i].Y));
            run.Clear();
        }
        for (int i = 0; i < series.X.Length; i++)
        {
            double x = xMap[series.X[i]], y = yMap[series.Y[i]];
            if (double.IsFinite(x) && double.IsFinite(y)) run.Add((x, y));
            else Flush();
        }
        Flush();
        return d.ToString();
    }

    static double Extreme(IEnumerable<double> values, bool min)
    {
        double best = double.NaN;
        foreach (double v in values)
            if (double.IsFinite(v) && (double.IsNaN(best) || (min ? v < best : v > best))) best = v;
        return best;
    }

    static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++) if (names[i] == name) return i;
        return 0;
    }

    static string Colour(int index) => Palette[index % Palette.Length];

    // A tenth of a pixel is finer than any screen shows and keeps path text short; adding 0.0 turns -0 into 0.
    internal static string N(double value) => (Math.Round(value, 1) + 0.0).ToString("0.#", CultureInfo.InvariantCulture);

    internal static string Escape(string text) => SecurityElement.Escape(text);
}
