using Sure.Models.Baselines;
using Sure.Sim;

namespace Sure.Models.Training;

/// <summary>The weights of SPEC 5's loss terms.</summary>
public readonly record struct LossWeights(double BetaG, double BetaMi, double BetaKl, bool UniformSampler);

/// <summary>The loss of one rollout and its parts (values, already scaled for the batch).</summary>
public readonly record struct LossValues(double Loss, double Policy, double MutualInformation, double Kl);

/// <summary>
/// SPEC 5's loss for one rollout of `Decisions` decisions, recomputed on a tape (the CPU's, or a device's for SURE) from what the rollout stored: the
/// snapshots each decision saw, the Philox streams of its noises, the sampled u and the advantage. All decisions go
/// through one batched forward. The rollout's share of the batch loss (a batch = R rollouts) is
/// <code>
///   -sum_{t,i} log pi_{t,i} Adv_{t,i} / (R * Decisions * n)  -  beta_mi * I_JS / R  +  beta_kl * KL / R
///   log pi_{t,i} = log N(u_{t,i}; m_{t,i}, s^2) + beta_g * sum over task i's chosen items of ln q
/// </code>
/// so the R rollout losses add up to -mean(log pi * Adv) - beta_mi * mean_r I_JS + beta_kl * mean_r KL, where I_JS
/// takes the rollout's spans as its minibatch of B = Decisions graphs. Buffers are reused across calls.
/// <para>
/// A baseline (<see cref="IBaselineNetwork{T}"/>) has no sampler: its forward is <see cref="IBaselineNetwork{T}.ActionMeans"/>
/// on the same snapshots, and its loss is the Gaussian term alone (beta_g, beta_mi and beta_kl weigh terms it does not have).
/// </para>
/// </summary>
public sealed class RolloutLoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    readonly SubgraphSampler _sampler = new();
    readonly StgEncoder _encoder;
    readonly Tensor<T> _u, _rowAdvantage, _stgFeatures;
    Tensor<T> _nodeAdvantage = Tensor<T>.Zeros(1, 1);
    readonly JobGraph _job;
    readonly int _spanMinutes, _features;
    BaselineBatch<T>? _baselineBatch;   // built on a baseline's first use

    public RolloutLoss(JobGraph job, NeighbourIndex neighbours, int decisions, int spanMinutes, int features)
    {
        Batch = new SpanBatch<T>(neighbours, job.Edges, decisions, spanMinutes, features);
        (_job, _spanMinutes, _features) = (job, spanMinutes, features);
        _encoder = new StgEncoder(job.TaskCount, job.Edges, spanMinutes, decisions);
        int rows = decisions * job.TaskCount;
        _u = Tensor<T>.Zeros(rows);
        _rowAdvantage = Tensor<T>.Zeros(rows);
        _stgFeatures = Tensor<T>.Zeros(_encoder.Nodes, features);
    }

    public SpanBatch<T> Batch { get; }
    /// <summary>The forward of the last Build (valid until that tape's Reset): selections and q for checks.</summary>
    public SureOutput<T>? LastOutput { get; private set; }

    /// <summary>
    /// Records the loss on <paramref name="tape"/> and returns it ([1]); call tape.Backward on it.
    /// snapshots: [Decisions, L, n, D]; u: [Decisions, n]; advantages: [Decisions, n] (the job's advantage of decision t
    /// for every task, or per-task credit); decision t's noise is <see cref="DecisionNoise"/>'s decision
    /// firstDecision + 2t (<see cref="RolloutRecord"/>). frozenProbability: see SureModel.Forward (finite-difference checks).
    /// </summary>
    public TVar Build<TVar>(IDiffTape<TVar, T> tape, IPolicyNetwork<T> model, LossWeights weights, int rolloutsInBatch,
        ReadOnlySpan<float> snapshots, ReadOnlySpan<float> u, ReadOnlySpan<double> advantages, ulong seed, ulong firstDecision,
        out LossValues values, Tensor<T> frozenProbability = default) where TVar : struct =>
        Build(tape, model, weights, rolloutsInBatch, snapshots, u, advantages, seed, firstDecision, default, [], [], out values, frozenProbability);

    /// <summary>
    /// Build with PPO's clipped surrogate (docs/training.md) when <paramref name="oldLogDensity"/> is given: row (t, i)'s
    /// advantage is replaced by r A if r = exp(ln N(u) - oldLogDensity) is inside the clip range on A's side (1 + clip
    /// for A &gt;= 0, 1 - clip for A &lt; 0), else by 0, which is the gradient of min(r A, clip(r, 1 - clip, 1 + clip) A).
    /// The sampler's term takes its row's weight. With no old densities it is REINFORCE (r = 1).
    /// logDensity, when not empty, receives this forward's ln N(u; m, s^2) per row ([Decisions, n]).
    /// </summary>
    public TVar Build<TVar>(IDiffTape<TVar, T> tape, IPolicyNetwork<T> model, LossWeights weights, int rolloutsInBatch,
        ReadOnlySpan<float> snapshots, ReadOnlySpan<float> u, ReadOnlySpan<double> advantages, ulong seed, ulong firstDecision,
        double clip, ReadOnlySpan<float> oldLogDensity, Span<float> logDensity, out LossValues values, Tensor<T> frozenProbability = default)
        where TVar : struct
    {
        int n = Batch.Tasks, rows = Batch.Decisions * n;
        var (actionMean, output) = Forward(tape, model, weights, snapshots, seed, firstDecision, frozenProbability);
        var us = _u.Span;
        for (int row = 0; row < rows; row++) us[row] = T.CreateChecked(u[row]);
        var logStd = tape.Param(model.HeadLogStd);
        var density = tape.GaussianLogDensity(tape.Constant(_u), actionMean, logStd);
        var ld = tape.Read(density);
        if (!logDensity.IsEmpty)
            for (int row = 0; row < rows; row++) logDensity[row] = float.CreateChecked(ld[row]);
        var rowAdvantage = _rowAdvantage.Span;
        for (int row = 0; row < rows; row++)
        {
            double advantage = advantages[row];
            if (!oldLogDensity.IsEmpty)
            {
                double ratio = Math.Exp(double.CreateChecked(ld[row]) - oldLogDensity[row]);
                advantage = (advantage >= 0 ? ratio < 1 + clip : ratio > 1 - clip) ? ratio * advantage : 0;
            }
            rowAdvantage[row] = T.CreateChecked(advantage);
        }

        // Policy term: sum_rows log N(u; m, s^2) Adv + beta_g sum_nodes ln q Adv.
        var gaussian = tape.Sum(tape.Mul(density, tape.Constant(_rowAdvantage)));
        var weighted = gaussian;
        if (output is not null && !weights.UniformSampler && weights.BetaG != 0)
        {
            var starts = _sampler.TaskStarts.Span;
            int nodes = starts[rows];
            if (_nodeAdvantage.Length < nodes) _nodeAdvantage = Tensor<T>.Zeros(nodes, 1);
            var nodeAdvantage = _nodeAdvantage.Reshape(nodes, 1);
            var na = nodeAdvantage.Span;
            for (int row = 0; row < rows; row++)
                for (int v = starts[row]; v < starts[row + 1]; v++) na[v] = rowAdvantage[row];
            var samplerTerm = tape.Sum(tape.Mul(tape.Log(output.Value.ChoiceProbability), tape.Constant(nodeAdvantage)));
            weighted = tape.Add(gaussian, tape.Scale(samplerTerm, T.CreateChecked(weights.BetaG)));
        }
        var policy = tape.Scale(weighted, T.CreateChecked(-1.0 / ((double)rolloutsInBatch * rows)));
        return AddAuxiliary(tape, model, weights, rolloutsInBatch, snapshots, output, policy, out values);
    }

    /// <summary>
    /// The bootstrap loss (docs/training.md): the same forward, with the policy term replaced by the squared distance
    /// of the action means to a teacher's u (per row), sum (m - u)^2 / (R * Decisions * n); MI and KL as in Build.
    /// snapshots: [Decisions, L, n, D]; target: [Decisions, n].
    /// </summary>
    public TVar BuildImitation<TVar>(IDiffTape<TVar, T> tape, IPolicyNetwork<T> model, LossWeights weights, int rolloutsInBatch,
        ReadOnlySpan<float> snapshots, ReadOnlySpan<float> target, ulong seed, ulong firstDecision, out LossValues values)
        where TVar : struct
    {
        int rows = Batch.Decisions * Batch.Tasks;
        var (actionMean, output) = Forward(tape, model, weights, snapshots, seed, firstDecision, default);
        var us = _u.Span;
        for (int row = 0; row < rows; row++) us[row] = T.CreateChecked(target[row]);
        var difference = tape.Sub(actionMean, tape.Constant(_u));
        var imitation = tape.Scale(tape.Sum(tape.Mul(difference, difference)), T.CreateChecked(1.0 / ((double)rolloutsInBatch * rows)));
        return AddAuxiliary(tape, model, weights, rolloutsInBatch, snapshots, output, imitation, out values);
    }

    // The action means [Decisions*n] and, for SURE, its whole output (null for a baseline).
    (TVar ActionMean, SureOutputOn<TVar>? Sure) Forward<TVar>(IDiffTape<TVar, T> tape, IPolicyNetwork<T> model, LossWeights weights,
        ReadOnlySpan<float> snapshots, ulong seed, ulong firstDecision, Tensor<T> frozenProbability) where TVar : struct
    {
        int span = Batch.L * Batch.Tasks * Batch.D;
        if (model is IBaselineNetwork<T> baseline)
        {
            // The baselines' networks record on the CPU tape only (their GRU, LSTM and attention ops have no device form yet).
            if (tape is not Tape<T> cpu) throw new NotSupportedException($"{model.Architecture} trains on the CPU tape only; the device tape runs SURE");
            _baselineBatch ??= new BaselineBatch<T>(_job, Batch.Decisions, _spanMinutes, _features);
            for (int t = 0; t < Batch.Decisions; t++) _baselineBatch.Fill(t, snapshots.Slice(t * span, span));
            LastOutput = null;
            return (Cast<Var<T>, TVar>(baseline.ActionMeans(cpu, _baselineBatch)), null);
        }
        var sure = (SureModel<T>)model;
        for (int t = 0; t < Batch.Decisions; t++)
            Batch.Fill(t, snapshots.Slice(t * span, span), seed, firstDecision + 2 * (ulong)t);
        var output = sure.Forward(tape, Batch.Input, sure.Config.K1, sure.Config.K2, _sampler, frozenProbability, weights.UniformSampler);
        LastOutput = typeof(TVar) == typeof(Var<T>) ? SureOutput<T>.From(Cast<SureOutputOn<TVar>, SureOutputOn<Var<T>>>(output)) : null;
        return (output.ActionMean, output);
    }

    // The same struct seen as its own type: TVar is Var<T> here, checked by the caller (the JIT drops the box).
    static TTo Cast<TFrom, TTo>(TFrom value) => (TTo)(object)value!;

    // main + the MI and KL terms of SPEC 5, each scaled for a batch of rolloutsInBatch rollouts.
    TVar AddAuxiliary<TVar>(IDiffTape<TVar, T> tape, IPolicyNetwork<T> network, LossWeights weights, int rolloutsInBatch,
        ReadOnlySpan<float> snapshots, SureOutputOn<TVar>? sureOutput, TVar main, out LossValues values) where TVar : struct
    {
        var loss = main;
        double mi = 0, kl = 0;
        if (sureOutput is not SureOutputOn<TVar> output || network is not SureModel<T> model)
        {
            values = new LossValues(double.CreateChecked(tape.Read(loss)[0]), double.CreateChecked(tape.Read(main)[0]), 0, 0);
            return loss;
        }
        if (weights.BetaMi != 0 && Batch.Decisions > 1)
        {
            var features = _stgFeatures.Span;
            for (int k = 0; k < features.Length; k++) features[k] = T.CreateChecked(snapshots[k]);
            var f = _encoder.Encode(tape, model, tape.Constant(_stgFeatures));
            var information = Losses.JsMutualInformation(tape, output.Hg, f, tape.Param(model.DiscWeight), Batch.Tasks);
            mi = double.CreateChecked(tape.Read(information)[0]);
            loss = tape.Add(loss, tape.Scale(information, T.CreateChecked(-weights.BetaMi / rolloutsInBatch)));
        }
        if (!weights.UniformSampler && weights.BetaKl != 0)
        {
            var divergence = Losses.Kl(tape, output.Mu, output.Sigma, Batch.ValidMask, Batch.ValidCount);
            kl = double.CreateChecked(tape.Read(divergence)[0]);
            loss = tape.Add(loss, tape.Scale(divergence, T.CreateChecked(weights.BetaKl / rolloutsInBatch)));
        }
        values = new LossValues(double.CreateChecked(tape.Read(loss)[0]), double.CreateChecked(tape.Read(main)[0]), mi, kl);
        return loss;
    }
}
