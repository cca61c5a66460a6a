namespace Sure.Policy;

/// <summary>
/// The job structure one forward needs: each task's neighbour slots (SPEC 3) and which pairs of a task's
/// neighbour slots are linked by a DAG edge (SPEC 4.3's neighbour-neighbour edges). Depends on the job only,
/// so a decision loop builds it once.
/// </summary>
public sealed class NeighbourTable
{
    // nbr: [tasks, K] task id of each slot, -1 = padding (only after the valid slots)
    // dagEdges: [M, 2] (parent, child) task ids, same numbering as nbr
    public NeighbourTable(int tasks, int k, ReadOnlySpan<int> nbr, ReadOnlySpan<int> dagEdges)
    {
        if (tasks <= 0) throw new ArgumentException($"need at least one task, got {tasks}");
        if (k < 0 || nbr.Length != tasks * k) throw new ArgumentException($"nbr holds {nbr.Length} values, expected [{tasks}, {k}]");
        if (dagEdges.Length % 2 != 0) throw new ArgumentException("edges must be [M, 2]");
        Tasks = tasks;
        K = k;
        Slots = nbr.ToArray();
        Valid = new int[tasks];
        for (int i = 0; i < tasks; i++)
        {
            var row = nbr.Slice(i * k, k);
            int valid = 0;
            while (valid < k && row[valid] >= 0) valid++;
            for (int s = valid; s < k; s++)
                if (row[s] != -1)
                    throw new ArgumentException($"nbr[{i}, {s}] = {row[s]}: slots after the first -1 must be -1 (padding), ids >= 0");
            Valid[i] = valid;
        }

        var linked = new HashSet<(int, int)>();
        for (int e = 0; e < dagEdges.Length; e += 2)
        {
            linked.Add((dagEdges[e], dagEdges[e + 1]));
            linked.Add((dagEdges[e + 1], dagEdges[e]));
        }
        SlotLinked = new bool[tasks * k * k];
        for (int i = 0; i < tasks; i++)
            for (int s = 0; s < Valid[i]; s++)
                for (int t = 0; t < Valid[i]; t++)
                    SlotLinked[(i * k + s) * k + t] = linked.Contains((Slots[i * k + s], Slots[i * k + t]));
    }

    public int Tasks { get; }
    /// <summary>Padded neighbour count: S has 1 + K slots per snapshot.</summary>
    public int K { get; }
    /// <summary>[Tasks, K] neighbour task ids, -1 = padding.</summary>
    public int[] Slots { get; }
    /// <summary>[Tasks] K_i, the number of valid (leading) slots.</summary>
    public int[] Valid { get; }
    /// <summary>[Tasks, K, K] true when the tasks in slots s and t of task i share a DAG edge (either direction).</summary>
    public bool[] SlotLinked { get; }

    public bool Linked(int task, int s, int t) => SlotLinked[(task * K + s) * K + t];
}
