using System.Numerics.Tensors;

namespace Sure.Models;

/// <summary>
/// The fast inference path of SPEC 4 in evaluation mode (u_i = m_i): one decision for a whole job, batched over all
/// tasks, reading the simulator's snapshot ring buffer directly and allocating nothing once warm.
/// Built once per (model, job); reads the model's parameter values at every call, so training updates are seen.
/// <para>What is computed once per decision, and what per node:</para>
/// <list type="bullet">
/// <item>mu and sigma logits for every (snapshot, task) row of the ring: one [L*n, D] x [D, 2] GEMM. theta (slot 0)
/// uses its task's own row; Omega of neighbour slot s of task i at snapshot l uses the row of task nbr[i, s] at l
/// with that element's own noise. S_i is never materialised.</item>
/// <item>Omega of neighbour slots only at the k1 chosen anchors (n k1 K_i elements, not n L K): the other
/// snapshots' neighbour values are never looked at (SPEC 4.2 chooses neighbours at anchors only).</item>
/// <item>GraphSAGE layer 0 as [x_v ; mean_u x_u] @ W_0: the D-wide snapshot rows are averaged before the
/// product (gates are exactly 1 in value). Layers e >= 1: one [nodes, H] GEMM per half of W_e over all tasks,
/// h @ W_top + (A h) @ W_bot with A the block-diagonal mean (CSR). See docs/model.md for why the mean comes
/// before the product.</item>
/// </list>
/// Noise: <see cref="DecisionNoise"/>. Subgraph layout: <see cref="SubgraphSampler"/> (same order as the tape).
/// </summary>
public sealed class SureDecider
{
    const float SigmaFloor = 1e-3f, WeightFloor = 1e-6f;

    readonly SureModel<float> _model;
    readonly NeighbourTable _job;
    readonly SubgraphSampler _sampler = new();
    readonly int _n, _L, _D, _H, _E, _k1, _k2, _K, _pMax, _threads, _packedAnchorOmega;

    // [D, 2]: column 0 = nvss.mu.weight, column 1 = nvss.sigma.weight, refreshed each call.
    readonly float[] _projectionWeight;
    // [L*n, 2] logits, then [L*n] mu and sigma; ring (physical) row order.
    readonly float[] _logits, _mu, _sigma;
    // [n, L] slot-0 values in logical time order: mu, sigma, then x, y, z and w in turn, Omega last.
    readonly float[] _thetaMu, _thetaSigma, _thetaX, _thetaY, _theta;
    // Packed like SubgraphSampler.SampleAtAnchors: [k1 * sum_i K_i].
    readonly float[] _anchorMu, _anchorSigma, _anchorX, _anchorY, _anchorOmega;
    // [nodes] ring row of each subgraph node.
    readonly int[] _nodeRingRow;
    // [nodes, 2D] layer-0 input [x_v ; mean_u x_u]; [nodes, H] activations, their neighbour mean, the next layer.
    readonly float[] _layer0Input, _h, _hMean, _hNext;
    // [n, H] readout; [n] action means.
    readonly float[] _hg, _actionMean;

    public SureDecider(SureModel<float> model, NeighbourTable job, int threads = 1)
    {
        var c = model.Config;
        _model = model;
        _job = job;
        (_n, _L, _D, _H, _E, _k1, _k2, _K, _pMax, _threads) = (job.Tasks, c.L, c.D, c.H, c.E, c.K1, c.K2, job.K, c.PMax, Math.Max(1, threads));
        int rows = _L * _n;
        int anchorsPerTask = Math.Min(_k1, _L);
        for (int i = 0; i < _n; i++) _packedAnchorOmega += _k1 * job.Valid[i];
        int maxNodes = _n * anchorsPerTask * (1 + Math.Min(_k2, _K));

        _projectionWeight = new float[_D * 2];
        _logits = new float[rows * 2];
        _mu = new float[rows];
        _sigma = new float[rows];
        _thetaMu = new float[rows]; _thetaSigma = new float[rows];
        _thetaX = new float[rows]; _thetaY = new float[rows]; _theta = new float[rows];
        _anchorMu = new float[_packedAnchorOmega]; _anchorSigma = new float[_packedAnchorOmega];
        _anchorX = new float[_packedAnchorOmega]; _anchorY = new float[_packedAnchorOmega];
        _anchorOmega = new float[_packedAnchorOmega];
        _nodeRingRow = new int[maxNodes];
        _layer0Input = new float[maxNodes * 2 * _D];
        _h = new float[maxNodes * _H];
        _hMean = new float[maxNodes * _H];
        _hNext = new float[maxNodes * _H];
        _hg = new float[_n * _H];
        _actionMean = new float[_n];
    }

