namespace Sure.Tensors.Devices;

/// <summary>Element types a device buffer can hold; Philox raw words travel as Int32 (read them back as uint).</summary>
public enum ElementType { Float32, Int32 }

public enum UnaryOp { Sigmoid, Softplus, Relu, Tanh, Exp, Log }

public enum BinaryOp { Add, Mul }

/// <summary>What a Philox4x32-10 stream is turned into: raw words, U(0,1), N(0,1) or Gumbel(0,1).</summary>
public enum RandomDraw { Bits = 0, Uniform = 1, Gaussian = 2, Gumbel = 3 }  // values are passed to the kernels

/// <summary>Memory owned by one backend; only that backend's kernels may read or write it.</summary>
public abstract class DeviceBuffer(ElementType type, int length) : IDisposable
{
    public ElementType Type { get; } = type;
    public int Length { get; } = length;
    public bool IsDisposed { get; private set; }

    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        Release();
        GC.SuppressFinalize(this);
    }

    protected abstract void Release();
}

/// <summary>
/// One compute device. Every call is enqueued in order; downloads wait for the work before them,
/// so <see cref="Synchronize"/> is only needed to time or to hand buffers to another queue.
/// Argument order follows the CPU kernels: inputs and sizes first, outputs last.
/// </summary>
public interface IComputeBackend : IDisposable
{
    /// <summary>The name the factory knows it by: "cpu", "opencl", "cuda".</summary>
    string Name { get; }

    /// <summary>Human-readable platform and device, e.g. "Portable Computing Language / pthread-haswell".</summary>
    string Device { get; }

    DeviceBuffer Allocate(ElementType type, int length);

    // source: [n <= destination.Length]; T must be float for Float32 buffers, int or uint for Int32 buffers
    void Upload<T>(ReadOnlySpan<T> source, DeviceBuffer destination) where T : unmanaged;

    // destination: [n <= source.Length]
    void Download<T>(DeviceBuffer source, Span<T> destination) where T : unmanaged;

    void Synchronize();

    // a: [m, k], or [k, m] when transA
    // b: [k, n], or [n, k] when transB
    // c: [m, n]; c = op(a) @ op(b), or c += op(a) @ op(b) when accumulate
    void Gemm(DeviceBuffer a, bool transA, DeviceBuffer b, bool transB, int m, int n, int k, bool accumulate, DeviceBuffer c);

    // x: [n]  y: [n]; y = op(x), y may be x
    void Map(UnaryOp op, DeviceBuffer x, int n, DeviceBuffer y);

    // x: [n]  y: [n]; y = alpha * x
    void Scale(DeviceBuffer x, float alpha, int n, DeviceBuffer y);

    // a: [n]  b: [n]  y: [n]; y = a op b
    void Zip(BinaryOp op, DeviceBuffer a, DeviceBuffer b, int n, DeviceBuffer y);

    // x: [rows, cols]  bias: [cols]  y: [rows, cols]; y[r, c] = x[r, c] + bias[c]
    void AddBias(DeviceBuffer x, DeviceBuffer bias, int rows, int cols, DeviceBuffer y);

    // x: [rows, cols]  y: [rows, cols]; max-subtracted softmax of each row
    void Softmax(DeviceBuffer x, int rows, int cols, DeviceBuffer y);

    // x: [rows, cols] float  indices: [rows, k] int
    // The k largest of x[r, 0..valid), descending, ties to the lower index; in ascending index order when
    // ascendingIndices. Slots past min(k, valid) are -1. NaN ranks below every number (as in Sure.Tensors.TopK).
    void TopK(DeviceBuffer x, int rows, int cols, int valid, int k, bool ascendingIndices, DeviceBuffer indices);

    // rowPtr: [rows + 1] int  colIdx: [nnz] int  x: [*, d]  y: [rows, d]
    // y[v] = mean of x[u] over the neighbours u of v, 0 when v has none (Sparse.MeanAggregate)
    void MeanAggregate(DeviceBuffer rowPtr, DeviceBuffer colIdx, int rows, DeviceBuffer x, int d, DeviceBuffer y);

