namespace Sure.Models;

/// <summary>A float model's live parameters as the decider reads them: a trainer's updates are seen at the next decision.</summary>
sealed class ModelDecisionWeights(SureModel<float> model) : IDecisionWeights
{
    public SureConfig Config => model.Config;
    public ReadOnlySpan<float> MuWeight => model.MuWeight.Value.Span;
    public float MuBias => model.MuBias.Value.Span[0];
    public ReadOnlySpan<float> SigmaWeight => model.SigmaWeight.Value.Span;
    public float SigmaBias => model.SigmaBias.Value.Span[0];
    public ReadOnlySpan<float> SageWeight(int layer) => model.SageWeights[layer].Value.Span;
    public ReadOnlySpan<float> SageBias(int layer) => model.SageBiases[layer].Value.Span;
    public ReadOnlySpan<float> HeadWeight => model.HeadWeight.Value.Span;
    public float HeadBias => model.HeadBias.Value.Span[0];
}
