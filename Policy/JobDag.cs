namespace Sure.Policy;

/// <summary>A job's tasks and its DAG's edges (parent, child), tasks numbered as in <see cref="Tasks"/>.</summary>
public sealed class JobDag
{
    public IReadOnlyList<string> Tasks { get; }
    /// <summary>[M, 2] (parent, child) task indices.</summary>
    public int[] Edges { get; }

    /// <summary>Throws ArgumentException naming the defect: no task, a repeated name, an unknown task in an edge, a
    /// self-loop or a cycle.</summary>
    public JobDag(IReadOnlyList<string> tasks, IEnumerable<(string Parent, string Child)> edges)
    {
        if (tasks.Count == 0) throw new ArgumentException("the job has no task");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tasks.Count; i++)
            if (!index.TryAdd(tasks[i], i)) throw new ArgumentException($"task '{tasks[i]}' appears twice");
        var list = new List<int>();
        foreach (var (parent, child) in edges)
        {
            if (!index.TryGetValue(parent, out int p)) throw new ArgumentException($"edge {parent} -> {child}: no task '{parent}'");
            if (!index.TryGetValue(child, out int c)) throw new ArgumentException($"edge {parent} -> {child}: no task '{child}'");
            if (p == c) throw new ArgumentException($"edge {parent} -> {child} is a self-loop");
            list.Add(p);
            list.Add(c);
        }
        Tasks = tasks.ToArray();
        Edges = list.ToArray();
        if (HasCycle(Tasks.Count, Edges)) throw new ArgumentException("the job's edges contain a cycle");
    }

    public int TaskCount => Tasks.Count;

    // Kahn's algorithm: a DAG empties completely.
    static bool HasCycle(int n, int[] edges)
    {
        var indegree = new int[n];
        var children = new List<int>[n];
        for (int i = 0; i < n; i++) children[i] = [];
        for (int e = 0; e < edges.Length; e += 2)
        {
            children[edges[e]].Add(edges[e + 1]);
            indegree[edges[e + 1]]++;
        }
        var ready = new Queue<int>(Enumerable.Range(0, n).Where(i => indegree[i] == 0));
        int removed = 0;
        while (ready.Count > 0)
        {
            int v = ready.Dequeue();
            removed++;
            foreach (int c in children[v])
                if (--indegree[c] == 0) ready.Enqueue(c);
        }
        return removed < n;
    }
}
