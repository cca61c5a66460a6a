namespace Sure.Sim;

/// <summary>
/// Seeded random layered DAGs for scale tests: about sqrt(n) layers of similar width, every task
/// past the first layer has 1 to 3 parents in the layer just above (mostly one, so the fan-in
/// product of flows stays moderate), durations uniform in [1, 300] seconds.
/// </summary>
public static class RandomDag
{
    public static JobGraph Generate(int tasks, ulong seed)
    {
        if (tasks < 1) throw new ArgumentOutOfRangeException(nameof(tasks), "a job needs at least one task");
        var rng = new SplitMix64(seed);
        int layers = Math.Max(1, (int)Math.Round(Math.Sqrt(tasks)));
        var layerStart = new int[layers + 1];
        for (int l = 0; l <= layers; l++) layerStart[l] = (int)((long)tasks * l / layers);
        var durations = new double[tasks];
        var parents = new int[tasks][];
        for (int l = 0; l < layers; l++)
            for (int i = layerStart[l]; i < layerStart[l + 1]; i++)
            {
                durations[i] = 1 + rng.NextInt(300);
                if (l == 0) { parents[i] = []; continue; }
                int above = layerStart[l - 1], width = layerStart[l] - above;
                double roll = rng.NextDouble();
                int count = Math.Min(width, roll < 0.7 ? 1 : roll < 0.95 ? 2 : 3);
                var chosen = new HashSet<int>();
                while (chosen.Count < count) chosen.Add(above + rng.NextInt(width));
                parents[i] = [.. chosen];
            }
        return JobGraph.Create($"random:{tasks}:{seed}", durations, parents);
    }
}

/// <summary>A small sequential generator (SplitMix64) for structure that needs no counter-based access.</summary>
public struct SplitMix64(ulong seed)
{
    ulong _state = seed;

    public ulong Next()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return LogNormalNoise.Mix(_state);
    }

    public int NextInt(int bound) => (int)((Next() >> 33) * (ulong)bound >> 31);
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
}
