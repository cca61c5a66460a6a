using Sure.Policy;

namespace Sure.Sim;

/// <summary>
/// N_c(i): the tasks within <c>hops</c> of i in the undirected DAG, i excluded, ordered by
/// (hop distance, task index), cut to <c>maxNeighbours</c>. Stored as [n, K] with K = max_i K_i
/// and -1 in the padding slots. Computed once per job, by the policy library's own code (Policy/Shared/NeighbourSlots.cs).
/// </summary>
public sealed class NeighbourIndex
{
    public const int DefaultHops = NeighbourSlots.DefaultHops;
    public const int DefaultMaxNeighbours = NeighbourSlots.DefaultMaxNeighbours;

    public int TaskCount { get; }
    /// <summary>K: the padded width (the largest neighbour count).</summary>
    public int Width { get; }
    /// <summary>Row-major [n, K] task indices, -1 = padding.</summary>
    public int[] Slots { get; }
    /// <summary>K_i per task.</summary>
    public int[] Counts { get; }

    public ReadOnlySpan<int> Row(int task) => Slots.AsSpan(task * Width, Width);

    public NeighbourIndex(JobGraph job, int hops = DefaultHops, int maxNeighbours = DefaultMaxNeighbours)
    {
        TaskCount = job.TaskCount;
        Slots = NeighbourSlots.Build(job.TaskCount, job.Edges, hops, maxNeighbours, out int width, out int[] counts);
        Width = width;
        Counts = counts;
    }
}