    public int Tasks => _n;
    /// <summary>[n] m_i of the last decision.</summary>
    public ReadOnlySpan<float> ActionMeans => _actionMean;
    /// <summary>[n, H] readout h_g of the last decision.</summary>
    public ReadOnlySpan<float> Readout => _hg;
    /// <summary>[n, k1] anchors of the last decision (ascending snapshot, 0 = oldest; -1 where L &lt; k1).</summary>
    public ReadOnlySpan<int> Anchors => _sampler.Anchors;
    /// <summary>[n, k1, k2] neighbour slots of the last decision (ascending, -1 where fewer than k2).</summary>
    public ReadOnlySpan<int> Neighbours => _sampler.Neighbors;
    /// <summary>The last decision's subgraphs (node layout, CSR); reused by the next call.</summary>
    public SubgraphSampler Subgraphs => _sampler;

    /// <summary>
    /// One decision: new p_i = clamp(round-half-even(2 sigmoid(m_i) * p_i), 1, p_max) for every task.
    /// </summary>
    // ring: [L, n, D] snapshots, physical order: snapshot t (0 = oldest) is physical row (oldest + t) % L
    // currentParallelism: [n]
    // newParallelism: [n]
    public void Decide(ReadOnlySpan<float> ring, int oldest, ReadOnlySpan<int> currentParallelism, ulong seed, ulong decisionIndex,
        Span<int> newParallelism)
    {
        if (ring.Length != _L * _n * _D) throw new ArgumentException($"ring holds {ring.Length} values, expected [{_L}, {_n}, {_D}]");
        if ((uint)oldest >= (uint)_L) throw new ArgumentOutOfRangeException(nameof(oldest), $"oldest = {oldest} is outside 0..{_L - 1}");
        if (currentParallelism.Length != _n || newParallelism.Length != _n)
            throw new ArgumentException($"parallelism spans must hold {_n} values");

        ProjectSnapshots(ring);
        ComputeTheta(oldest, seed, decisionIndex);
        _sampler.ChooseAnchors<float>(_theta, _L, _job, _k1, _k2);
        ComputeAnchorOmega(oldest, seed, decisionIndex);
        _sampler.SampleAtAnchors<float>(_anchorOmega.AsSpan(0, _packedAnchorOmega), _job);
        int nodes = _sampler.NodeCount;
        RingRowsOfNodes(oldest, nodes);
        var h = GraphSage(ring, nodes);
        Sparse.SegmentMean<float>(h, _H, _sampler.TaskStarts.Span, _hg);

        var headWeight = _model.HeadWeight.Value.Span;
        float headBias = _model.HeadBias.Value.Span[0];
        for (int i = 0; i < _n; i++)
        {
            float m = TensorPrimitives.Dot(_hg.AsSpan(i * _H, _H), headWeight) + headBias;
            _actionMean[i] = m;
            newParallelism[i] = NewParallelism(2f / (1f + MathF.Exp(-m)), currentParallelism[i], _pMax);
        }
    }

    /// <summary>clamp(round(ratio * p), 1, pMax), rounding halves to even, in float as the reference does.</summary>
    internal static int NewParallelism(float ratio, int p, int pMax)
    {
        float scaled = MathF.Round(ratio * p, MidpointRounding.ToEven);
        return scaled < 1f ? 1 : scaled > pMax ? pMax : (int)scaled;
    }

