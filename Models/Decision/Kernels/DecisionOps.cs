using System.Runtime.CompilerServices;
using Sure.Tensors.Devices;
using Sure.Tensors.Devices.Ilgpu;

namespace Sure.Models;

/// <summary>
/// The fused steps of one SURE decision (SPEC 4 in evaluation mode) on an <see cref="IComputeBackend"/>, which knows
/// only generic ops: <see cref="DeviceNetwork"/> and <see cref="DeviceDecider"/> string these together with its GEMM,
/// top-k and gather (docs/devices.md has the picture). One implementation per kind of backend, each running the same
/// loops: <see cref="CpuDecisionOps"/>, <see cref="SourceDecisionOps"/> (OpenCL and CUDA, <see cref="DecisionSource"/>)
/// and <see cref="IlgpuDecisionOps"/> (<see cref="IlgpuDecisionKernels"/>). The arguments are checked here, once;
/// an implementation is called only when there is work. Shapes use the SPEC's letters: tasks n, snapshots L,
/// neighbour slots K, anchors k1, neighbours per anchor k2, features D, hidden width H. decision:
/// [DecisionScalars.Length] int, see <see cref="DecisionScalars"/>.
/// </summary>
internal abstract class DecisionOps
{
    static readonly ConditionalWeakTable<IComputeBackend, DecisionOps> made = [];

    /// <summary>The ops for a backend, made once per backend: building them compiles kernels (NVRTC, PoCL, ILGPU).</summary>
    public static DecisionOps For(IComputeBackend backend)
    {
        lock (made)
        {
            if (made.TryGetValue(backend, out var ops)) return ops;
            ops = backend switch
            {
                CpuBackend => new CpuDecisionOps(),
                KernelBackend kernels => new SourceDecisionOps(kernels),
                IlgpuBackend ilgpu => new IlgpuDecisionOps(ilgpu),
                _ => throw new NotSupportedException($"no decision kernels for the {backend.Name} backend"),
            };
            made.Add(backend, ops);
            return ops;
        }
    }

    /// <summary>Words per row of the linked-slots bit table of <see cref="BuildSubgraphs"/>: ceil(K / 32).</summary>
    public static int LinkWords(int K) => (K + 31) / 32;

    // features: [rows, d]  wMu, wSigma: [d]  bMu, bSigma: [1]  mu, sigma: [rows]
    // mu = sigmoid(x . wMu + bMu), sigma = softplus(x . wSigma + bSigma) + SigmaFloor for every row x (SPEC 4.1)
    public void NvssProject(DeviceBuffer features, int rows, int d, DeviceBuffer wMu, DeviceBuffer bMu, DeviceBuffer wSigma,
        DeviceBuffer bSigma, DeviceBuffer mu, DeviceBuffer sigma)
    {
        DeviceBuffer.CheckElements(rows * d, features);
        DeviceBuffer.CheckElements(d, wMu, wSigma);
        DeviceBuffer.CheckElements(1, bMu, bSigma);
        DeviceBuffer.CheckElements(rows, mu, sigma);
        if (rows > 0) RunNvssProject(features, rows, d, wMu, bMu, wSigma, bSigma, mu, sigma);
    }

    // mu, sigma, x, y, omega: [n]; omega = ln(softplus(mu + sigma x) + WeightFloor) + y (SPEC 4.1, noise given)
    public void NvssOmega(DeviceBuffer mu, DeviceBuffer sigma, DeviceBuffer x, DeviceBuffer y, int n, DeviceBuffer omega)
    {
        DeviceBuffer.CheckElements(n, mu, sigma, x, y, omega);
        if (n > 0) RunNvssOmega(mu, sigma, x, y, n, omega);
    }

    // mu, sigma: [L, tasks] (ring order: physical row r holds snapshot (r - oldest) mod L)
    // theta: [tasks, L] = Omega of slot 0 in time order (0 = oldest), noise drawn as Policy/Decision/DecisionNoise.cs
    public void NvssTheta(DeviceBuffer mu, DeviceBuffer sigma, int tasks, int L, DeviceBuffer decision, DeviceBuffer theta)
    {
        DeviceBuffer.CheckElements(L * tasks, mu, sigma, theta);
        DeviceBuffer.CheckElements(DecisionScalars.Length, decision);
        if (tasks * L > 0) RunNvssTheta(mu, sigma, tasks, L, decision, theta);
    }

    // mu, sigma: [L, tasks] ring order  slots: [tasks, K] neighbour task ids  valid: [tasks] K_i  anchors: [tasks, k1]
    // omega: [tasks, k1, K]: Omega of slot s of task i at its anchor j, for s < K_i and present anchors (others untouched)
    public void NvssAnchorOmega(DeviceBuffer mu, DeviceBuffer sigma, DeviceBuffer slots, DeviceBuffer valid, DeviceBuffer anchors,
        int tasks, int L, int K, int k1, DeviceBuffer decision, DeviceBuffer omega)
    {
        DeviceBuffer.CheckElements(L * tasks, mu, sigma);
        DeviceBuffer.CheckElements(tasks * K, slots);
        DeviceBuffer.CheckElements(tasks, valid);
        DeviceBuffer.CheckElements(tasks * k1, anchors);
        DeviceBuffer.CheckElements(tasks * k1 * K, omega);
        DeviceBuffer.CheckElements(DecisionScalars.Length, decision);
        if (tasks * k1 * K > 0) RunNvssAnchorOmega(mu, sigma, slots, valid, anchors, tasks, L, K, k1, decision, omega);
    }

