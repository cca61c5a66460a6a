using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Sure.Policy;

/// <summary>
/// The fast inference path of SPEC 4 in evaluation mode (u_i = m_i): one decision for a whole job, batched over all
/// tasks, reading the simulator's snapshot ring buffer directly and allocating nothing once warm.
/// Built once per (weights, job); reads the weights at every call, so a trainer's updates are seen. One decider
/// belongs to one thread at a time (its buffers are per call); any number of deciders may share one set of weights.
/// <para>What is computed once per decision, and what per node:</para>
/// <list type="bullet">
/// <item>mu and sigma logits for every (snapshot, task) row of the ring: one [L*n, D] x [D, 2] GEMM. theta (slot 0)
/// uses its task's own row; Omega of neighbour slot s of task i at snapshot l uses the row of task nbr[i, s] at l
/// with that element's own noise. S_i is never materialised.</item>
/// <item>Omega of neighbour slots only at the k1 chosen anchors (n k1 K_i elements, not n L K): the other
/// snapshots' neighbour values are never looked at (SPEC 4.2 chooses neighbours at anchors only).</item>
/// <item>GraphSAGE layer 0 as [x_v ; mean_u x_u] @ W_0 (one GEMM, k = 2D): the D-wide snapshot rows are averaged
/// before the product (gates are exactly 1 in value). Layers e >= 1 product first: Y = h @ [W_top | W_bot]
/// (one GEMM, [nodes, H] x [H, 2H]), then one pass h'_v = relu(Y_top[v] + b + mean_u Y_bot[u]); the last layer
/// adds into the readout instead of storing h. Tasks go through GraphSAGE in groups of about 512 nodes so that a
/// group's activations stay in cache (the graph is block diagonal). docs/model.md says why.</item>
/// </list>
/// Noise: <see cref="DecisionNoise"/>. Subgraph layout: <see cref="SubgraphSampler"/> (same order as the tape).
/// </summary>
public sealed class SureDecider
{
    const float SigmaFloor = (float)DecisionMath.SigmaFloor, WeightFloor = (float)DecisionMath.WeightFloor;
    // Nodes per group of tasks in GraphSAGE: a group's [nodes, 2H] floats (256 KiB at H = 64) stay in L2.
    const int ChunkNodes = 512;
    // Elements per slice of the noise-to-Omega transforms (8 KiB per buffer).
    const int NoiseChunk = 2048;

    readonly IDecisionWeights _model;
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
    // Noise scratch (DecisionNoise.Transform), as long as the longer of the two above.
    readonly float[] _angle, _scratch, _cosine;
    // [nodes] ring row of each subgraph node.
    readonly int[] _nodeRingRow;
    // For one group of tasks: [nodes, 2D] layer-0 input [x_v ; mean_u x_u]; [nodes, H] activations; [nodes, 2H] h @ [W_top | W_bot].
    readonly float[] _layer0Input, _h, _y;
    // [E-1, H, 2H] sage.e.weight's two halves side by side, refreshed each call.
    readonly float[] _sideBySide;
    // [n, H] readout; [n] action means.
    readonly float[] _hg, _actionMean;

    public SureDecider(IDecisionWeights model, NeighbourTable job, int threads = 1)
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
        int noise = Math.Max(rows, _packedAnchorOmega);
        _angle = new float[noise]; _scratch = new float[noise]; _cosine = new float[noise];
        _nodeRingRow = new int[maxNodes];
        int groupNodes = Math.Min(maxNodes, ChunkNodes + anchorsPerTask * (1 + Math.Min(_k2, _K)));
        _layer0Input = new float[groupNodes * 2 * _D];
        _h = new float[groupNodes * _H];
        _y = new float[groupNodes * 2 * _H];
        _sideBySide = new float[(_E - 1) * _H * 2 * _H];
        _hg = new float[_n * _H];

        // Size the subgraph CSR for the most edges a decision can have, so that no later decision grows it.
        int maxEdges = _n * anchorsPerTask * (1 + _k2 + _k2 * Math.Max(_k2 - 1, 0) / 2);
        var noEdges = new int[maxEdges];
        _sampler.Graph.Rebuild(Math.Max(1, maxNodes), noEdges, noEdges, undirected: true);
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
    public ReadOnlySpan<int> Neighbours => _sampler.Neighbours;
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
        CheckArguments(_L, _n, _D, ring.Length, oldest, currentParallelism.Length, newParallelism.Length);