    // SPEC 4.1's projections, once per (snapshot, task) row of the ring, in ring order.
    void ProjectSnapshots(ReadOnlySpan<float> ring)
    {
        int rows = _L * _n;
        var wMu = _model.MuWeight.Value.Span;
        var wSigma = _model.SigmaWeight.Value.Span;
        for (int d = 0; d < _D; d++)
        {
            _projectionWeight[2 * d] = wMu[d];
            _projectionWeight[2 * d + 1] = wSigma[d];
        }
        Gemm.Multiply<float>(ring, false, _projectionWeight, false, _logits, rows, 2, _D, threads: _threads);
        float bMu = _model.MuBias.Value.Span[0], bSigma = _model.SigmaBias.Value.Span[0];
        for (int r = 0; r < rows; r++)
        {
            _mu[r] = _logits[2 * r] + bMu;
            _sigma[r] = _logits[2 * r + 1] + bSigma;
        }
        TensorPrimitives.Sigmoid(_mu, _mu);
        RowOps.Softplus<float>(_sigma, _sigma);
        TensorPrimitives.Add(_sigma, SigmaFloor, _sigma);
    }

    // theta [n, L] = Omega[:, :, 0] in logical time order.
    void ComputeTheta(int oldest, ulong seed, ulong decisionIndex)
    {
        for (int i = 0; i < _n; i++)
            for (int t = 0; t < _L; t++)
            {
                int row = RingTime(oldest, t) * _n + i;
                _thetaMu[i * _L + t] = _mu[row];
                _thetaSigma[i * _L + t] = _sigma[row];
            }
        Philox.FillNormal<float>(seed, DecisionNoise.NormalStream(decisionIndex), 0, _thetaX);
        Philox.FillGumbel<float>(seed, DecisionNoise.GumbelStream(decisionIndex), 0, _thetaY);
        Omega(_thetaMu, _thetaSigma, _thetaX, _thetaY, _theta);
    }

    // Omega of every valid neighbour slot at the chosen anchors, packed as SubgraphSampler.SampleAtAnchors reads it.
    void ComputeAnchorOmega(int oldest, ulong seed, ulong decisionIndex)
    {
        if (_packedAnchorOmega == 0) return;
        var anchors = _sampler.Anchors;
        var slots = _job.Slots;
        ulong normalStream = DecisionNoise.NormalStream(decisionIndex), gumbelStream = DecisionNoise.GumbelStream(decisionIndex);
        int packed = 0;
        for (int i = 0; i < _n; i++)
        {
            int valid = _job.Valid[i];
            if (valid == 0) continue;
            for (int j = 0; j < _k1; j++)
            {
                int t = anchors[i * _k1 + j], start = packed + j * valid;
                if (t < 0) continue;
                int ringBase = RingTime(oldest, t) * _n;
                for (int s = 0; s < valid; s++)
                {
                    int row = ringBase + slots[i * _K + s];
                    _anchorMu[start + s] = _mu[row];
                    _anchorSigma[start + s] = _sigma[row];
                }
                ulong position = DecisionNoise.Position(_n, _L, _K, i, t, 1);
                Philox.FillNormal<float>(seed, normalStream, position, _anchorX.AsSpan(start, valid));
                Philox.FillGumbel<float>(seed, gumbelStream, position, _anchorY.AsSpan(start, valid));
            }
            packed += _k1 * valid;
        }
        // Rows of absent anchors (L < k1) hold stale values; the sampler never reads them.
        Omega(_anchorMu, _anchorSigma, _anchorX, _anchorY, _anchorOmega);
    }

    // Omega = ln(softplus(mu + sigma x) + 1e-6) + y, with the tape's operation order so values match it.
    // x is overwritten.
    static void Omega(Span<float> mu, Span<float> sigma, Span<float> x, Span<float> y, Span<float> omega)
    {
        TensorPrimitives.Multiply(sigma, x, x);
        TensorPrimitives.Add(mu, x, x);
        RowOps.Softplus<float>(x, x);
        TensorPrimitives.Add(x, WeightFloor, x);
        TensorPrimitives.Log(x, x);
        TensorPrimitives.Add(x, y, omega);
    }

