namespace Sure.Sim;

/// <summary>The simulator's constants (SPEC sections 2 and 3); the defaults are the SPEC's.</summary>
public sealed record SimOptions
{
    /// <summary>sigma of the LogNormal(0, sigma^2) capacity noise; 0 = exactly deterministic.</summary>
    public double NoiseSigma { get; init; } = 0.05;
    public double RestartSeconds { get; init; } = 30;
    /// <summary>L: minutes per rescaling span, also the number of snapshots the monitor keeps.</summary>
    public int SpanMinutes { get; init; } = 60;
    public int MaxParallelism { get; init; } = 64;
    public int InitialParallelism { get; init; } = 4;
    /// <summary>Utilisation of p_ref under mean load; fixes the per-instance service rate.</summary>
    public double ReferenceUtilization { get; init; } = 0.7;
    public double MaxReferenceParallelism { get; init; } = 32;
    public double UtilizationCap { get; init; } = 0.95;
    /// <summary>lambda of the reward: weight of the latency penalty against utilisation.</summary>
    public double LatencyWeight { get; init; } = 0.5;
    /// <summary>l_slo = SloFactor * l_0.</summary>
    public double SloFactor { get; init; } = 3;
    /// <summary>
    /// Adds three features to each task-minute after SPEC 3's eight (D = 11, docs/simulator.md): the minute's time of
    /// day as sin and cos of 2 pi (t mod 1440) / 1440, and its place in the span, (t - span start) / (L - 1), 0 for the
    /// first minute after a decision and 1 for the last. They change nothing in the simulation.
    /// </summary>
    public bool ForecastFeatures { get; init; }
    public int NeighbourHops { get; init; } = NeighbourIndex.DefaultHops;
    public int MaxNeighbours { get; init; } = NeighbourIndex.DefaultMaxNeighbours;

    public static SimOptions Default { get; } = new();
}
