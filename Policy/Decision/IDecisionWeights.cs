namespace Sure.Policy;

/// <summary>
/// The parameters one SURE decision reads (SPEC 4 in evaluation mode), as float spans: the trainer's model (its live
/// parameters, so that a decider sees training updates) and a host's <see cref="PolicyWeights"/> (immutable) both
/// serve them, so that <see cref="SureDecider"/> is written once for both.
/// </summary>
public interface IDecisionWeights
{
    SureConfig Config { get; }
    /// <summary>nvss.mu.weight [D].</summary>
    ReadOnlySpan<float> MuWeight { get; }
    float MuBias { get; }
    /// <summary>nvss.sigma.weight [D].</summary>
    ReadOnlySpan<float> SigmaWeight { get; }
    float SigmaBias { get; }
    /// <summary>sage.{layer}.weight [2 H_in, H].</summary>
    ReadOnlySpan<float> SageWeight(int layer);
    /// <summary>sage.{layer}.bias [H].</summary>
    ReadOnlySpan<float> SageBias(int layer);
    /// <summary>head.weight [H].</summary>
    ReadOnlySpan<float> HeadWeight { get; }
    float HeadBias { get; }
}
