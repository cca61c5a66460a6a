namespace Sure.Models;

/// <summary>What one forward recorded on the tape; the Vars live until the tape's next Reset.</summary>
public readonly struct SureOutput<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>[N, L, 1+K] sigmoid location of the importance weights.</summary>
    public required Var<T> Mu { get; init; }
    /// <summary>[N, L, 1+K] softplus scale (+1e-3).</summary>
    public required Var<T> Sigma { get; init; }
    /// <summary>[N, L, 1+K] ln(w + 1e-6) + y, padding slots included as computed (they are never chosen).</summary>
    public required Var<T> Omega { get; init; }
    /// <summary>[nodes, 1] probability q of each node's choice (p_t for anchors, p_n for neighbours): the sampler's
    /// log-likelihood of SPEC 5 is the per-task sum of ln q (segments = Subgraphs.TaskStarts).</summary>
    public required Var<T> ChoiceProbability { get; init; }
    /// <summary>[N, H] mean readout of each task's subgraph.</summary>
    public required Var<T> Hg { get; init; }
    /// <summary>[N] action mean m_i.</summary>
    public required Var<T> ActionMean { get; init; }
    /// <summary>The chosen anchors, neighbours and graph; reused by the sampler's next call.</summary>
    public required SubgraphSampler Subgraphs { get; init; }

    /// <summary>The CPU tape's record of <see cref="SureModel{T}.Forward{TVar}"/>.</summary>
    public static SureOutput<T> From(SureOutputOn<Var<T>> o) => new()
    {
        Mu = o.Mu,
        Sigma = o.Sigma,
        Omega = o.Omega,
        ChoiceProbability = o.ChoiceProbability,
        Hg = o.Hg,
        ActionMean = o.ActionMean,
        Subgraphs = o.Subgraphs,
    };
}

/// <summary>What one forward recorded on any tape (<see cref="IDiffTape{TVar, T}"/>): <see cref="SureOutput{T}"/>'s fields.</summary>
public readonly record struct SureOutputOn<TVar>(TVar Mu, TVar Sigma, TVar Omega, TVar ChoiceProbability, TVar Hg, TVar ActionMean,
    SubgraphSampler Subgraphs) where TVar : struct;
