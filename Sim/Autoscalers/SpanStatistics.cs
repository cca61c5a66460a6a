namespace Sure.Sim.Autoscalers;

/// <summary>Per-task aggregates of the last span that the heuristics share.</summary>
public static class SpanStatistics
{
    /// <summary>Mean records received per minute over the span.</summary>
    public static double MeanInput(SpanRecord span, int task)
    {
        double sum = 0;
        for (int m = 0; m < span.Minutes; m++) sum += span.At(span.Input, m, task);
        return sum / span.Minutes;
    }

    /// <summary>
    /// Mean busy fraction over the span's minutes without a restart (a restart minute's halved
    /// capacity says nothing about the steady state); all minutes if every one was a restart.
    /// </summary>
    public static double MeanUtilization(SpanRecord span, int task)
    {
        double sum = 0;
        int count = 0;
        for (int m = 0; m < span.Minutes; m++)
            if (span.RestartFactor[m] == 1) { sum += span.At(span.Utilization, m, task); count++; }
        if (count > 0) return sum / count;
        for (int m = 0; m < span.Minutes; m++) sum += span.At(span.Utilization, m, task);
        return sum / span.Minutes;
    }

    /// <summary>
    /// DS2's true processing rate per instance: records processed per instance-minute of useful
    /// (busy) time, P / (u p), summed over the span's non-restart minutes. With no busy time it
    /// falls back to the observed capacity per instance, C / p.
    /// </summary>
    public static double TrueRatePerInstance(SpanRecord span, int task)
    {
        double processed = 0, busy = 0, capacity = 0;
        int p = span.Parallelism[task];
        for (int m = 0; m < span.Minutes; m++)
        {
            capacity += span.At(span.Capacity, m, task);
            if (span.RestartFactor[m] != 1) continue;
            processed += span.At(span.Processed, m, task);
            busy += span.At(span.Utilization, m, task) * p;
        }
        return busy > 0 ? processed / busy : capacity / span.Minutes / p;
    }

    /// <summary>Backlog at the end of the span.</summary>
    public static double FinalBacklog(SpanRecord span, int task) => span.At(span.Backlog, span.Minutes - 1, task);

    internal static int Clamp(double value, int max) => (int)Math.Clamp(value, 1, max);

    /// <summary>ceil that forgives floating-point noise just above an integer (50.000000001 / 25 -> 2).</summary>
    internal static double CeilTolerant(double value) => Sure.Policy.HpaRule.CeilTolerant(value);
}
