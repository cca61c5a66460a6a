using Sure.Sim;

namespace Sure.Models;

/// <summary>The per-job structures of the decision path, built from the simulator's jobs.</summary>
public static class DecisionJob
{
    /// <summary>The decider's table for a job: SPEC 3 neighbour slots (the simulator's index) and the DAG edges.</summary>
    public static NeighbourTable Table(JobGraph job, int hops = NeighbourIndex.DefaultHops, int kMax = NeighbourIndex.DefaultMaxNeighbours)
    {
        var index = new NeighbourIndex(job, hops, kMax);
        return new NeighbourTable(job.TaskCount, index.Width, index.Slots, job.Edges);
    }

    /// <summary>The table of an n-task DAG given as edges [M, 2] (parent, child), 0-based.</summary>
    public static NeighbourTable Table(int n, int[] edges, int hops = NeighbourIndex.DefaultHops, int kMax = NeighbourIndex.DefaultMaxNeighbours)
    {
        var parents = new List<int>[n];
        for (int i = 0; i < n; i++) parents[i] = [];
        for (int e = 0; e < edges.Length; e += 2) parents[edges[e + 1]].Add(edges[e]);
        var job = JobGraph.Create($"dag-{n}", Enumerable.Repeat(1.0, n).ToArray(), parents.Select(p => p.ToArray()).ToArray());
        return Table(job, hops, kMax);
    }

    /// <summary>
    /// The job `sure bench infer` uses for n tasks: a paper job's size is that job (6 small-1, 16 small-2, 25 medium-1,
    /// 32 medium-2, 40 large-1, 46 large-2), any other n the simulator's seeded random layered DAG (same shape rules as
    /// Bench/torch_decision.py's, not the same edges).
    /// </summary>
    public static JobGraph ForBenchmark(int n, ulong seed = 0) =>
        JobCatalog.Named.FirstOrDefault(j => j.Tasks == n) is { Name: not null } named ? JobCatalog.Load(named.Name) : RandomDag.Generate(n, seed);
}
