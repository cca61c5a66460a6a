namespace Sure.Policy;

/// <summary>
/// What a stream processor reports for one task (a Flink job vertex) in one minute (SPEC 12; docs/integration.md maps
/// Flink's metrics onto these fields). A value that is missing is NaN: the minute is then refused as input.
/// </summary>
/// <param name="RecordsIn">Records received in the minute (records/min, all instances).</param>
/// <param name="Busy">Busy fraction in [0, 1] (mean over instances).</param>
/// <param name="Parallelism">Instances running, in [1, p_max].</param>
/// <param name="LatencySeconds">The task's processing latency, seconds.</param>
/// <param name="Backlog">Records waiting (pending records of a source, or the input queue).</param>
/// <param name="Capacity">Records/min all instances could process, if the host knows it (e.g. Flink's true processing
/// rate x 60); 0 or NaN: estimated as DS2 does, RecordsIn / Busy.</param>
public readonly record struct TaskMetrics(double RecordsIn, double Busy, int Parallelism, double LatencySeconds, double Backlog, double Capacity = 0);

/// <summary>The field of <see cref="TaskMetrics"/> that made a minute unusable.</summary>
public enum MetricField { None, RecordsIn, Busy, Parallelism, LatencySeconds, Backlog, Capacity }

/// <summary>Why a task's new parallelism is what it is: the source of the value, or the last guardrail that changed it.</summary>
public enum DecisionReason
{
    /// <summary>The network's ratio times its base (SPEC 4.4), unchanged by any guardrail.</summary>
    Policy,
    /// <summary>Too many minutes of the span were refused: HPA on the minutes that exist (or, with none, no change).</summary>
    Fallback,
    /// <summary>Bounded by the maximum step factor.</summary>
    StepLimit,
    /// <summary>Bounded by [min, max] parallelism.</summary>
    Clamp,
    /// <summary>Held: the job rescaled within the cooldown.</summary>
    Cooldown,
}
