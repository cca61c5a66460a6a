namespace Sure.Sim;

/// <summary>
/// Counter-based LogNormal(0, sigma^2) noise: eps_i(t) is a pure function of (seed, minute t, task i).
/// So every policy run on the same seed sees the same capacity noise (common random numbers,
/// which makes policy comparisons and REINFORCE baselines fair), and an episode can start at any
/// minute without replaying a stream. Two tasks share one 64-bit hash through Box-Muller.
/// </summary>
public static class Noise
{
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
    public static void FillLogNormal(ulong seed, long minute, double sigma, Span<double> eps)
    {
        if (sigma == 0) { eps.Fill(1.0); return; }
        ulong key = Mix(seed * 0x9E3779B97F4A7C15UL ^ Mix((ulong)minute + 0x632BE59BD9B4E019UL));
        for (int i = 0; i < eps.Length; i += 2)
        {
            ulong h = Mix(key + (ulong)i * 0x9E3779B97F4A7C15UL);
            double u1 = ((h >> 32) + 0.5) * (1.0 / 4294967296.0);          // (0, 1): log is finite
            double u2 = (h & 0xFFFFFFFFUL) * (1.0 / 4294967296.0);
            double radius = sigma * Math.Sqrt(-2.0 * Math.Log(u1));
            var (sin, cos) = Math.SinCos(2.0 * Math.PI * u2);
            eps[i] = Math.Exp(radius * cos);
            if (i + 1 < eps.Length) eps[i + 1] = Math.Exp(radius * sin);
        }
    }
}