    // tRowPtr: [xRows + 1]  tColIdx: [nnz]: the transposed CSR (row u lists every v with u in N(v))
    // rowPtr: [rows + 1]: the forward CSR, for deg(v)  dy: [rows, d]  dx: [xRows, d], accumulated
    // dx[u] += sum over v listing u of dy[v] / deg(v) (Sparse.MeanAggregateBackward, as a gather: no atomics)
    void MeanAggregateBackward(DeviceBuffer tRowPtr, DeviceBuffer tColIdx, int xRows, DeviceBuffer rowPtr, int rows,
        DeviceBuffer dy, int d, DeviceBuffer dx);

    // x: [segStart[segments], d]  segStart: [segments + 1] int  y: [segments, d] (Sparse.SegmentMean)
    void SegmentMean(DeviceBuffer x, int d, DeviceBuffer segStart, int segments, DeviceBuffer y);

    // dy: [segments, d]  segStart: [segments + 1] int  dx: [xRows >= segStart[segments], d], accumulated:
    // dx[r] += dy[j] / len(j) for every row r of segment j (Sparse.SegmentMeanBackward); other rows untouched
    void SegmentMeanBackward(DeviceBuffer dy, int d, DeviceBuffer segStart, int segments, int xRows, DeviceBuffer dx);

    // x: [*, d]  index: [count] int  y: [count, d]; y[i] = x[index[i]]
    void GatherRows(DeviceBuffer x, int d, DeviceBuffer index, int count, DeviceBuffer y);

    // dy: [count, d]  inverse: the gather index as a CSR over target rows, invRowPtr: [xRows + 1],
    // invPos: [count] (row u lists every i with index[i] == u, ascending: GatherIndex.Invert)
    // dx: [xRows, d], accumulated: dx[index[i]] += dy[i] (Sparse.ScatterAddRows, as a gather: no atomics)
    void ScatterAddRows(DeviceBuffer dy, int d, DeviceBuffer invRowPtr, DeviceBuffer invPos, int xRows, DeviceBuffer dx);

    // y: [n] (Int32 for Bits, else Float32); y[i] = the draw at position offset + i of Sure.Tensors.Philox's
    // (seed, stream) sequence, the same numbers Philox.Bits / FillUniform / FillNormal / FillGumbel give
    void Random(RandomDraw draw, ulong seed, ulong stream, ulong offset, int n, DeviceBuffer y);

    // The fused steps of one SURE decision (SPEC 4 in evaluation mode; Models/Decision/DeviceDecider.cs strings them
    // together, docs/devices.md has the picture). Shapes use the SPEC's letters: tasks n, snapshots L, neighbour
    // slots K, anchors k1, neighbours per anchor k2, features D, hidden width H. decision: [DecisionScalars.Length]
    // int, see DecisionScalars.

    // features: [rows, d]  wMu, wSigma: [d]  bMu, bSigma: [1]  mu, sigma: [rows]
    // mu = sigmoid(x . wMu + bMu), sigma = softplus(x . wSigma + bSigma) + 1e-3 for every row x (SPEC 4.1)
    void NvssProject(DeviceBuffer features, int rows, int d, DeviceBuffer wMu, DeviceBuffer bMu, DeviceBuffer wSigma,
        DeviceBuffer bSigma, DeviceBuffer mu, DeviceBuffer sigma);

    // mu, sigma, x, y, omega: [n]; omega = ln(softplus(mu + sigma x) + 1e-6) + y (SPEC 4.1, noise given)
    void NvssOmega(DeviceBuffer mu, DeviceBuffer sigma, DeviceBuffer x, DeviceBuffer y, int n, DeviceBuffer omega);

    // mu, sigma: [L, tasks] (ring order: physical row r holds snapshot (r - oldest) mod L)
    // theta: [tasks, L] = Omega of slot 0 in time order (0 = oldest), noise drawn as Policy/Decision/DecisionNoise.cs
    void NvssTheta(DeviceBuffer mu, DeviceBuffer sigma, int tasks, int L, DeviceBuffer decision, DeviceBuffer theta);

    // mu, sigma: [L, tasks] ring order  slots: [tasks, K] neighbour task ids  valid: [tasks] K_i  anchors: [tasks, k1]
    // omega: [tasks, k1, K]: Omega of slot s of task i at its anchor j, for s < K_i and present anchors (others untouched)
    void NvssAnchorOmega(DeviceBuffer mu, DeviceBuffer sigma, DeviceBuffer slots, DeviceBuffer valid, DeviceBuffer anchors,
        int tasks, int L, int K, int k1, DeviceBuffer decision, DeviceBuffer omega);