        ProjectSnapshots(ring);
        ComputeTheta(oldest, seed, decisionIndex);
        _sampler.ChooseAnchors<float>(_theta, _L, _job, _k1, _k2);
        ComputeAnchorOmega(oldest, seed, decisionIndex);
        _sampler.SampleAtAnchors<float>(_anchorOmega.AsSpan(0, _packedAnchorOmega), _job);
        int nodes = _sampler.NodeCount;
        RingRowsOfNodes(oldest, nodes);
        GraphSageAndReadout(ring);

        var headWeight = _model.HeadWeight;
        float headBias = _model.HeadBias;
        for (int i = 0; i < _n; i++)
        {
            float m = TensorPrimitives.Dot(_hg.AsSpan(i * _H, _H), headWeight) + headBias;
            _actionMean[i] = m;
            newParallelism[i] = DecisionMath.Rescale(currentParallelism[i], DecisionMath.Ratio(m), _pMax);
        }
    }

    // The checks of Decide, shared with DeviceDecider.
    internal static void CheckArguments(int L, int n, int D, int ringLength, int oldest, int currentLength, int newLength)
    {
        if (ringLength != L * n * D) throw new ArgumentException($"ring holds {ringLength} values, expected [{L}, {n}, {D}]");
        if ((uint)oldest >= (uint)L) throw new ArgumentOutOfRangeException(nameof(oldest), $"oldest = {oldest} is outside 0..{L - 1}");
        if (currentLength != n || newLength != n) throw new ArgumentException($"parallelism spans must hold {n} values");
    }

    // SPEC 4.1's projections, once per (snapshot, task) row of the ring, in ring order.
    void ProjectSnapshots(ReadOnlySpan<float> ring)
    {
        int rows = _L * _n;
        var wMu = _model.MuWeight;
        var wSigma = _model.SigmaWeight;
        for (int d = 0; d < _D; d++)
        {
            _projectionWeight[2 * d] = wMu[d];
            _projectionWeight[2 * d + 1] = wSigma[d];
        }
        Gemm.Multiply<float>(ring, false, _projectionWeight, false, _logits, rows, 2, _D, threads: _threads);
        float bMu = _model.MuBias, bSigma = _model.SigmaBias;
        for (int r = 0; r < rows; r++)
        {
            _mu[r] = _logits[2 * r] + bMu;
            _sigma[r] = _logits[2 * r + 1] + bSigma;
        }
        TensorPrimitives.Sigmoid(_mu, _mu);
        RowOps.Softplus(_sigma, _scratch.AsSpan(0, rows), _cosine.AsSpan(0, rows));
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
        DecisionNoise.Uniforms(seed, decisionIndex, 0, _thetaX, _angle.AsSpan(0, _thetaX.Length), _thetaY);
        NoiseToOmega(_thetaMu, _thetaSigma, _thetaX, _thetaY, _theta);
    }

    // Omega of every valid neighbour slot at the chosen anchors, packed as SubgraphSampler.SampleAtAnchors reads it.
    void ComputeAnchorOmega(int oldest, ulong seed, ulong decisionIndex)
    {
        if (_packedAnchorOmega == 0) return;
        var anchors = _sampler.Anchors;
        var slots = _job.Slots;
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
                DecisionNoise.Uniforms(seed, decisionIndex, DecisionNoise.Position(_n, _L, _K, i, t, 1),
                    _anchorX.AsSpan(start, valid), _angle.AsSpan(start, valid), _anchorY.AsSpan(start, valid));
            }
            packed += _k1 * valid;
        }
        // Rows of absent anchors (L < k1) hold stale values; the sampler never reads them.
        NoiseToOmega(_anchorMu, _anchorSigma, _anchorX, _anchorY, _anchorOmega);
    }

    // Noise uniforms (x, y as DecisionNoise.Uniforms left them, angles in _angle) to Omega, in slices of
    // NoiseChunk elements: the dozen passes of the transforms then run over L1/L2-resident slices, not over
    // megabytes (n = 1000 has 300 K neighbour elements).
    // mu, sigma, x, y, omega: [count]; x and y are overwritten
    void NoiseToOmega(Span<float> mu, Span<float> sigma, Span<float> x, Span<float> y, Span<float> omega)
    {
        for (int start = 0; start < x.Length; start += NoiseChunk)
        {
            int length = Math.Min(NoiseChunk, x.Length - start);
            var xs = x.Slice(start, length);
            var ys = y.Slice(start, length);
            var scratch = _scratch.AsSpan(start, length);
            var cosine = _cosine.AsSpan(start, length);
            DecisionNoise.Transform(xs, _angle.AsSpan(start, length), ys, scratch, cosine);
            Omega(mu.Slice(start, length), sigma.Slice(start, length), xs, ys, omega.Slice(start, length), scratch, cosine);
        }
    }

    // DecisionMath.Omega vectorised, with the tape's operation order so values match it.
    // x is overwritten; scratch1, scratch2: at least as long as x.
    static void Omega(Span<float> mu, Span<float> sigma, Span<float> x, Span<float> y, Span<float> omega, Span<float> scratch1, Span<float> scratch2)
    {
        TensorPrimitives.Multiply(sigma, x, x);
        TensorPrimitives.Add(mu, x, x);
        RowOps.Softplus(x, scratch1[..x.Length], scratch2[..x.Length]);
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

    // SPEC 4.3 over the block-diagonal graph of all tasks, and the mean readout into _hg. Tasks go through in groups
    // of about ChunkNodes nodes, every layer for one group before the next group: the graph is block diagonal, so a
    // group needs nothing from outside itself, and its activations stay in cache from one layer to the next.
    void GraphSageAndReadout(ReadOnlySpan<float> ring)
    {
        int H = _H;
        for (int e = 1; e < _E; e++)
        {
            var w = _model.SageWeight(e);
            var sideBySide = _sideBySide.AsSpan((e - 1) * H * 2 * H, H * 2 * H);
            for (int r = 0; r < H; r++)
            {
                w.Slice(r * H, H).CopyTo(sideBySide.Slice(r * 2 * H, H));
                w.Slice((H + r) * H, H).CopyTo(sideBySide.Slice(r * 2 * H + H, H));
            }
        }
        _hg.AsSpan().Clear();
        var taskStarts = _sampler.TaskStarts.Span;
        for (int firstTask = 0, endTask; firstTask < _n; firstTask = endTask)
        {
            endTask = firstTask + 1;
            while (endTask < _n && taskStarts[endTask] - taskStarts[firstTask] < ChunkNodes) endTask++;
            GraphSageGroup(ring, firstTask, endTask);
        }
    }

    void GraphSageGroup(ReadOnlySpan<float> ring, int firstTask, int endTask)
    {
        int H = _H;
        var taskStarts = _sampler.TaskStarts.Span;
        int firstNode = taskStarts[firstTask], count = taskStarts[endTask] - firstNode;
        var input = _layer0Input.AsSpan(0, count * 2 * _D);
        var h = _h.AsSpan(0, count * H);
        GatherLayer0Input(ring, firstNode, count, input);
        Gemm.Multiply<float>(input, false, _model.SageWeight(0), false, h, count, H, 2 * _D, threads: _threads);
        AddBiasRelu(h, _model.SageBias(0));
        if (_E == 1)
        {
            for (int i = firstTask; i < endTask; i++)
                Sparse.SegmentMean<float>(h.Slice((taskStarts[i] - firstNode) * H), H, [0, taskStarts[i + 1] - taskStarts[i]], _hg.AsSpan(i * H, H));
            return;
        }
        // Layers e >= 1, product first: Y = h @ [W_top | W_bot] ([count, 2H]), then one pass
        // h'_v = relu(Y_top[v] + b + mean_u Y_bot[u]); the last layer adds h'_v into its task's readout row instead.
        var y = _y.AsSpan(0, count * 2 * H);
        for (int e = 1; e < _E; e++)
        {
            Gemm.Multiply<float>(h, false, _sideBySide.AsSpan((e - 1) * H * 2 * H, H * 2 * H), false, y, count, 2 * H, H, threads: _threads);
            var b = _model.SageBias(e);
            bool readout = e == _E - 1;
            if (H % Vector256<float>.Count == 0 && Vector256.IsHardwareAccelerated) AggregateAfterProductVector(y, b, h, firstTask, endTask, readout);
            else AggregateAfterProduct(y, b, h, firstTask, endTask, readout);
        }
    }

    // Layer 0's input [x_v ; mean_u x_u] for nodes firstNode .. firstNode + count - 1, straight from the ring
    // (gates are exactly 1 in value).
    // input: [count, 2D]
    void GatherLayer0Input(ReadOnlySpan<float> ring, int firstNode, int count, Span<float> input)
    {
        int D = _D, width = 2 * D;
        var rowPtr = _sampler.Graph.RowPtr;
        var cols = _sampler.Graph.Cols;
        if (D == Vector256<float>.Count && Vector256.IsHardwareAccelerated)
        {
            ref float ringStart = ref MemoryMarshal.GetReference(ring);
            ref float inputStart = ref MemoryMarshal.GetReference(input);
            for (int local = 0; local < count; local++)
            {
                int v = firstNode + local;
                Vector256.LoadUnsafe(ref ringStart, (nuint)(_nodeRingRow[v] * D)).StoreUnsafe(ref inputStart, (nuint)(local * width));
                int first = rowPtr[v], last = rowPtr[v + 1];
                var sum = Vector256<float>.Zero;
                for (int e = first; e < last; e++) sum += Vector256.LoadUnsafe(ref ringStart, (nuint)(_nodeRingRow[cols[e]] * D));
                if (last > first) sum *= 1f / (last - first);
                sum.StoreUnsafe(ref inputStart, (nuint)(local * width + D));
            }
            return;
        }
        for (int local = 0; local < count; local++)
        {
            int v = firstNode + local;
            var mean = input.Slice(local * width + D, D);
            ring.Slice(_nodeRingRow[v] * D, D).CopyTo(input.Slice(local * width, D));
            mean.Clear();
            int first = rowPtr[v], last = rowPtr[v + 1];
            if (first == last) continue;
            for (int e = first; e < last; e++)
            {
                var other = ring.Slice(_nodeRingRow[cols[e]] * D, D);
                for (int d = 0; d < D; d++) mean[d] += other[d];
            }
            float inv = 1f / (last - first);
            for (int d = 0; d < D; d++) mean[d] *= inv;
        }
    }

    // h = relu(h + b) row by row.
    // h: [rows, H]  b: [H]
    void AddBiasRelu(Span<float> h, ReadOnlySpan<float> b)
    {
        int H = _H, rows = h.Length / H;
        if (H % Vector256<float>.Count == 0 && Vector256.IsHardwareAccelerated)
        {
            ref float h0 = ref MemoryMarshal.GetReference(h);
            ref float b0 = ref MemoryMarshal.GetReference(b);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < H; c += Vector256<float>.Count)
                    Vector256.Max(Vector256.LoadUnsafe(ref h0, (nuint)(r * H + c)) + Vector256.LoadUnsafe(ref b0, (nuint)c), Vector256<float>.Zero)
                        .StoreUnsafe(ref h0, (nuint)(r * H + c));
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            var row = h.Slice(r * H, H);
            TensorPrimitives.Add(row, b, row);
            TensorPrimitives.Max(row, 0f, row);
        }
    }

    // For the nodes of tasks firstTask .. endTask - 1 (rows of y and h local to the group):
    // h[v] = relu(y[v, :H] + b + mean over neighbours u of y[u, H:]) (mean 0 without neighbours); with readout,
    // _hg[i] += that / (nodes of task i) instead, and h is left alone.
    // y: [count, 2H]  b: [H]  h: [count, H]
    void AggregateAfterProduct(ReadOnlySpan<float> y, ReadOnlySpan<float> b, Span<float> h, int firstTask, int endTask, bool readout)
    {
        int H = _H;
        var rowPtr = _sampler.Graph.RowPtr;
        var cols = _sampler.Graph.Cols;
        var taskStarts = _sampler.TaskStarts.Span;
        int firstNode = taskStarts[firstTask];
        Span<float> row = stackalloc float[H];
        for (int i = firstTask; i < endTask; i++)
        {
            var readoutRow = _hg.AsSpan(i * H, H);
            for (int v = taskStarts[i]; v < taskStarts[i + 1]; v++)
            {
                var target = readout ? row : h.Slice((v - firstNode) * H, H);
                int first = rowPtr[v], last = rowPtr[v + 1];
                target.Clear();
                for (int e = first; e < last; e++) TensorPrimitives.Add(target, y.Slice((cols[e] - firstNode) * 2 * H + H, H), target);
                if (last > first) TensorPrimitives.Multiply(target, 1f / (last - first), target);
                TensorPrimitives.Add(target, y.Slice((v - firstNode) * 2 * H, H), target);
                TensorPrimitives.Add(target, b, target);
                TensorPrimitives.Max(target, 0f, target);
                if (readout) TensorPrimitives.Add(readoutRow, target, readoutRow);
            }
            int size = taskStarts[i + 1] - taskStarts[i];
            if (readout && size > 0) TensorPrimitives.Multiply(readoutRow, 1f / size, readoutRow);
        }
    }

    // target[at] = relu(sum * inv + y[self] + b[bias]), or += it when accumulate (the readout).
    static void Finish(Vector256<float> sum, float inv, ref float y, nuint self, ref float b, nuint bias, ref float target, nuint at, bool accumulate)
    {
        var value = Vector256.Max(sum * inv + Vector256.LoadUnsafe(ref y, self) + Vector256.LoadUnsafe(ref b, bias), Vector256<float>.Zero);
        if (accumulate) value += Vector256.LoadUnsafe(ref target, at);
        value.StoreUnsafe(ref target, at);
    }

    // AggregateAfterProduct for H a multiple of the vector width: 32 columns at a time in four registers.
    void AggregateAfterProductVector(ReadOnlySpan<float> y, ReadOnlySpan<float> b, Span<float> h, int firstTask, int endTask, bool readout)
    {
        int H = _H, stride = 2 * H, width = Vector256<float>.Count;
        var rowPtr = _sampler.Graph.RowPtr;
        var cols = _sampler.Graph.Cols;
        var taskStarts = _sampler.TaskStarts.Span;
        int firstNode = taskStarts[firstTask];
        ref float y0 = ref MemoryMarshal.GetReference(y);
        ref float b0 = ref MemoryMarshal.GetReference(b);
        ref float h0 = ref MemoryMarshal.GetReference(h);
        ref float g0 = ref MemoryMarshal.GetArrayDataReference(_hg);
        for (int i = firstTask; i < endTask; i++)
        {
            int taskFirst = taskStarts[i], taskEnd = taskStarts[i + 1];
            for (int v = taskFirst; v < taskEnd; v++)
            {
                int first = rowPtr[v], last = rowPtr[v + 1], local = v - firstNode;
                float inv = last > first ? 1f / (last - first) : 0f;
                int c = 0;
                for (; c + 4 * width <= H; c += 4 * width)
                {
                    Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
                    for (int e = first; e < last; e++)
                    {
                        nuint src = (nuint)((cols[e] - firstNode) * stride + H + c);
                        s0 += Vector256.LoadUnsafe(ref y0, src);
                        s1 += Vector256.LoadUnsafe(ref y0, src + (nuint)width);
                        s2 += Vector256.LoadUnsafe(ref y0, src + (nuint)(2 * width));
                        s3 += Vector256.LoadUnsafe(ref y0, src + (nuint)(3 * width));
                    }
                    ref float target = ref readout ? ref g0 : ref h0;
                    nuint self = (nuint)(local * stride + c), bias = (nuint)c, at = (nuint)((readout ? i : local) * H + c), w = (nuint)width;
                    Finish(s0, inv, ref y0, self, ref b0, bias, ref target, at, readout);
                    Finish(s1, inv, ref y0, self + w, ref b0, bias + w, ref target, at + w, readout);
                    Finish(s2, inv, ref y0, self + 2 * w, ref b0, bias + 2 * w, ref target, at + 2 * w, readout);
                    Finish(s3, inv, ref y0, self + 3 * w, ref b0, bias + 3 * w, ref target, at + 3 * w, readout);
                }
                for (; c < H; c += width)
                {
                    var s = Vector256<float>.Zero;
                    for (int e = first; e < last; e++) s += Vector256.LoadUnsafe(ref y0, (nuint)((cols[e] - firstNode) * stride + H + c));
                    ref float target = ref readout ? ref g0 : ref h0;
                    Finish(s, inv, ref y0, (nuint)(local * stride + c), ref b0, (nuint)c, ref target, (nuint)((readout ? i : local) * H + c), readout);
                }
            }
            int size = taskEnd - taskFirst;
            if (readout && size > 0) TensorPrimitives.Multiply(_hg.AsSpan(i * H, H), 1f / size, _hg.AsSpan(i * H, H));
        }
    }
}