    // omega: [tasks, k1, K] at the anchors, or [tasks, L, 1+K] at every snapshot when everySnapshot
    // valid: [tasks]  anchors: [tasks, k1]  neighbours: [tasks, k1, k2]
    // the min(k2, K_i) largest valid slots of each present anchor in ascending slot order, ties to the lower slot;
    // -1 after them and for absent anchors (-1)
    public void ChooseNeighbours(DeviceBuffer omega, bool everySnapshot, DeviceBuffer valid, DeviceBuffer anchors,
        int tasks, int L, int K, int k1, int k2, DeviceBuffer neighbours)
    {
        DeviceBuffer.CheckElements(everySnapshot ? tasks * L * (1 + K) : tasks * k1 * K, omega);
        DeviceBuffer.CheckElements(tasks, valid);
        DeviceBuffer.CheckElements(tasks * k1, anchors);
        DeviceBuffer.CheckElements(tasks * k1 * k2, neighbours);
        if (tasks * k1 * k2 > 0) RunChooseNeighbours(omega, everySnapshot, valid, anchors, tasks, L, K, k1, k2, neighbours);
    }

    // anchors: [tasks, k1]  neighbours: [tasks, k1, k2]  slots: [tasks, K]  valid: [tasks]
    // linked: [tasks, K, LinkWords(K)] int: bit t of row (i, s) set when slots s and t of task i share a DAG edge
    // taskStarts: [tasks + 1]: task i's nodes start at taskStarts[i], min(k1, L) (1 + min(k2, K_i)) of them
    // nodeRow: [nodes] feature row of each node: the ring row ((oldest + t) mod L) tasks + task when ring, else the
    // S row (i L + t)(1 + K) + slot; degree: [nodes]; adjacency: [nodes, 2 + min(k2, K)] neighbour nodes, first degree[v]
    // Nodes and edges in Policy/Decision/SubgraphSampler.cs's order (SPEC 4.3).
    public void BuildSubgraphs(DeviceBuffer anchors, DeviceBuffer neighbours, DeviceBuffer slots, DeviceBuffer valid,
        DeviceBuffer linked, DeviceBuffer taskStarts, int tasks, int L, int K, int k1, int k2, bool ring,
        DeviceBuffer decision, DeviceBuffer nodeRow, DeviceBuffer degree, DeviceBuffer adjacency)
    {
        DeviceBuffer.CheckElements(tasks * k1, anchors);
        DeviceBuffer.CheckElements(tasks * k1 * k2, neighbours);
        DeviceBuffer.CheckElements(tasks * K, slots);
        DeviceBuffer.CheckElements(tasks, valid);
        DeviceBuffer.CheckElements(tasks * K * LinkWords(K), linked);
        DeviceBuffer.CheckElements(tasks + 1, taskStarts);
        DeviceBuffer.CheckElements(DecisionScalars.Length, decision);
        if (tasks * k1 > 0)
            RunBuildSubgraphs(anchors, neighbours, slots, valid, linked, taskStarts, tasks, L, K, k1, k2, ring, decision, nodeRow,
                degree, adjacency);
    }

    // features: [*, d]  nodeRow, degree: [nodes]  adjacency: [nodes, cap]
    // input: [nodes, 2d], row v = [features[nodeRow[v]] ; mean over u in N(v) of features[nodeRow[u]]] (0 without neighbours)
    public void SageInput(DeviceBuffer features, int d, DeviceBuffer nodeRow, DeviceBuffer degree, DeviceBuffer adjacency,
        int nodes, int cap, DeviceBuffer input)
    {
        DeviceBuffer.CheckElements(nodes, nodeRow, degree);
        DeviceBuffer.CheckElements(nodes * cap, adjacency);
        DeviceBuffer.CheckElements(nodes * 2 * d, input);
        if (nodes * d > 0) RunSageInput(features, d, nodeRow, degree, adjacency, nodes, cap, input);
    }

    // y: [nodes, 2h] = h_prev @ [W_top | W_bot]  bias: [h]  degree: [nodes]  adjacency: [nodes, cap]  output: [nodes, h]
    // output[v] = relu(mean over u in N(v) of y[u, h:] + y[v, :h] + bias)
    public void SageCombine(DeviceBuffer y, DeviceBuffer bias, int h, DeviceBuffer degree, DeviceBuffer adjacency,
        int nodes, int cap, DeviceBuffer output)
    {
        DeviceBuffer.CheckElements(nodes * 2 * h, y);
        DeviceBuffer.CheckElements(h, bias);
        DeviceBuffer.CheckElements(nodes, degree);
        DeviceBuffer.CheckElements(nodes * cap, adjacency);
        DeviceBuffer.CheckElements(nodes * h, output);
        if (nodes * h > 0) RunSageCombine(y, bias, h, degree, adjacency, nodes, cap, output);
    }

