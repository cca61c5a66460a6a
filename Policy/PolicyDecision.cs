namespace Sure.Policy;

/// <summary>
/// One decision of a <see cref="PolicySession"/>, per task in the session's task order. The session owns it and
/// overwrites it at its next <see cref="PolicySession.Decide"/> (so that deciding allocates nothing): copy what you keep.
/// </summary>
public sealed class PolicyDecision
{
    readonly int[] _parallelism, _proposed, _raw;
    readonly DecisionReason[] _reasons;
    readonly float[] _actionMeans;

    internal PolicyDecision(int tasks)
    {
        _parallelism = new int[tasks];
        _proposed = new int[tasks];
        _raw = new int[tasks];
        _reasons = new DecisionReason[tasks];
        _actionMeans = new float[tasks];
    }

    /// <summary>What the host should set now: <see cref="Proposed"/>, or the current parallelism in shadow mode.</summary>
    public ReadOnlySpan<int> Parallelism => _parallelism;
    /// <summary>The decision after every guardrail.</summary>
    public ReadOnlySpan<int> Proposed => _proposed;
    /// <summary>The policy's (or, in a fallback, HPA's) value before the guardrails.</summary>
    public ReadOnlySpan<int> Unguarded => _raw;
    public ReadOnlySpan<DecisionReason> Reasons => _reasons;
    /// <summary>m_i, the network's action means (NaN in a fallback: the network did not run).</summary>
    public ReadOnlySpan<float> ActionMeans => _actionMeans;
    /// <summary>Shadow mode: nothing is to be acted on.</summary>
    public bool Shadow { get; internal set; }
    /// <summary>The span had too many missing minutes and HPA decided instead of the policy.</summary>
    public bool FellBack { get; internal set; }
    /// <summary>Minutes of the span that were usable and that were refused.</summary>
    public int AcceptedMinutes { get; internal set; }
    public int RefusedMinutes { get; internal set; }
    /// <summary>Number of this decision in its session, from 0.</summary>
    public long Index { get; internal set; }
    /// <summary>Some task's <see cref="Parallelism"/> differs from the current one.</summary>
    public bool Rescales { get; internal set; }

    internal Span<int> ParallelismBuffer => _parallelism;
    internal Span<int> ProposedBuffer => _proposed;
    internal Span<int> UnguardedBuffer => _raw;
    internal Span<DecisionReason> ReasonBuffer => _reasons;
    internal Span<float> ActionMeanBuffer => _actionMeans;
}