    // omega: [tasks, k1, K] at the anchors, or [tasks, L, 1+K] at every snapshot when everySnapshot
    // valid: [tasks]  anchors: [tasks, k1]  neighbours: [tasks, k1, k2]
    // the min(k2, K_i) largest valid slots of each present anchor in ascending slot order, ties to the lower slot;
    // -1 after them and for absent anchors (-1)
    void ChooseNeighbours(DeviceBuffer omega, bool everySnapshot, DeviceBuffer valid, DeviceBuffer anchors,
        int tasks, int L, int K, int k1, int k2, DeviceBuffer neighbours);

    // anchors: [tasks, k1]  neighbours: [tasks, k1, k2]  slots: [tasks, K]  valid: [tasks]
    // linked: [tasks, K, ceil(K / 32)] int: bit t of row (i, s) set when slots s and t of task i share a DAG edge
    // taskStarts: [tasks + 1]: task i's nodes start at taskStarts[i], min(k1, L) (1 + min(k2, K_i)) of them
    // nodeRow: [nodes] feature row of each node: the ring row ((oldest + t) mod L) tasks + task when ring, else the
    // S row (i L + t)(1 + K) + slot; degree: [nodes]; adjacency: [nodes, 2 + min(k2, K)] neighbour nodes, first degree[v]
    // Nodes and edges in Policy/Decision/SubgraphSampler.cs's order (SPEC 4.3).
    void BuildSubgraphs(DeviceBuffer anchors, DeviceBuffer neighbours, DeviceBuffer slots, DeviceBuffer valid,
        DeviceBuffer linked, DeviceBuffer taskStarts, int tasks, int L, int K, int k1, int k2, bool ring,
        DeviceBuffer decision, DeviceBuffer nodeRow, DeviceBuffer degree, DeviceBuffer adjacency);

    // features: [*, d]  nodeRow, degree: [nodes]  adjacency: [nodes, cap]
    // input: [nodes, 2d], row v = [features[nodeRow[v]] ; mean over u in N(v) of features[nodeRow[u]]] (0 without neighbours)
    void SageInput(DeviceBuffer features, int d, DeviceBuffer nodeRow, DeviceBuffer degree, DeviceBuffer adjacency,
        int nodes, int cap, DeviceBuffer input);

    // y: [nodes, 2h] = h_prev @ [W_top | W_bot]  bias: [h]  degree: [nodes]  adjacency: [nodes, cap]  output: [nodes, h]
    // output[v] = relu(mean over u in N(v) of y[u, h:] + y[v, :h] + bias)
    void SageCombine(DeviceBuffer y, DeviceBuffer bias, int h, DeviceBuffer degree, DeviceBuffer adjacency,
        int nodes, int cap, DeviceBuffer output);

    // As SageCombine, then the mean over each task's nodes (the readout); taskStarts: [tasks + 1]  hg: [tasks, h]
    void SageCombineMean(DeviceBuffer y, DeviceBuffer bias, int h, DeviceBuffer degree, DeviceBuffer adjacency,
        int cap, DeviceBuffer taskStarts, int tasks, DeviceBuffer hg);

    // hg: [tasks, h]  weight: [h]  bias: [1]  actionMean: [tasks]; m_i = weight . hg_i + bias
    void ActionHead(DeviceBuffer hg, int h, int tasks, DeviceBuffer weight, DeviceBuffer bias, DeviceBuffer actionMean);

    // actionMean, parallelism, newParallelism: [tasks]; p' = clamp(round-half-even(2 sigmoid(m) p), 1, pMax), in float
    void Rescale(DeviceBuffer actionMean, DeviceBuffer parallelism, int tasks, int pMax, DeviceBuffer newParallelism);
}

/// <summary>
/// The per-decision values the decision ops read from a device buffer instead of their arguments, so that a captured
/// CUDA graph replays with the next decision's values: [oldest ring row, seed lo, seed hi, decision index lo, hi].
/// </summary>
public static class DecisionScalars
{
    public const int Length = 5;

    // words: [Length]
    public static void Write(Span<int> words, int oldest, ulong seed, ulong decisionIndex)
    {
        words[0] = oldest;
        words[1] = (int)(uint)seed;
        words[2] = (int)(uint)(seed >> 32);
        words[3] = (int)(uint)decisionIndex;
        words[4] = (int)(uint)(decisionIndex >> 32);
    }
}
