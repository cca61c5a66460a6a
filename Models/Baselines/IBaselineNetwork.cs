namespace Sure.Models.Baselines;

/// <summary>
/// A baseline of SPEC 11: a policy network whose forward is a pure function of the snapshots and the job's graph (no
/// sampler, no noise), so the trainer's loss for it is the Gaussian head's term alone.
/// </summary>
public interface IBaselineNetwork<T> : IPolicyNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Tasks of the job the network is tied to (CCRNN's task embeddings), 0 when it fits any job.</summary>
    int Tasks { get; }

    /// <summary>m_i for the batch's B decisions: [B*n], decision t's task i at t*n + i. The batch's cached graph
    /// structures are kept by reference until Backward.</summary>
    Var<T> ActionMeans(Tape<T> tape, BaselineBatch<T> batch);
}
