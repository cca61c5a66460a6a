using Sure.Sim.Autoscalers;

namespace Sure.Sim;

/// <summary>The SPEC metrics of an evaluation (latencies in seconds).</summary>
public sealed record EvalMetrics(
    double Reward,
    double LatencyMeanSeconds,
    double LatencyP95Seconds,
    double SloViolationPct,
    double Utilization,
    double InstanceHours,
    int Rescales,
    int Minutes,
    int Spans);

/// <summary>Accumulates span results and per-minute latencies into <see cref="EvalMetrics"/>.</summary>
public sealed class MetricsAccumulator(int capacityMinutes)
{
    readonly double[] _latencies = new double[capacityMinutes];
    int _minutes, _spans, _violations, _rescales;
    double _reward, _utilization;
    long _instanceMinutes;

    public void Add(in SpanResult result, SpanRecord span)
    {
        if (_minutes + span.Minutes > _latencies.Length) throw new InvalidOperationException("more minutes than the accumulator was sized for");
        for (int m = 0; m < span.Minutes; m++)
        {
            _latencies[_minutes + m] = 60 * span.JobLatency[m];
            _utilization += span.JobUtilization[m];
        }
        _minutes += span.Minutes;
        _spans++;
        _reward += result.Reward;
        _violations += result.SloViolationMinutes;
        _instanceMinutes += result.InstanceMinutes;
        if (result.Rescaled) _rescales++;
    }

    public EvalMetrics Result()
    {
        if (_minutes == 0) throw new InvalidOperationException("no minutes were simulated");
        var latencies = _latencies.AsSpan(0, _minutes);
        double mean = 0;
        foreach (double l in latencies) mean += l;
        mean /= _minutes;
        var sorted = latencies.ToArray();
        return new EvalMetrics(_reward / _spans, mean, StreamEnvironment.Percentile(sorted, 0.95),
            100.0 * _violations / _minutes, _utilization / _minutes, _instanceMinutes / 60.0, _rescales, _minutes, _spans);
    }
}

/// <summary>Runs a policy over a window of the trace: the evaluation loop of SPEC 2 ("Decisions").</summary>
public static class Episode
{
    /// <summary>
    /// Simulates [start, start + minutes) with <paramref name="policy"/>: its initial parallelism, then a
    /// decision after every span. <paramref name="afterSpan"/> (optional) sees every span, e.g. to log minutes.
    /// </summary>
    public static EvalMetrics Run(StreamEnvironment env, IAutoscaler policy, int start, int minutes, ulong seed,
        Action<StreamEnvironment, SpanResult>? afterSpan = null)
    {
        if (minutes < 1) throw new ArgumentOutOfRangeException(nameof(minutes), "an episode needs at least one minute");
        if (start < 0 || start + minutes > env.Workload.Length)
            throw new ArgumentOutOfRangeException(nameof(minutes), $"window [{start}, {start + minutes}) is outside the trace's {env.Workload.Length} minutes");
        var parallelism = new int[env.TaskCount];
        policy.Initialize(env, parallelism);
        env.Reset(start, parallelism, seed);
        var metrics = new MetricsAccumulator(minutes);
        int end = start + minutes;
        while (env.Minute < end)
        {
            var result = env.Step(parallelism, Math.Min(env.SpanMinutes, end - env.Minute));
            metrics.Add(result, env.LastSpan);
            afterSpan?.Invoke(env, result);
            if (env.Minute < end) policy.Decide(env, parallelism);
        }
        return metrics.Result();
    }
}
