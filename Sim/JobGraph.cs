namespace Sure.Sim;

/// <summary>
/// A streaming job: a DAG of tasks. Task index i (0-based) is the trace's task id i + 1.
/// Parents and children are stored as compressed rows; the topological order breaks ties by
/// the lower index so that every consumer sees the same order.
/// </summary>
public sealed class JobGraph
{
    public string Name { get; }
    public int TaskCount { get; }
    /// <summary>Task durations in seconds as given by the trace (the per-record cost derives from them).</summary>
    public ReadOnlySpan<double> Durations => _durations;
    readonly double[] _durations;
    internal int[] ParentStart { get; }
    internal int[] ParentList { get; }
    internal int[] ChildStart { get; }
    internal int[] ChildList { get; }
    /// <summary>Task indices in topological order (parents before children, lower index first on ties).</summary>
    public ReadOnlySpan<int> TopologicalOrder => OrderArray;
    internal int[] OrderArray { get; }
    /// <summary>DAG edges as a flat [M, 2] array of (parent, child) task indices, sorted by child then parent.</summary>
    public ReadOnlySpan<int> Edges => _edges;
    readonly int[] _edges;
    public int EdgeCount => _edges.Length / 2;

    JobGraph(string name, double[] durations, int[] parentStart, int[] parentList, int[] childStart, int[] childList, int[] order)
    {
        Name = name;
        TaskCount = durations.Length;
        _durations = durations;
        ParentStart = parentStart;
        ParentList = parentList;
        ChildStart = childStart;
        ChildList = childList;
        OrderArray = order;
        _edges = new int[parentList.Length * 2];
        for (int child = 0, e = 0; child < TaskCount; child++)
            for (int k = parentStart[child]; k < parentStart[child + 1]; k++, e++)
            {
                _edges[2 * e] = parentList[k];
                _edges[2 * e + 1] = child;
            }
    }

    public ReadOnlySpan<int> Parents(int task) => ParentList.AsSpan(ParentStart[task], ParentStart[task + 1] - ParentStart[task]);
    public ReadOnlySpan<int> Children(int task) => ChildList.AsSpan(ChildStart[task], ChildStart[task + 1] - ChildStart[task]);
    public bool IsSource(int task) => ParentStart[task] == ParentStart[task + 1];

    /// <summary>
    /// Builds a job from per-task durations and parent lists (task indices). Duplicate parents collapse.
    /// Throws <see cref="JobGraphException"/> for a parent out of range or a cycle.
    /// </summary>
    public static JobGraph Create(string name, double[] durations, IReadOnlyList<int[]> parents)
    {
        int n = durations.Length;
        if (n == 0) throw new JobGraphException(-1, $"job {name} has no tasks");
        if (parents.Count != n) throw new ArgumentException("one parent list per task is needed", nameof(parents));
        var parentStart = new int[n + 1];
        var unique = new int[n][];
        for (int i = 0; i < n; i++)
        {
            foreach (int p in parents[i])
                if (p < 0 || p >= n) throw new JobGraphException(i, $"job {name}: task {i + 1} has a missing parent {p + 1}");
            unique[i] = parents[i].Distinct().Order().ToArray();
            parentStart[i + 1] = parentStart[i] + unique[i].Length;
        }
        var parentList = new int[parentStart[n]];
        for (int i = 0; i < n; i++) unique[i].CopyTo(parentList, parentStart[i]);

        var childCount = new int[n + 1];
        foreach (int p in parentList) childCount[p + 1]++;
        for (int i = 0; i < n; i++) childCount[i + 1] += childCount[i];
        var childStart = (int[])childCount.Clone();
        var childList = new int[parentList.Length];
        var fill = (int[])childStart.Clone();
        for (int i = 0; i < n; i++)                       // children come out sorted because i ascends
            foreach (int p in unique[i]) childList[fill[p]++] = i;

        var order = TopologicalSort(n, parentStart, childStart, childList, out int stuck);
        if (order is null)
            throw new JobGraphException(stuck, $"job {name} has a cycle through task {stuck + 1}");
        return new JobGraph(name, durations, parentStart, parentList, childStart, childList, order);
    }

    static int[]? TopologicalSort(int n, int[] parentStart, int[] childStart, int[] childList, out int stuck)
    {
        var remaining = new int[n];
        var ready = new PriorityQueue<int, int>();
        for (int i = 0; i < n; i++)
        {
            remaining[i] = parentStart[i + 1] - parentStart[i];
            if (remaining[i] == 0) ready.Enqueue(i, i);
        }
        var order = new int[n];
        int count = 0;
        while (ready.TryDequeue(out int task, out _))
        {
            order[count++] = task;
            for (int k = childStart[task]; k < childStart[task + 1]; k++)
                if (--remaining[childList[k]] == 0) ready.Enqueue(childList[k], childList[k]);
        }
        stuck = -1;
        if (count == n) return order;
        stuck = Array.FindIndex(remaining, r => r > 0);
        return null;
    }
}

/// <summary>A structural defect of a job; <see cref="Task"/> is the offending task index or -1.</summary>
public sealed class JobGraphException(int task, string message) : Exception(message)
{
    public int Task { get; } = task;
}
