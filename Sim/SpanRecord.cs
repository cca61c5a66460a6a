namespace Sure.Sim;

/// <summary>
/// The raw values of the last span, for heuristics and logging: per task-minute arrays are
/// row-major [minute-in-span, task], minute 0 = the span's first minute. Overwritten by every step.
/// </summary>
public sealed class SpanRecord
{
    public int TaskCount { get; }
    /// <summary>Minutes recorded in this span (L except for a shortened last span).</summary>
    public int Minutes { get; internal set; }
    /// <summary>Absolute trace minute of the span's first minute.</summary>
    public int StartMinute { get; internal set; }
    /// <summary>Parallelism in force during the span.</summary>
    public int[] Parallelism { get; }
    /// <summary>A_i: records received.</summary>
    public double[] Input { get; }
    /// <summary>P_i: records processed (= output O_i).</summary>
    public double[] Processed { get; }
    /// <summary>C_i: capacity.</summary>
    public double[] Capacity { get; }
    /// <summary>Q_i after the minute: backlog.</summary>
    public double[] Backlog { get; }
    /// <summary>u_i: busy fraction.</summary>
    public double[] Utilization { get; }
    /// <summary>l_i: task latency in minutes.</summary>
    public double[] TaskLatency { get; }
    /// <summary>r(t) per minute: 1, or 1 - restart/60 in a restart minute.</summary>
    public double[] RestartFactor { get; }
    /// <summary>Job critical-path latency l(t) per minute, in minutes.</summary>
    public double[] JobLatency { get; }
    /// <summary>Job utilisation u(t) per minute.</summary>
    public double[] JobUtilization { get; }
    /// <summary>Total backlog sum_i Q_i per minute.</summary>
    public double[] TotalBacklog { get; }
    public int Instances { get; internal set; }

    internal SpanRecord(int tasks, int capacityMinutes)
    {
        TaskCount = tasks;
        Parallelism = new int[tasks];
        int cells = tasks * capacityMinutes;
        Input = new double[cells];
        Processed = new double[cells];
        Capacity = new double[cells];
        Backlog = new double[cells];
        Utilization = new double[cells];
        TaskLatency = new double[cells];
        RestartFactor = new double[capacityMinutes];
        JobLatency = new double[capacityMinutes];
        JobUtilization = new double[capacityMinutes];
        TotalBacklog = new double[capacityMinutes];
    }

    public double At(double[] values, int minute, int task) => values[minute * TaskCount + task];
}

/// <summary>Reward and SPEC metrics of one span (latencies in seconds).</summary>
public readonly record struct SpanResult(
    int Minutes,
    double Reward,
    double MeanLatencySeconds,
    double P95LatencySeconds,
    int SloViolationMinutes,
    double MeanUtilization,
    long InstanceMinutes,
    bool Rescaled);
