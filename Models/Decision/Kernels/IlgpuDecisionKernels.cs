using ILGPU;
using Sure.Tensors.Devices.Ilgpu;

namespace Sure.Models;

/// <summary>The sizes of a decision's subgraph layout, in one argument: a kernel takes at most 14 besides its index.</summary>
internal struct SubgraphSizes
{
    public int Tasks, L, K, K1, K2, Ring;
}

/// <summary>
/// The decision ops (SPEC 4 in evaluation mode; shapes in <see cref="DecisionOps"/>) as ILGPU kernels, launched by
/// <see cref="IlgpuDecisionOps"/>: the same loops as <see cref="DecisionSource"/> and <see cref="CpuDecisionOps"/>, one
/// thread per loop iteration. The scalar maths is called, not copied: <see cref="DecisionMath.Omega"/> and its
/// constants, <see cref="Philox"/>'s block and Box-Muller, <see cref="DecisionMath.RescaleSingle"/>, and the generic
/// top-k of one row, <see cref="IlgpuKernels.TopKRow"/>. decision: [DecisionScalars.Length] = oldest ring row, seed, decision index.
/// </summary>
internal static class IlgpuDecisionKernels
{
    static ulong Word64(ArrayView<int> decision, int at) => (uint)decision[at] | (ulong)(uint)decision[at + 1] << 32;

    // Policy/Decision/DecisionNoise.cs: x at position q from the word pair of stream 2d, y from word q of stream 2d + 1.
    // CpuDecisionOps draws with these too.
    internal static float Normal(ulong seed, ulong index, ulong q)
    {
        var block = Philox.Block(seed, 2 * index, q / 4);
        bool secondPair = (q & 2) != 0;
        return Philox.BoxMullerCosine(secondPair ? block.X2 : block.X0, secondPair ? block.X3 : block.X1, (q & 1) != 0);
    }

    internal static float Gumbel(ulong seed, ulong index, ulong q) =>
        -MathF.Log(-MathF.Log(Philox.ToUniformSingle(Philox.Bits(seed, 2 * index + 1, q))));

    // features: [rows, d]  wMu, wSigma: [d]  bMu, bSigma: [1]  mu, sigma: [rows]
    public static void NvssProject(Index1D r, int d, ArrayView<float> features, ArrayView<float> wMu, ArrayView<float> bMu,
        ArrayView<float> wSigma, ArrayView<float> bSigma, ArrayView<float> mu, ArrayView<float> sigma)
    {
        float logitMu = 0f, logitSigma = 0f;
        for (int c = 0; c < d; c++)
        {
            logitMu += features[r * d + c] * wMu[c];
            logitSigma += features[r * d + c] * wSigma[c];
        }
        mu[r] = 1f / (1f + MathF.Exp(-(logitMu + bMu[0])));
        sigma[r] = RowOps.Softplus(logitSigma + bSigma[0]) + (float)DecisionMath.SigmaFloor;
    }

    public static void NvssOmega(Index1D i, ArrayView<float> mu, ArrayView<float> sigma, ArrayView<float> x, ArrayView<float> y,
        ArrayView<float> omega) => omega[i] = DecisionMath.Omega(mu[i], sigma[i], x[i], y[i]);

    // theta: [tasks, L], element (i, t) at noise position i L + t, its own index
    public static void NvssTheta(Index1D id, int tasks, int L, ArrayView<int> decision, ArrayView<float> mu, ArrayView<float> sigma,
        ArrayView<float> theta)
    {
        int i = id / L, t = id % L, row = (decision[0] + t) % L * tasks + i;
        ulong seed = Word64(decision, 1), index = Word64(decision, 3);
        theta[id] = DecisionMath.Omega(mu[row], sigma[row], Normal(seed, index, (ulong)(int)id), Gumbel(seed, index, (ulong)(int)id));
    }

    // omega: [tasks, k1, K], written for slots s < valid[i] of present anchors only
    public static void NvssAnchorOmega(Index1D id, int tasks, int L, int K, int k1, ArrayView<int> decision, ArrayView<int> slots,
        ArrayView<int> valid, ArrayView<int> anchors, ArrayView<float> mu, ArrayView<float> sigma, ArrayView<float> omega)
    {
        int i = id / (k1 * K), j = id / K % k1, s = id % K, t = anchors[i * k1 + j];
        if (s >= valid[i] || t < 0) return;
        int row = (decision[0] + t) % L * tasks + slots[i * K + s];
        ulong seed = Word64(decision, 1), index = Word64(decision, 3);
        ulong q = (ulong)tasks * (ulong)L + ((ulong)i * (ulong)L + (ulong)t) * (ulong)K + (ulong)s;
        omega[id] = DecisionMath.Omega(mu[row], sigma[row], Normal(seed, index, q), Gumbel(seed, index, q));
    }

    // One thread per (task, anchor): the min(k2, valid[i]) best valid slots in ascending slot order, -1 otherwise.
    public static void ChooseNeighbours(Index1D id, int L, int K, int k1, int k2, int everySnapshot, ArrayView<int> valid,
        ArrayView<int> anchors, ArrayView<float> omega, ArrayView<int> neighbours)
    {
        int i = id / k1, t = anchors[id];
        if (t < 0)
        {
            for (int s = 0; s < k2; s++) neighbours[id * k2 + s] = -1;
            return;
        }
        int start = everySnapshot != 0 ? (i * L + t) * (1 + K) + 1 : id * K;
        IlgpuKernels.TopKRow(omega, start, valid[i], k2, 1, neighbours, id * k2);
    }