    int RingTime(int oldest, int t)
    {
        int p = oldest + t;
        return p >= _L ? p - _L : p;
    }

    // The sampler numbers nodes by their row of S, ((i * L + t) * (1 + K) + slot); map each to (time, task) of the ring.
    void RingRowsOfNodes(int oldest, int nodes)
    {
        var sRows = _sampler.NodeRows.Span;
        var slots = _job.Slots;
        int width = 1 + _K;
        for (int v = 0; v < nodes; v++)
        {
            int row = sRows[v];
            int taskTime = row / width, slot = row - taskTime * width;
            int i = taskTime / _L, t = taskTime - i * _L;
            int task = slot == 0 ? i : slots[i * _K + slot - 1];
            _nodeRingRow[v] = RingTime(oldest, t) * _n + task;
        }
    }

    // SPEC 4.3 over the block-diagonal graph of all tasks; returns the last layer's [nodes, H].
    Span<float> GraphSage(ReadOnlySpan<float> ring, int nodes)
    {
        var graph = _sampler.Graph;
        int D = _D, H = _H;

        // Layer 0: [x_v ; mean_u x_u] gathered straight from the ring, then one [nodes, 2D] x [2D, H] product.
        var input = _layer0Input.AsSpan(0, nodes * 2 * D);
        for (int v = 0; v < nodes; v++)
        {
            var self = input.Slice(v * 2 * D, D);
            var mean = input.Slice(v * 2 * D + D, D);
            ring.Slice(_nodeRingRow[v] * D, D).CopyTo(self);
            mean.Clear();
            int first = graph.RowPtr[v], last = graph.RowPtr[v + 1];
            if (first == last) continue;
            for (int e = first; e < last; e++)
            {
                var other = ring.Slice(_nodeRingRow[graph.Cols[e]] * D, D);
                for (int d = 0; d < D; d++) mean[d] += other[d];
            }
            float inv = 1f / (last - first);
            for (int d = 0; d < D; d++) mean[d] *= inv;
        }
        var h = _h.AsSpan(0, nodes * H);
        Dense(input, 2 * D, _model.SageWeights[0].Value.Span, _model.SageBiases[0].Value.Span, h, nodes);

        // Layers e >= 1: Y = h @ W_top + (A h) @ W_bot, A the CSR mean.
        var mean1 = _hMean.AsSpan(0, nodes * H);
        var next = _hNext.AsSpan(0, nodes * H);
        for (int e = 1; e < _E; e++)
        {
            Sparse.MeanAggregate<float>(graph, h, H, mean1);
            var w = _model.SageWeights[e].Value.Span;
            FillBias(next, _model.SageBiases[e].Value.Span, nodes);
            Gemm.Multiply<float>(h, false, w[..(H * H)], false, next, nodes, H, H, accumulate: true, threads: _threads);
            Gemm.Multiply<float>(mean1, false, w[(H * H)..], false, next, nodes, H, H, accumulate: true, threads: _threads);
            TensorPrimitives.Max(next, 0f, next);
            var swap = h; h = next; next = swap;
        }
        return h;
    }

    // y = relu(x @ w + b) over all nodes.
    // x: [nodes, k]  w: [k, H]  b: [H]  y: [nodes, H]
    void Dense(ReadOnlySpan<float> x, int k, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, int nodes)
    {
        FillBias(y, b, nodes);
        Gemm.Multiply<float>(x, false, w, false, y, nodes, _H, k, accumulate: true, threads: _threads);
        TensorPrimitives.Max(y, 0f, y);
    }

    // y: [nodes, H], every row = b
    void FillBias(Span<float> y, ReadOnlySpan<float> b, int nodes)
    {
        for (int v = 0; v < nodes; v++) b.CopyTo(y.Slice(v * _H, _H));
    }
}
