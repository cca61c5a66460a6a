namespace Sure.Sim;

/// <summary>
/// Counter-based LogNormal(0, sigma^2) noise: eps_i(t) is a pure function of (seed, minute t, task i).
/// So every policy run on the same seed sees the same capacity noise (common random numbers,
/// which makes policy comparisons and REINFORCE baselines fair), and an episode can start at any
/// minute without replaying a stream.
/// <para>
/// Speed: a simulated task-minute has a budget of a few nanoseconds, too little for Box-Muller and
/// exp. So 32 hashed bits u pick a cell of a 4096-cell table of the LogNormal quantile function and
/// interpolate linearly inside it (20 bits of fraction); the two outermost cells (probability
/// 1/2048) evaluate the quantile exactly, so the tails are not cut. One 64-bit hash feeds two tasks.
/// </para>
/// </summary>
public sealed class LogNormalNoise
{
    const int CellBits = 12;
    const int Cells = 1 << CellBits;
    const int FractionBits = 32 - CellBits;

    readonly double _sigma;
    readonly double[] _quantile = new double[Cells + 1];          // exp(sigma * Phi^-1(k / Cells)), k = 1..Cells-1

    public double Sigma => _sigma;

    public LogNormalNoise(double sigma)
    {
        if (!(sigma >= 0) || !double.IsFinite(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), "sigma must be finite and >= 0");
        _sigma = sigma;
        for (int k = 1; k < Cells; k++) _quantile[k] = Math.Exp(sigma * InverseNormal((double)k / Cells));
    }

    /// <summary>The SplitMix64 finaliser: a bijective 64-bit mix with good avalanche.</summary>
    public static ulong Mix(ulong x)
    {
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27;
        x *= 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>Writes eps_i(minute) for every task i into <paramref name="eps"/>.</summary>
    public void Fill(ulong seed, long minute, Span<double> eps)
    {
        if (_sigma == 0) { eps.Fill(1.0); return; }
        ulong key = Mix(seed * 0x9E3779B97F4A7C15UL ^ Mix((ulong)minute + 0x632BE59BD9B4E019UL));
        int i = 0;
        for (; i + 1 < eps.Length; i += 2)
        {
            ulong h = Mix(key + (ulong)i * 0x9E3779B97F4A7C15UL);
            eps[i] = Sample((uint)(h >> 32));
            eps[i + 1] = Sample((uint)h);
        }
        if (i < eps.Length) eps[i] = Sample((uint)(Mix(key + (ulong)i * 0x9E3779B97F4A7C15UL) >> 32));
    }

    double Sample(uint bits)
    {
        uint cell = bits >> FractionBits;
        if (cell - 1 < Cells - 2)                                   // interior cells 1..Cells-2
        {
            double fraction = (bits & ((1u << FractionBits) - 1)) * (1.0 / (1 << FractionBits));
            double lo = _quantile[cell];
            return lo + fraction * (_quantile[cell + 1] - lo);
        }
        return Math.Exp(_sigma * InverseNormal((bits + 0.5) * (1.0 / 4294967296.0)));
    }

    /// <summary>
    /// Phi^-1(p) for p in (0, 1): a rational approximation (Acklam's form), absolute error below
    /// 1.3e-5 over (0, 1), checked against an exact quantile; for eps = exp(sigma z) that is a
    /// relative error below 1.3e-5 sigma, far below what a capacity noise needs.
    /// </summary>
    public static double InverseNormal(double p)
    {
        if (!(p > 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p));
        const double low = 0.02425;
        double x;
        if (p < low)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            x = (((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q - 2.400758277161838e+00) * q - 2.549671743856101e+00) * q + 4.374664141464968e+00) * q + 2.938163982698783e+00)
                / ((((7.784695709041462e-03 * q + 3.224671290700398e-01) * q + 2.445134137142996e+00) * q + 3.754408661907416e+00) * q + 1);
        }
        else if (p <= 1 - low)
        {
            double q = p - 0.5, r = q * q;
            x = (((((-3.969683028665376e+01 * r + 2.209460984245205e+02) * r - 2.759285104469687e+02) * r + 1.383577518672690e+02) * r - 3.066479806614716e+01) * r + 2.506628277459239e+00) * q
                / (((((-5.447609879822406e+01 * r + 1.615858368580409e+02) * r - 1.556989798598866e+02) * r + 6.680131188771972e+01) * r - 1.328068155288572e+01) * r + 1);
        }
        else
        {
            double q = Math.Sqrt(-2 * Math.Log(1 - p));
            x = -(((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q - 2.400758277161838e+00) * q - 2.549671743856101e+00) * q + 4.374664141464968e+00) * q + 2.938163982698783e+00)
                / ((((7.784695709041462e-03 * q + 3.224671290700398e-01) * q + 2.445134137142996e+00) * q + 3.754408661907416e+00) * q + 1);
        }
        return x;
    }
}