    // As SageCombine, then the mean over each task's nodes (the readout); taskStarts: [tasks + 1]  hg: [tasks, h]
    public void SageCombineMean(DeviceBuffer y, DeviceBuffer bias, int h, DeviceBuffer degree, DeviceBuffer adjacency,
        int cap, DeviceBuffer taskStarts, int tasks, DeviceBuffer hg)
    {
        DeviceBuffer.CheckElements(h, bias);
        DeviceBuffer.CheckElements(tasks + 1, taskStarts);
        DeviceBuffer.CheckElements(tasks * h, hg);
        if (tasks * h > 0) RunSageCombineMean(y, bias, h, degree, adjacency, cap, taskStarts, tasks, hg);
    }

    // hg: [tasks, h]  weight: [h]  bias: [1]  actionMean: [tasks]; m_i = weight . hg_i + bias
    public void ActionHead(DeviceBuffer hg, int h, int tasks, DeviceBuffer weight, DeviceBuffer bias, DeviceBuffer actionMean)
    {
        DeviceBuffer.CheckElements(tasks * h, hg);
        DeviceBuffer.CheckElements(h, weight);
        DeviceBuffer.CheckElements(1, bias);
        DeviceBuffer.CheckElements(tasks, actionMean);
        if (tasks > 0) RunActionHead(hg, h, tasks, weight, bias, actionMean);
    }

    // actionMean, parallelism, newParallelism: [tasks]; p' = DecisionMath.RescaleSingle(m, p, pMax), in float
    public void Rescale(DeviceBuffer actionMean, DeviceBuffer parallelism, int tasks, int pMax, DeviceBuffer newParallelism)
    {
        DeviceBuffer.CheckElements(tasks, actionMean, parallelism, newParallelism);
        if (tasks > 0) RunRescale(actionMean, parallelism, tasks, pMax, newParallelism);
    }

    // The same ops once their arguments are checked and there is at least one work-item.
    protected abstract void RunNvssProject(DeviceBuffer features, int rows, int d, DeviceBuffer wMu, DeviceBuffer bMu,
        DeviceBuffer wSigma, DeviceBuffer bSigma, DeviceBuffer mu, DeviceBuffer sigma);
    protected abstract void RunNvssOmega(DeviceBuffer mu, DeviceBuffer sigma, DeviceBuffer x, DeviceBuffer y, int n, DeviceBuffer omega);
    protected abstract void RunNvssTheta(DeviceBuffer mu, DeviceBuffer sigma, int tasks, int L, DeviceBuffer decision, DeviceBuffer theta);
    protected abstract void RunNvssAnchorOmega(DeviceBuffer mu, DeviceBuffer sigma, DeviceBuffer slots, DeviceBuffer valid,
        DeviceBuffer anchors, int tasks, int L, int K, int k1, DeviceBuffer decision, DeviceBuffer omega);
    protected abstract void RunChooseNeighbours(DeviceBuffer omega, bool everySnapshot, DeviceBuffer valid, DeviceBuffer anchors,
        int tasks, int L, int K, int k1, int k2, DeviceBuffer neighbours);
    protected abstract void RunBuildSubgraphs(DeviceBuffer anchors, DeviceBuffer neighbours, DeviceBuffer slots, DeviceBuffer valid,
        DeviceBuffer linked, DeviceBuffer taskStarts, int tasks, int L, int K, int k1, int k2, bool ring,
        DeviceBuffer decision, DeviceBuffer nodeRow, DeviceBuffer degree, DeviceBuffer adjacency);
    protected abstract void RunSageInput(DeviceBuffer features, int d, DeviceBuffer nodeRow, DeviceBuffer degree,
        DeviceBuffer adjacency, int nodes, int cap, DeviceBuffer input);
    protected abstract void RunSageCombine(DeviceBuffer y, DeviceBuffer bias, int h, DeviceBuffer degree, DeviceBuffer adjacency,
        int nodes, int cap, DeviceBuffer output);
    protected abstract void RunSageCombineMean(DeviceBuffer y, DeviceBuffer bias, int h, DeviceBuffer degree,
        DeviceBuffer adjacency, int cap, DeviceBuffer taskStarts, int tasks, DeviceBuffer hg);
    protected abstract void RunActionHead(DeviceBuffer hg, int h, int tasks, DeviceBuffer weight, DeviceBuffer bias,
        DeviceBuffer actionMean);
    protected abstract void RunRescale(DeviceBuffer actionMean, DeviceBuffer parallelism, int tasks, int pMax,
        DeviceBuffer newParallelism);
}
