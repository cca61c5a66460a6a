namespace Sure.Policy;

/// <summary>A session's guardrails (SPEC 12) and settings. The defaults change nothing: the session then decides exactly
/// as the policy does in the simulator.</summary>
public sealed record PolicyOptions
{
    /// <summary>Seed of the NVSS noise (SPEC 4.1); decision d of a session draws from it as the simulator's decision d does.</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>Lower bound of every task's parallelism.</summary>
    public int MinParallelism { get; init; } = 1;
    /// <summary>Upper bound of every task's parallelism; 0: the model's p_max.</summary>
    public int MaxParallelism { get; init; }
    /// <summary>A decision moves a task from p to at most p x factor and at least p / factor (rounded towards p);
    /// infinity: no limit.</summary>
    public double MaxStepFactor { get; init; } = double.PositiveInfinity;
    /// <summary>Decisions that hold every task's parallelism after the job's parallelism changed (seen in the metrics).</summary>
    public int CooldownSpans { get; init; }
    /// <summary>A span with more minutes refused or never reported than this falls back to HPA; -1: a quarter of L.</summary>
    public int MaxMissingMinutes { get; init; } = -1;
    /// <summary>HPA's target utilisation in a fallback; NaN: the model's own base target if it is a residual on
    /// hpa-tuned, else HPA's default 0.7.</summary>
    public double FallbackTarget { get; init; } = double.NaN;
    /// <summary>HPA's target for the residual base of a model whose base is tuned per job (a fleet model,
    /// <see cref="ResidualBase.TargetPerJob"/>): the target tuned for this job; NaN otherwise (the model's own).</summary>
    public double BaseTarget { get; init; } = double.NaN;
    /// <summary>Decide and report without acting: <see cref="PolicyDecision.Parallelism"/> keeps the current values and
    /// <see cref="PolicyDecision.Proposed"/> says what the session would have set.</summary>
    public bool Shadow { get; init; }
    /// <summary>restart_s of SPEC 2: a minute in which the job restarted ran for 1 - restart_s / 60 of it (feature 7).</summary>
    public double RestartSeconds { get; init; } = 30;
}
