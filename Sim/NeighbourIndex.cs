namespace Sure.Sim;

/// <summary>
/// N_c(i): the tasks within <c>hops</c> of i in the undirected DAG, i excluded, ordered by
/// (hop distance, task index), cut to <c>maxNeighbours</c>. Stored as [n, K] with K = max_i K_i
/// and -1 in the padding slots. Computed once per job.
/// </summary>
public sealed class NeighbourIndex
{
    public const int DefaultHops = 2;
    public const int DefaultMaxNeighbours = 32;

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
        int n = job.TaskCount;
        TaskCount = n;
        var lists = new int[n][];
        var distance = new int[n];
        Array.Fill(distance, -1);
        var frontier = new List<int>();
        var next = new List<int>();
        var found = new List<int>();
        for (int i = 0; i < n; i++)
        {
            found.Clear();
            frontier.Clear();
            frontier.Add(i);
            distance[i] = 0;
            for (int hop = 1; hop <= hops && found.Count < maxNeighbours && frontier.Count > 0; hop++)
            {
                next.Clear();
                foreach (int v in frontier)
                {
                    foreach (int w in job.Parents(v)) Visit(w);
                    foreach (int w in job.Children(v)) Visit(w);
                }
                next.Sort();
                found.AddRange(next);
                (frontier, next) = (next, frontier);
            }
            distance[i] = -1;
            foreach (int v in found) distance[v] = -1;
            lists[i] = found.Take(maxNeighbours).ToArray();

            void Visit(int w)
            {
                if (distance[w] >= 0) return;
                distance[w] = 1;
                next.Add(w);
            }
        }
        Width = lists.Length == 0 ? 0 : lists.Max(l => l.Length);
        Counts = lists.Select(l => l.Length).ToArray();
        Slots = new int[n * Width];
        Array.Fill(Slots, -1);
        for (int i = 0; i < n; i++) lists[i].CopyTo(Slots, i * Width);
    }
}
