using System.Globalization;
using System.Reflection;

namespace Sure.Sim;

/// <summary>
/// Jobs from an Alibaba cluster-trace-v2018 <c>batch_task</c> file (no header; columns
/// <c>arrival_time, job_name, task_name, duration_s, plan_cpu, plan_mem, instance_num</c>).
/// A task name <c>[A-Z]+id(_parent)*</c> encodes the DAG; other names carry none and are skipped,
/// the only rows that are. Every row is checked, so a damaged file fails whichever job is asked for.
/// </summary>
public static class JobCatalog
{
    public const string SampleResource = "alibaba-v2018-dag-sample.csv";
    /// <summary>Most tasks of a random:N job: the simulator and the model allocate per task, and 100,000 is far past
    /// any real job (the largest in the sample has 46).</summary>
    public const int MaxRandomTasks = 100_000;
    /// <summary>Longest task duration in seconds (about 30 years): the simulator averages durations, which must not overflow.</summary>
    public const double MaxDuration = 1e9;

    /// <summary>The paper's six evaluation jobs, in the paper's order.</summary>
    public static readonly IReadOnlyList<(string Name, string JobId, int Tasks)> Named =
    [
        ("small-1", "j_1136", 6),
        ("small-2", "j_18142", 16),
        ("medium-1", "j_122492", 25),
        ("medium-2", "j_1017980", 32),
        ("large-1", "j_323305", 40),
        ("large-2", "j_4141453", 46),
    ];

    /// <summary>
    /// Resolves a job by paper name (<c>large-2</c>), sample job id (<c>j_1136</c>) or
    /// <c>random:N[:SEED]</c> (a synthetic layered DAG). <paramref name="file"/> null = the embedded sample.
    /// </summary>
    public static JobGraph Load(string name, string? file = null)
    {
        if (name.StartsWith("random:", StringComparison.Ordinal)) return ParseRandom(name);
        string jobId = name;
        foreach (var job in Named)
            if (job.Name == name) jobId = job.JobId;
        using var reader = file is null ? OpenSample() : OpenFile(file);
        var graph = Parse(reader, file ?? SampleResource, jobId);
        return name == jobId ? graph : Rename(graph, name);
    }

    static JobGraph Rename(JobGraph g, string name)
    {
        var parents = new int[g.TaskCount][];
        for (int i = 0; i < g.TaskCount; i++) parents[i] = g.Parents(i).ToArray();
        return JobGraph.Create(name, g.Durations.ToArray(), parents);
    }

