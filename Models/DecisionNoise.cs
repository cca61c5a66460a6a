namespace Sure.Models;

/// <summary>
/// Where the decision path draws the NVSS noise of SPEC 4.1 from <see cref="Philox"/>, so that another backend
/// (a GPU kernel, the tape-based reference in the tests) can draw the same numbers.
/// <para>For decision number d of a job with n tasks, L snapshots and K neighbour slots, element (i, l, slot)
/// of the conceptual [n, L, 1+K] noise arrays x ~ N(0, 1) and y ~ Gumbel(0, 1) is</para>
/// <code>
/// x = Philox.Normal(seed, stream = 2d,     position)
/// y = Philox.Gumbel(seed, stream = 2d + 1, position)
/// position = i * L + l                              slot 0 (the task itself, theta)
///          = n * L + (i * L + l) * K + (slot - 1)   slot >= 1 (its neighbours)
/// </code>
/// Slot 0 comes first, as its own [n, L] block, so that theta's draws are contiguous for every task, and each
/// (task, snapshot)'s neighbour draws are contiguous too: the decider draws only what it reads (theta everywhere,
/// neighbours at the chosen anchors) in runs of consecutive positions, four words per Philox block.
/// </summary>
public static class DecisionNoise
{
    public static ulong NormalStream(ulong decisionIndex) => 2 * decisionIndex;
    public static ulong GumbelStream(ulong decisionIndex) => 2 * decisionIndex + 1;

    /// <summary>Position of element (task, snapshot, slot) in both streams.</summary>
    public static ulong Position(int tasks, int L, int K, int task, int snapshot, int slot) =>
        slot == 0
            ? (ulong)task * (ulong)L + (ulong)snapshot
            : (ulong)tasks * (ulong)L + ((ulong)task * (ulong)L + (ulong)snapshot) * (ulong)K + (ulong)(slot - 1);

    /// <summary>The full noise arrays [n, L, 1+K] (padding slots included), for references and tests.</summary>
    // x, y: [n, L, 1+K]
    public static void Fill(ulong seed, ulong decisionIndex, int tasks, int L, int K, Span<float> x, Span<float> y)
    {
        int slots = 1 + K;
        if (x.Length != tasks * L * slots || y.Length != x.Length)
            throw new ArgumentException($"x and y must hold [{tasks}, {L}, {slots}] values");
        for (int i = 0; i < tasks; i++)
            for (int l = 0; l < L; l++)
                for (int s = 0; s < slots; s++)
                {
                    ulong position = Position(tasks, L, K, i, l, s);
                    int at = (i * L + l) * slots + s;
                    x[at] = Philox.Normal<float>(seed, NormalStream(decisionIndex), position);
                    y[at] = Philox.Gumbel<float>(seed, GumbelStream(decisionIndex), position);
                }
    }
}
