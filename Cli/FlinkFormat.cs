using System.Globalization;
using System.Text.Json;
using Sure.Policy;
using Sure.Sim;

namespace Sure.Cli;

/// <summary>A host's input file that cannot be used: the message names the file, the line and the defect.</summary>
sealed class HostInputException(string message) : Exception(message);

/// <summary>
/// What `sure decide` reads and `sure simulate --plan-out --metrics-out` writes (docs/integration.md): Flink's REST job
/// plan (`/jobs/:jobid/plan`) and JSON lines of per-minute, per-vertex metrics under Flink's names.
/// </summary>
static class FlinkFormat
{
    // Per-vertex metric names; Flink's own where Flink has one (SPEC 12).
    public const string RecordsIn = "numRecordsInPerSecond", Busy = "busyTimeMsPerSecond", Backlog = "pendingRecords",
        Latency = "processingLatencyMs", Capacity = "trueProcessingRate", Parallelism = "parallelism";

    /// <summary>Trace minute 0 of a simulated run is midnight of this day: the time features read the clock time.</summary>
    static readonly DateTimeOffset SimulatedEpoch = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A simulated job's plan: vertex i has id = i as 32 hex digits (Flink's vertex ids are 32 hex digits).</summary>
    public static string VertexId(int task) => task.ToString("x32", CultureInfo.InvariantCulture);

    public static void WritePlan(TextWriter writer, JobGraph job, ReadOnlySpan<int> parallelism)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("plan");
            json.WriteString("jid", "00000000000000000000000000000000");
            json.WriteString("name", job.Name);
            json.WriteString("type", "STREAMING");
            json.WriteStartArray("nodes");
            for (int i = 0; i < job.TaskCount; i++)
            {
                json.WriteStartObject();
                json.WriteString("id", VertexId(i));
                json.WriteNumber("parallelism", parallelism[i]);
                json.WriteString("description", $"task {i}");
                json.WriteStartArray("inputs");
                int num = 0;
                foreach (int parent in job.Parents(i))
                {
                    json.WriteStartObject();
                    json.WriteNumber("num", num++);
                    json.WriteString("id", VertexId(parent));
                    json.WriteString("ship_strategy", "HASH");
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }
        writer.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>Every minute of a span as one JSON line; the simulator's capacity goes out as the true processing rate.</summary>
    public static void WriteMinutes(TextWriter writer, SpanRecord span)
    {
        using var buffer = new MemoryStream();
        for (int m = 0; m < span.Minutes; m++)
        {
            buffer.SetLength(0);
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("timestamp", SimulatedEpoch.AddMinutes(span.StartMinute + m).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                json.WriteBoolean("restarting", span.RestartFactor[m] != 1);
                json.WriteStartObject("vertices");
                for (int i = 0; i < span.TaskCount; i++)
                {
                    json.WriteStartObject(VertexId(i));
                    json.WriteNumber(Parallelism, span.Parallelism[i]);
                    json.WriteNumber(RecordsIn, span.At(span.Input, m, i) / 60);
                    json.WriteNumber(Busy, span.At(span.Utilization, m, i) * 1000);
                    json.WriteNumber(Backlog, span.At(span.Backlog, m, i));
                    json.WriteNumber(Latency, span.At(span.TaskLatency, m, i) * 60_000);
                    json.WriteNumber(Capacity, span.At(span.Capacity, m, i) / 60);
                    json.WriteEndObject();
                }
                json.WriteEndObject();
                json.WriteEndObject();
            }
            writer.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        }
    }

    /// <summary>A plan's vertices in its order, as a DAG, with their parallelism.</summary>
    public sealed record Plan(JobDag Dag, int[] Parallelism);

    public static Plan ReadPlan(string path)
    {
        string Where(string what) => $"{path}: {what}";
        JsonDocument document;
        try { document = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new HostInputException(Where($"line {e.LineNumber + 1}: not JSON ({e.Message})")); }
        using (document)
        {
            var root = document.RootElement;
            // /jobs/:jobid/plan answers {"plan": {...}}; /jobs/:jobid holds the same object under "plan" too.
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("plan", out var inner)) root = inner;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("nodes", out var nodes) || nodes.ValueKind != JsonValueKind.Array)
                throw new HostInputException(Where("no plan.nodes array (expected Flink's /jobs/:jobid/plan)"));
            var ids = new List<string>();
            var parallelism = new List<int>();
            var edges = new List<(string, string)>();
            int k = 0;
            foreach (var node in nodes.EnumerateArray())
            {
                string at = $"plan.nodes[{k++}]";
                if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String)
                    throw new HostInputException(Where($"{at} has no string id"));
                if (!node.TryGetProperty("parallelism", out var p) || p.ValueKind != JsonValueKind.Number || !p.TryGetInt32(out int pv) || pv < 1)
                    throw new HostInputException(Where($"{at} ({id.GetString()}): parallelism must be a whole number >= 1"));
                ids.Add(id.GetString()!);
                parallelism.Add(pv);
                if (node.TryGetProperty("inputs", out var inputs))
                {
                    if (inputs.ValueKind != JsonValueKind.Array) throw new HostInputException(Where($"{at}: inputs must be an array"));
                    foreach (var input in inputs.EnumerateArray())
                    {
                        if (input.ValueKind != JsonValueKind.Object || !input.TryGetProperty("id", out var parent) || parent.ValueKind != JsonValueKind.String)
                            throw new HostInputException(Where($"{at}: an input has no string id"));
                        edges.Add((parent.GetString()!, id.GetString()!));
                    }
                }
            }
            try { return new Plan(new JobDag(ids, edges), parallelism.ToArray()); }
            catch (ArgumentException e) { throw new HostInputException(Where(e.Message)); }
        }
    }

    /// <summary>One line of the metrics file: the minute's clock time, the restart flag and every vertex's metrics.</summary>
    public readonly record struct Minute(int MinuteOfDay, bool Restarting);

    /// <summary>
    /// Reads one line into <paramref name="metrics"/> (plan order). A vertex the line leaves out, or a metric that is
    /// absent or null, is NaN (the session refuses that minute: a guardrail, not an error); a line that is not what the
    /// format says is a <see cref="HostInputException"/> naming the file, the line and the defect.
    /// </summary>
    // knownParallelism: [tasks] what a vertex runs with when the line does not say (the plan's, or the last line's)
    public static Minute ReadMinute(string path, int lineNumber, string line, IReadOnlyDictionary<string, int> vertices,
        ReadOnlySpan<int> knownParallelism, Span<TaskMetrics> metrics)
    {
        string Where(string what) => $"{path}:{lineNumber}: {what}";
        JsonDocument document;
        try { document = JsonDocument.Parse(line); }
        catch (JsonException e) { throw new HostInputException(Where($"not JSON ({e.Message})")); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new HostInputException(Where("a line must be a JSON object"));
            if (!root.TryGetProperty("timestamp", out var stamp) || stamp.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParse(stamp.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
                throw new HostInputException(Where("timestamp must be an ISO 8601 time, e.g. 2026-12-01T14:05:00+01:00"));
            bool restarting = false;
            if (root.TryGetProperty("restarting", out var restart))
                restarting = restart.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False or JsonValueKind.Null => false,
                    _ => throw new HostInputException(Where("restarting must be true or false")),
                };
            if (!root.TryGetProperty("vertices", out var list) || list.ValueKind != JsonValueKind.Object)
                throw new HostInputException(Where("vertices must be an object of vertex id -> metrics"));
            metrics.Fill(new TaskMetrics(double.NaN, double.NaN, 0, double.NaN, double.NaN));
            foreach (var vertex in list.EnumerateObject())
            {
                if (!vertices.TryGetValue(vertex.Name, out int task)) throw new HostInputException(Where($"vertex {vertex.Name} is not in the plan"));
                if (vertex.Value.ValueKind != JsonValueKind.Object) throw new HostInputException(Where($"vertex {vertex.Name}: metrics must be an object"));
                double Number(string name)
                {
                    if (!vertex.Value.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return double.NaN;
                    if (value.ValueKind != JsonValueKind.Number) throw new HostInputException(Where($"vertex {vertex.Name}: {name} must be a number, not {value.GetRawText()}"));
                    return value.GetDouble();
                }
                double recordsPerSecond = Number(RecordsIn), busyMs = Number(Busy), parallelism = Number(Parallelism);
                double records = recordsPerSecond * 60, busy = busyMs / 1000;
                int p = double.IsNaN(parallelism) ? knownParallelism[task]
                    : parallelism >= 1 && parallelism <= int.MaxValue && parallelism == Math.Floor(parallelism) ? (int)parallelism : 0;
                // Without a measured latency, SPEC 12's stand-in: the time one instance takes per record, 1 / true rate.
                double latency = Number(Latency) / 1000;
                if (double.IsNaN(latency) && vertex.Value.TryGetProperty(Latency, out _) is false)
                    latency = recordsPerSecond > 0 ? busy * p / recordsPerSecond : recordsPerSecond == 0 ? 0 : double.NaN;
                double capacity = Number(Capacity) * 60;
                metrics[task] = new TaskMetrics(records, busy, p, latency, Number(Backlog), double.IsNaN(capacity) ? 0 : capacity);
            }
            return new Minute((int)time.TimeOfDay.TotalMinutes, restarting);
        }
    }
}