    static JobGraph ParseRandom(string spec)
    {
        var parts = spec.Split(':');
        if (parts.Length is < 2 or > 3
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1 || n > MaxRandomTasks
            || (parts.Length == 3 && !ulong.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            throw new SimInputException($"bad job '{spec}': expected random:N or random:N:SEED with N in 1..{MaxRandomTasks}");
        ulong seed = parts.Length == 3 ? ulong.Parse(parts[2], CultureInfo.InvariantCulture) : 1;
        return RandomDag.Generate(n, seed);
    }

    static StreamReader OpenSample()
    {
        var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(SampleResource)
            ?? throw new InvalidOperationException($"embedded resource {SampleResource} is missing");
        return new StreamReader(stream);
    }

    internal static StreamReader OpenFile(string file)
    {
        try { return new StreamReader(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SimInputException($"{file}: cannot open: {e.Message}");
        }
    }

    /// <summary>Parses the whole file, checking every row, and builds job <paramref name="jobId"/>.</summary>
    public static JobGraph Parse(TextReader reader, string source, string jobId)
    {
        var jobs = ReadRows(reader, source, id => id == jobId);
        if (!jobs.TryGetValue(jobId, out var tasks)) throw new SimInputException($"{source}: no job '{jobId}' (use small-1 … large-2, a job id such as j_1136, or random:N)");
        return Build(source, jobId, tasks);
    }

    /// <summary>
    /// Every job of the file whose DAG is valid (task ids 1..n, parents present, no cycle), by job id, in the file's
    /// order of first appearance; jobs whose DAG is not valid are left out (every row is still checked).
    /// </summary>
    public static IReadOnlyList<JobGraph> ParseAll(TextReader reader, string source)
    {
        var graphs = new List<JobGraph>();
        foreach (var (jobId, tasks) in ReadRows(reader, source, _ => true))
        {
            try { graphs.Add(Build(source, jobId, tasks)); }
            catch (Exception e) when (e is SimInputException or JobGraphException) { }   // not a valid DAG: not a job a policy can run
        }
        return graphs;
    }

    /// <summary>The embedded sample's jobs with a valid DAG (<see cref="ParseAll"/>).</summary>
    public static IReadOnlyList<JobGraph> Sample()
    {
        using var reader = OpenSample();
        return ParseAll(reader, SampleResource);
    }

    // Row checks of the whole file; the DAG-encoded tasks of the jobs `wanted` accepts, by job (insertion order).
    // A wanted job with only "no DAG" names maps to an empty task table.
    static Dictionary<string, Dictionary<int, (double Duration, int[] Parents, int Line)>> ReadRows(TextReader reader, string source, Func<string, bool> wanted)
    {
        var jobs = new Dictionary<string, Dictionary<int, (double Duration, int[] Parents, int Line)>>(StringComparer.Ordinal);
        var lines = new BoundedLines(reader, source);
        string? line;
        while ((line = lines.Next()) is not null)
        {
            int lineNo = lines.LineNumber;
            if (line.Length == 0) throw SimInputException.At(source, lineNo, "empty line");
            var cols = line.Split(',');
            if (cols.Length != 7)
                throw SimInputException.At(source, lineNo, $"expected 7 comma-separated columns, found {cols.Length}");
            if (cols[1].Length == 0) throw SimInputException.At(source, lineNo, "empty job name");
            if (!double.TryParse(cols[3], NumberStyles.Float, CultureInfo.InvariantCulture, out double duration) || !double.IsFinite(duration))
                throw SimInputException.At(source, lineNo, $"duration '{cols[3]}' is not a number");
            if (duration < 0) throw SimInputException.At(source, lineNo, $"negative duration {cols[3]}");
            if (duration > MaxDuration) throw SimInputException.At(source, lineNo, $"duration {cols[3]} s is above the limit {MaxDuration:G} s");
            var ids = ParseTaskName(cols[2]);
            string jobId = cols[1];
            if (!wanted(jobId)) continue;
            if (!jobs.TryGetValue(jobId, out var tasks)) jobs[jobId] = tasks = [];
            if (ids is null) continue;                       // the format's "no DAG" task names
            if (ids.Value.Id < 1 || ids.Value.Parents.Any(id => id < 1))
                throw SimInputException.At(source, lineNo, $"task '{cols[2]}' has an id outside 1..{int.MaxValue}");
            if (tasks.TryGetValue(ids.Value.Id, out var other))
                throw SimInputException.At(source, lineNo, $"job {jobId}: task id {ids.Value.Id} repeats line {other.Line}");
            tasks[ids.Value.Id] = (duration, ids.Value.Parents, lineNo);
        }
        return jobs;
    }

    static JobGraph Build(string source, string jobId, Dictionary<int, (double Duration, int[] Parents, int Line)> tasks)
    {
        if (tasks.Count == 0) throw new SimInputException($"{source}: job {jobId} has no task with a DAG-encoded name");
        int n = tasks.Count;
        var durations = new double[n];
        var parents = new int[n][];
        for (int id = 1; id <= n; id++)
        {
            if (!tasks.TryGetValue(id, out var t))
            {
                int beyond = tasks.Keys.Where(k => k > n).Min();
                throw SimInputException.At(source, tasks[beyond].Line, $"job {jobId}: task ids are not 1..{n} (task {id} is missing, {beyond} exists)");
            }
            durations[id - 1] = t.Duration;
            foreach (int parent in t.Parents)
                if (!tasks.ContainsKey(parent))
                    throw SimInputException.At(source, t.Line, $"job {jobId}: task {id} names a missing parent {parent}");
            parents[id - 1] = t.Parents.Select(p => p - 1).ToArray();
        }
        try { return JobGraph.Create(jobId, durations, parents); }
        catch (JobGraphException e) when (e.Task >= 0)
        {
            throw SimInputException.At(source, tasks[e.Task + 1].Line, e.Message);
        }
    }

    /// <summary>Task id and parent ids of a DAG-encoded name, or null for a name that carries no DAG.</summary>
    internal static (int Id, int[] Parents)? ParseTaskName(string name)
    {
        int pos = 0;
        while (pos < name.Length && name[pos] is >= 'A' and <= 'Z') pos++;
        if (pos == 0 || pos == name.Length) return null;
        var numbers = new List<int>();
        while (true)
        {
            int start = pos;
            long value = 0;
            bool tooLarge = false;
            while (pos < name.Length && char.IsAsciiDigit(name[pos]))
            {
                value = value * 10 + (name[pos] - '0');
                if (value > int.MaxValue) { tooLarge = true; value = 0; }
                pos++;
            }
            if (pos == start) return null;
            numbers.Add(tooLarge ? -1 : (int)value);                // the caller rejects ids < 1
            if (pos == name.Length) break;
            if (name[pos] != '_') return null;
            pos++;
        }
        return (numbers[0], numbers.Skip(1).ToArray());
    }
}
