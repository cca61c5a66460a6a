namespace Sure.Sim.Autoscalers;

/// <summary>
/// A policy that sets every task's parallelism once per span. <see cref="Decide"/> runs after each
/// span with the environment's last-span view (<see cref="StreamEnvironment.LastSpan"/> raw values,
/// <see cref="StreamEnvironment.Snapshots"/> features); <c>parallelism</c> holds the current values on
/// entry and must hold the next span's on return, each in [1, p_max].
/// </summary>
public interface IAutoscaler
{
    string Name { get; }
    /// <summary>The setting a tuned policy chose (e.g. "target 0.60"), for tables and JSON; null for the others.</summary>
    string? Setting => null;
    /// <summary>Writes the episode's initial parallelism (before the first span).</summary>
    void Initialize(StreamEnvironment env, Span<int> parallelism);
    void Decide(StreamEnvironment env, Span<int> parallelism);
}
