using System.Globalization;

namespace Sure.Cli.Plots;

/// <summary>An axis range with ticks at round steps (1, 2 or 5 × 10^k) and the labels to print at them.</summary>
public sealed record NiceScale(double Min, double Max, double Step, double[] Ticks)
{
    /// <summary>
    /// Ticks for data in [lo, hi] aiming at about <paramref name="target"/> intervals. With <paramref name="extend"/>
    /// the range grows outward to whole steps (a y axis); without it the range stays [lo, hi] and only the ticks inside
    /// it are kept (a time axis, where padding past the last minute would be wasted width).
    /// </summary>
    public static NiceScale Create(double lo, double hi, bool extend, int target = 5)
    {
        if (!double.IsFinite(lo) || !double.IsFinite(hi)) (lo, hi) = (0, 1);
        if (lo > hi) (lo, hi) = (hi, lo);
        if (hi - lo <= Math.Abs(hi) * 1e-12)
        {
            // A constant series has no spread to divide by; give it a band around its value.
            double pad = lo == 0 ? 1 : Math.Abs(lo) * 0.1;
            (lo, hi) = (lo - pad, hi + pad);
        }

        double raw = (hi - lo) / target;
        int exponent = (int)Math.Floor(Math.Log10(raw));
        double normalized = raw / Math.Pow(10, exponent);
        int mantissa = normalized < 1.5 ? 1 : normalized < 3 ? 2 : normalized < 7 ? 5 : 10;
        if (mantissa == 10) (mantissa, exponent) = (1, exponent + 1);

        // Ticks are computed as integer × mantissa scaled by an exact power of ten, so 3 × 0.01 prints as 0.03.
        double Value(long k) => exponent >= 0 ? k * mantissa * Math.Pow(10, exponent) : k * mantissa / Math.Pow(10, -exponent);
        double step = Value(1);
        const double slack = 1e-9;
        long first = extend ? (long)Math.Floor(lo / step + slack) : (long)Math.Ceiling(lo / step - slack);
        long last = extend ? (long)Math.Ceiling(hi / step - slack) : (long)Math.Floor(hi / step + slack);
        var ticks = new double[last - first + 1];
        for (long k = first; k <= last; k++) ticks[k - first] = Value(k);
        return extend ? new NiceScale(ticks[0], ticks[^1], step, ticks) : new NiceScale(lo, hi, step, ticks);
    }

    /// <summary>True for a log10 axis (<see cref="CreateLog"/>); its <see cref="Step"/> is NaN, as no one step fits it.</summary>
    public bool Log { get; init; }

    /// <summary>
    /// A log10 axis over positive data in [lo, hi], grown outward to whole decades: ticks at every decade, and at 2 and
    /// 5 × 10^k as well when it spans at most two decades (a single value on a decade gets the decade above it).
    /// </summary>
    public static NiceScale CreateLog(double lo, double hi)
    {
        if (!(lo > 0) || !double.IsFinite(lo) || !double.IsFinite(hi)) (lo, hi) = (1, 10);
        if (lo > hi) (lo, hi) = (hi, lo);
        int first = (int)Math.Floor(Math.Log10(lo) + 1e-9), last = (int)Math.Ceiling(Math.Log10(hi) - 1e-9);
        if (last == first) last++;
        int[] mantissas = last - first <= 2 ? [1, 2, 5] : [1];
        var ticks = new List<double>();
        for (int e = first; e <= last; e++)
            foreach (int m in mantissas)
                if (e < last || m == 1) ticks.Add(m * Math.Pow(10, e));
        return new NiceScale(Math.Pow(10, first), Math.Pow(10, last), double.NaN, ticks.ToArray()) { Log = true };
    }

    /// <summary>A tick label: thousands as 2k or 10k once the step is that coarse, otherwise as many decimals as the step needs.</summary>
    public string Label(double value)
    {
        if (Log) return value >= 1e6 ? Shortest(value / 1e6) + "M" : value >= 1e3 ? Shortest(value / 1e3) + "k" : Shortest(value);
        if (Math.Abs(value) < Step * 1e-9) return Format(0, Step); // no "-0", and a bare "0" rather than "0k"
        if (Step >= 1e6) return Format(value / 1e6, Step / 1e6) + "M";
        if (Step >= 1e3) return Format(value / 1e3, Step / 1e3) + "k";
        return Format(value, Step);
    }

    static string Shortest(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    static string Format(double value, double step)
    {
        int decimals = Math.Max(0, -(int)Math.Floor(Math.Log10(step) + 1e-9));
        return value.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }
}