    // One thread per (task i, anchor j) lays out that anchor's nodes and edges in SubgraphSampler's CSR order
    // (DecisionSource.cs explains the fixed layout: no prefix sum is needed).
    public static void BuildSubgraphs(Index1D id, SubgraphSizes z, ArrayView<int> decision, ArrayView<int> slots, ArrayView<int> valid,
        ArrayView<int> linked, ArrayView<int> taskStarts, ArrayView<int> anchors, ArrayView<int> neighbours,
        ArrayView<int> nodeRow, ArrayView<int> degree, ArrayView<int> adjacency)
    {
        int i = id / z.K1, j = id % z.K1, t = anchors[id];
        if (t < 0) return;
        int m = Math.Min(z.K2, valid[i]), cap = 2 + Math.Min(z.K2, z.K), words = (z.K + 31) / 32, present = Math.Min(z.K1, z.L);
        int a = taskStarts[i] + j * (1 + m);
        int ringBase = (decision[0] + t) % z.L * z.Tasks, sBase = (i * z.L + t) * (1 + z.K);
        nodeRow[a] = z.Ring != 0 ? ringBase + i : sBase;
        int e = a * cap;
        if (j > 0) adjacency[e++] = a - (1 + m);
        for (int s = 0; s < m; s++) adjacency[e++] = a + 1 + s;
        if (j + 1 < present) adjacency[e++] = a + 1 + m;
        degree[a] = e - a * cap;
        for (int s = 0; s < m; s++)
        {
            int v = a + 1 + s, own = neighbours[id * z.K2 + s], bits = (i * z.K + own) * words;
            nodeRow[v] = z.Ring != 0 ? ringBase + slots[i * z.K + own] : sBase + 1 + own;
            e = v * cap;
            adjacency[e++] = a;
            for (int q = 0; q < m; q++)
            {
                int other = neighbours[id * z.K2 + q];
                if (q != s && ((uint)linked[bits + (other >> 5)] >> (other & 31) & 1) != 0) adjacency[e++] = a + 1 + q;
            }
            degree[v] = e - v * cap;
        }
    }

    // input: [nodes, 2d], row v = [features[nodeRow[v]] ; mean over its neighbours]; one thread per element
    public static void SageInput(Index1D id, int d, int cap, ArrayView<int> nodeRow, ArrayView<int> degree, ArrayView<int> adjacency,
        ArrayView<float> features, ArrayView<float> input)
    {
        int v = id / (2 * d), c = id % (2 * d);
        if (c < d)
        {
            input[id] = features[nodeRow[v] * d + c];
            return;
        }
        int deg = degree[v];
        float sum = 0f;
        for (int e = 0; e < deg; e++) sum += features[nodeRow[adjacency[v * cap + e]] * d + c - d];
        input[id] = deg > 0 ? sum * (1f / deg) : 0f;
    }

    // relu(mean over u of y[u, h:] + y[v, :h] + bias) at column c of node v, in SureDecider's order of operations
    static float Combine(int v, int c, int h, int cap, ArrayView<int> degree, ArrayView<int> adjacency, ArrayView<float> y,
        ArrayView<float> bias)
    {
        int deg = degree[v];
        float sum = 0f;
        for (int e = 0; e < deg; e++) sum += y[adjacency[v * cap + e] * 2 * h + h + c];
        float value = sum * (deg > 0 ? 1f / deg : 0f) + y[v * 2 * h + c] + bias[c];
        return value > 0f ? value : 0f;
    }

    public static void SageCombine(Index1D id, int h, int cap, ArrayView<int> degree, ArrayView<int> adjacency, ArrayView<float> y,
        ArrayView<float> bias, ArrayView<float> output) => output[id] = Combine(id / h, id % h, h, cap, degree, adjacency, y, bias);

    // The last layer fused with the mean readout over each task's nodes. hg: [tasks, h]
    public static void SageCombineMean(Index1D id, int h, int cap, ArrayView<int> taskStarts, ArrayView<int> degree,
        ArrayView<int> adjacency, ArrayView<float> y, ArrayView<float> bias, ArrayView<float> hg)
    {
        int i = id / h, c = id % h, lo = taskStarts[i], hi = taskStarts[i + 1];
        float sum = 0f;
        for (int v = lo; v < hi; v++) sum += Combine(v, c, h, cap, degree, adjacency, y, bias);
        hg[id] = hi > lo ? sum * (1f / (hi - lo)) : 0f;
    }

    // actionMean: [tasks]; m_i = weight . hg_i + bias (SPEC 4.4)
    public static void ActionHead(Index1D i, int h, ArrayView<float> hg, ArrayView<float> weight, ArrayView<float> bias,
        ArrayView<float> actionMean)
    {
        float sum = 0f;
        for (int c = 0; c < h; c++) sum += hg[i * h + c] * weight[c];
        actionMean[i] = sum + bias[0];
    }

    public static void Rescale(Index1D i, int pMax, ArrayView<float> actionMean, ArrayView<int> parallelism, ArrayView<int> newParallelism) =>
        newParallelism[i] = DecisionMath.RescaleSingle(actionMean[i], parallelism[i], pMax);
}
