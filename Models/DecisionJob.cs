using System.Globalization;
using System.Text.RegularExpressions;

namespace Sure.Models;

/// <summary>
/// Job structures for the decision path's benchmark and tests.
/// STAND-IN until the simulator (Sure.Sim: JobGraph, NeighborIndex) is merged and an adapter feeds the decider:
/// the CSV parsing follows Bench/torch_decision.py's load_job, the neighbour index SPEC 3 (as torch_decision.py's
/// neighbour_index), and the random layered DAG has the same shape rules as random_layered_dag but its own
/// generator (System.Random, so not the same edges as Python's).
/// </summary>
public static partial class DecisionJob
{
    [GeneratedRegex(@"^[A-Z]+\d+(_\d+)*$")]
    private static partial Regex TaskName();

    /// <summary>(tasks, edges [M, 2] (parent, child), 0-based, sorted) of one job of the Alibaba batch_task sample.</summary>
    public static (int Tasks, int[] Edges) LoadAlibaba(string csvPath, string jobName)
    {
        var parents = new SortedDictionary<int, SortedSet<int>>();
        foreach (var line in File.ReadLines(csvPath))
        {
            var cols = line.Split(',');
            if (cols.Length < 3 || cols[1] != jobName || !TaskName().IsMatch(cols[2])) continue;
            var numbers = Regex.Matches(cols[2], @"\d+");
            int task = int.Parse(numbers[0].Value, CultureInfo.InvariantCulture);
            if (!parents.TryGetValue(task, out var set)) parents[task] = set = [];
            for (int k = 1; k < numbers.Count; k++) set.Add(int.Parse(numbers[k].Value, CultureInfo.InvariantCulture));
        }
        int n = parents.Count;
        if (n == 0 || parents.Keys.First() != 1 || parents.Keys.Last() != n)
            throw new InvalidDataException($"job {jobName}: task ids are not exactly 1..{n}");
        var edges = new List<(int, int)>();
        foreach (var (child, ps) in parents)
            foreach (int p in ps)
            {
                if (!parents.ContainsKey(p)) throw new InvalidDataException($"job {jobName}: task {child} names missing parent {p}");
                edges.Add((p - 1, child - 1));
            }
        return (n, Flatten(edges));
    }

    /// <summary>About sqrt(n) equal layers; each task after the first layer has 1-3 parents in the layer before.</summary>
    public static (int Tasks, int[] Edges) RandomLayered(int n, int seed)
    {
        var rng = new Random(seed);
        int layers = Math.Max(1, (int)Math.Round(Math.Sqrt(n)));
        var edges = new List<(int, int)>();
        for (int layer = 1; layer < layers; layer++)
        {
            int prevStart = (int)Math.Round((double)(layer - 1) * n / layers), start = (int)Math.Round((double)layer * n / layers);
            int end = (int)Math.Round((double)(layer + 1) * n / layers), prevCount = start - prevStart;
            for (int child = start; child < end; child++)
            {
                int want = Math.Min(prevCount, rng.Next(1, 4));
                var chosen = new HashSet<int>();
                while (chosen.Count < want) chosen.Add(prevStart + rng.Next(prevCount));
                foreach (int p in chosen) edges.Add((p, child));
            }
        }
        return (n, Flatten(edges));
    }

    /// <summary>
    /// SPEC 3 neighbour slots: tasks within `hops` of i in the undirected DAG, excluding i, ordered by
    /// (hop distance, task id), cut to kMax; K = the largest count. Returns [n, K] with -1 padding.
    /// </summary>
    public static (int K, int[] Slots) NeighbourSlots(int n, ReadOnlySpan<int> edges, int hops = 2, int kMax = 32)
    {
        var adjacent = new List<int>[n];
        for (int i = 0; i < n; i++) adjacent[i] = [];
        for (int e = 0; e < edges.Length; e += 2)
        {
            adjacent[edges[e]].Add(edges[e + 1]);
            adjacent[edges[e + 1]].Add(edges[e]);
        }
        var rows = new List<int>[n];
        var distance = new int[n];
        var queue = new Queue<int>();
        for (int i = 0; i < n; i++)
        {
            Array.Fill(distance, -1);
            distance[i] = 0;
            queue.Enqueue(i);
            var found = new List<(int Distance, int Task)>();
            while (queue.Count > 0)
            {
                int u = queue.Dequeue();
                if (distance[u] == hops) continue;
                foreach (int v in adjacent[u])
                    if (distance[v] < 0)
                    {
                        distance[v] = distance[u] + 1;
                        found.Add((distance[v], v));
                        queue.Enqueue(v);
                    }
            }
            found.Sort();
            rows[i] = found.Take(kMax).Select(f => f.Task).ToList();
        }
        int K = rows.Max(r => r.Count);
        var slots = new int[n * K];
        Array.Fill(slots, -1);
        for (int i = 0; i < n; i++)
            for (int s = 0; s < rows[i].Count; s++) slots[i * K + s] = rows[i][s];
        return (K, slots);
    }

    /// <summary>
    /// The job `sure bench infer` and torch_decision.py use for n tasks: 6 and 46 are the real jobs small-1 (j_1136)
    /// and large-2 (j_4141453) of the Alibaba sample, any other n a seeded random layered DAG.
    /// </summary>
    public static (string Source, int Tasks, int[] Edges) ForBenchmark(int n, int seed = 0)
    {
        string? job = n switch { 6 => "j_1136", 46 => "j_4141453", _ => null };
        if (job == null) return ($"random-layered(seed {seed})", n, RandomLayered(n, seed).Edges);
        var (tasks, edges) = LoadAlibaba(FindAlibabaSample(), job);
        return ($"alibaba:{job}", tasks, edges);
    }

    /// <summary>data/alibaba-v2018-dag-sample.csv in the current directory or the nearest ancestor of it or of the binary.</summary>
    public static string FindAlibabaSample()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                var path = Path.Combine(dir.FullName, "data", "alibaba-v2018-dag-sample.csv");
                if (File.Exists(path)) return path;
            }
        throw new FileNotFoundException("data/alibaba-v2018-dag-sample.csv not found above the current directory or the binary");
    }

    /// <summary>The per-job table the decider needs, from a DAG.</summary>
    public static NeighbourTable Table(int n, int[] edges, int hops = 2, int kMax = 32)
    {
        var (K, slots) = NeighbourSlots(n, edges, hops, kMax);
        return new NeighbourTable(n, K, slots, edges);
    }

    static int[] Flatten(List<(int Parent, int Child)> edges)
    {
        edges.Sort();
        var flat = new int[edges.Count * 2];
        for (int e = 0; e < edges.Count; e++) (flat[2 * e], flat[2 * e + 1]) = edges[e];
        return flat;
    }
}
