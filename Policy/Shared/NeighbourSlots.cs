namespace Sure.Policy;

/// <summary>
/// SPEC 3's neighbourhoods: N_c(i) = the tasks within <c>hops</c> of i in the undirected DAG, i excluded, ordered by
/// (hop distance, task index), cut to <c>maxNeighbours</c>, stored as [n, K] with K = max_i K_i and -1 in the padding
/// slots (this file is compiled into Sure.Sim and Sure.Policy; Shared/README.md).
/// </summary>
static class NeighbourSlots
{
    public const int DefaultHops = 2, DefaultMaxNeighbours = 32;

    // edges: [M, 2] (parent, child), tasks 0 .. n - 1
    // counts: [n] K_i; width: K; returns [n, K]
    public static int[] Build(int n, ReadOnlySpan<int> edges, int hops, int maxNeighbours, out int width, out int[] counts)
    {
        var adjacent = new List<int>[n];
        for (int i = 0; i < n; i++) adjacent[i] = [];
        for (int e = 0; e + 1 < edges.Length; e += 2)
        {
            adjacent[edges[e]].Add(edges[e + 1]);
            adjacent[edges[e + 1]].Add(edges[e]);
        }
        var lists = new int[n][];
        var seen = new bool[n];
        var frontier = new List<int>();
        var next = new List<int>();
        var found = new List<int>();
        for (int i = 0; i < n; i++)
        {
            found.Clear();
            frontier.Clear();
            frontier.Add(i);
            seen[i] = true;
            // Each hop's tasks are sorted before they are added, so the order is (hop distance, task index).
            for (int hop = 1; hop <= hops && found.Count < maxNeighbours && frontier.Count > 0; hop++)
            {
                next.Clear();
                foreach (int v in frontier)
                    foreach (int w in adjacent[v])
                        if (!seen[w])
                        {
                            seen[w] = true;
                            next.Add(w);
                        }
                next.Sort();
                found.AddRange(next);
                (frontier, next) = (next, frontier);
            }
            seen[i] = false;
            foreach (int v in found) seen[v] = false;
            lists[i] = found.Take(maxNeighbours).ToArray();
        }
        width = n == 0 ? 0 : lists.Max(l => l.Length);
        counts = lists.Select(l => l.Length).ToArray();
        var slots = new int[n * width];
        Array.Fill(slots, -1);
        for (int i = 0; i < n; i++) lists[i].CopyTo(slots, i * width);
        return slots;
    }
}
