using System.Globalization;

namespace Sure.Sim.Autoscalers;

/// <summary>
/// SPEC 7's tuned heuristics and the clairvoyant: one setting chosen from a grid by the best mean span reward over a
/// window of the trace (the first week, noise seed 1 in the commands); ties go to the earlier candidate.
/// hpa-tuned and flink-tuned choose their target utilisation from {0.40, 0.45, ..., 0.90}, the clairvoyant its rho
/// from {0.50, 0.55, ..., 1.00}. max-tuned (not in SPEC 7; docs/simulator.md) is the two tuned ones side by side.
/// </summary>
public static class Tuning
{
    public const int FirstWeekMinutes = WorkloadTrace.WeekMinutes;

    public static readonly double[] TargetGrid = Grid(0.40, 0.90);
    public static readonly double[] RhoGrid = Grid(0.50, 1.00);

    // Steps of 0.05 by integer count, so the values are exactly the decimals they print as.
    static double[] Grid(double first, double last) =>
        Enumerable.Range(0, (int)Math.Round((last - first) / 0.05) + 1).Select(k => Math.Round(first + 0.05 * k, 2)).ToArray();

    /// <summary>The candidate of <paramref name="grid"/> whose policy scores the best reward on the window, and that reward.</summary>
    public static (double Value, double Reward) Choose(double[] grid, Func<double, IAutoscaler> create, StreamEnvironment env,
        int start, int minutes, ulong seed) => Best(grid, create, env, start, minutes, seed);

    /// <summary>
    /// The one search of every tuned policy (and oracle-static): each candidate's policy runs the window with the same
    /// noise and seed; the highest mean span reward wins, ties to the earlier candidate.
    /// </summary>
    public static (T Value, double Reward) Best<T>(IEnumerable<T> candidates, Func<T, IAutoscaler> create, StreamEnvironment env,
        int start, int minutes, ulong seed)
    {
        T best = default!;
        double bestReward = double.NegativeInfinity;
        foreach (var candidate in candidates)
        {
            double reward = Episode.Run(env, create(candidate), start, minutes, seed).Reward;
            if (reward > bestReward)
            {
                bestReward = reward;
                best = candidate;
            }
        }
        return (best, bestReward);
    }

    public static HpaAutoscaler Hpa(StreamEnvironment env, int start, int minutes, ulong seed) =>
        new(Choose(TargetGrid, t => new HpaAutoscaler(t), env, start, minutes, seed).Value, "hpa-tuned");

    public static FlinkAutoscaler Flink(StreamEnvironment env, int start, int minutes, ulong seed) =>
        new(Choose(TargetGrid, t => new FlinkAutoscaler(t), env, start, minutes, seed).Value, "flink-tuned");

    /// <summary>hpa-tuned and flink-tuned, each tuned on the window as above, the larger recommendation per task.</summary>
    public static MaxAutoscaler Max(StreamEnvironment env, int start, int minutes, ulong seed) =>
        new(Hpa(env, start, minutes, seed), Flink(env, start, minutes, seed));

    public static ClairvoyantAutoscaler Clairvoyant(StreamEnvironment env, int start, int minutes, ulong seed) =>
        new(Choose(RhoGrid, rho => new ClairvoyantAutoscaler(rho), env, start, minutes, seed).Value);

    /// <summary>"target 0.60" for a tuned policy; null for an untuned one.</summary>
    public static string? Describe(string parameter, double value, bool tuned) =>
        tuned ? string.Create(CultureInfo.InvariantCulture, $"{parameter} {value:0.00}") : null;
}
