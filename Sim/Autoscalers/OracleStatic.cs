namespace Sure.Sim.Autoscalers;

/// <summary>
/// oracle-static: the best fixed parallelism in hindsight over a training window. Candidates are
/// two families: p_i = clamp(round(m * p_ref,i), 1, p_max) for m = 0.25, 0.5, ..., 4 (the shape the
/// job's costs suggest), and uniform p_i = N for N = 1..p_max. Each runs the whole window with the
/// given noise and seed; the highest mean span reward wins (ties: the earlier candidate).
/// </summary>
public static class OracleStatic
{
    public static IEnumerable<(string Name, int[] Parallelism)> Candidates(StreamEnvironment env)
    {
        int max = env.Options.MaxParallelism;
        for (int k = 1; k <= 16; k++)
        {
            double m = k * 0.25;
            yield return ($"oracle-static(x{m:0.##} p_ref)", env.ReferenceParallelism.ToArray()
                .Select(p => (int)Math.Clamp(Math.Round(m * p, MidpointRounding.ToEven), 1, max)).ToArray());
        }
        for (int n = 1; n <= max; n++)
            yield return ($"oracle-static(uniform {n})", Enumerable.Repeat(n, env.TaskCount).ToArray());
    }

    public static FixedAutoscaler Search(StreamEnvironment env, int trainStart, int trainMinutes, ulong seed) =>
        Tuning.Best(Candidates(env).Select(c => new FixedAutoscaler(c.Name, c.Parallelism)), candidate => candidate,
            env, trainStart, trainMinutes, seed).Value;
}
