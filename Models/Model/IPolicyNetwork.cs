namespace Sure.Models;

/// <summary>
/// A policy network on the tape: the [L, n, D] snapshots of a span (and the job's graph) in, the Gaussian head's mean
/// m_i per task out (SPEC 4.4), with the shared head.log_std. Everything after m_i is the same for every architecture:
/// u ~ N(m, exp(log_std)^2) in training, u = m in evaluation, a = 2 sigmoid(u), p' = clamp(round(a p), 1, p_max); so is
/// the trainer (recipe, budget, best checkpoint on the validation day) and the checkpoint's file format.
/// <para>
/// SURE (<see cref="SureModel{T}"/>) implements this and keeps its own forward, since its NVSS sampler draws noise and
/// adds loss terms (sampler log-likelihood, MI, KL) that only it has. The paper's baselines implement
/// <see cref="Baselines.IBaselineNetwork{T}"/>: a forward that is a pure function of the snapshots and the job.
/// </para>
/// </summary>
public interface IPolicyNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>"sure", "deepwave", "dream", "tvw-rl", "astgcn" or "ccrnn": the checkpoint's metadata "architecture".</summary>
    string Architecture { get; }
    /// <summary>Sizes shared by every architecture (L, D, H, p_max, log_std_init); SURE also reads E, k1, k2, c, K_max.</summary>
    SureConfig Config { get; }
    ParameterSet<T> Parameters { get; }
    /// <summary>head.log_std [1]: the exploration noise of the Gaussian head.</summary>
    Parameter<T> HeadLogStd { get; }
    /// <summary>Free-form string entries saved next to "config" (job, seed, iteration ...).</summary>
    Dictionary<string, string> Metadata { get; }
    void Save(string path);
    /// <summary>A network of the same architecture and shapes (weights unset): the trainer's per-rollout replicas.</summary>
    IPolicyNetwork<T> Replica();
}

