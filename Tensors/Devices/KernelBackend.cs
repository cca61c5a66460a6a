using System.Runtime.CompilerServices;
using Sure.Tensors.Devices.Kernels;

namespace Sure.Tensors.Devices;

/// <summary>
/// The ops of every backend that runs the shared kernel sources (Kernels/Sources.cs): each op checks its arguments
/// and launches its kernel with the same geometry, so OpenCL and CUDA run one algorithm. A runtime supplies the
/// buffer handles and the launch itself.
/// </summary>
public abstract class KernelBackend
{
    protected const int LinearGroup = 64;

    /// <summary>A kernel argument: an int, a float, a 64-bit integer or a buffer handle, in the low Size bytes of Bits.</summary>
    protected readonly struct KernelArg
    {
        public readonly long Bits;
        public readonly int Size;
        KernelArg(long bits, int size) { Bits = bits; Size = size; }
        public static implicit operator KernelArg(int v) => new(v, 4);
        public static implicit operator KernelArg(float v) => new(BitConverter.SingleToInt32Bits(v), 4);
        public static implicit operator KernelArg(ulong v) => new((long)v, 8);
        public static KernelArg Handle(long handle, int size) => new(handle, size);
    }

    /// <summary>The argument that passes buffer b, after checking that it belongs to this backend and holds type.</summary>
    protected abstract KernelArg BufferArg(DeviceBuffer b, ElementType type, string name);

    // global: work-items per dimension; the runtime runs ceil(global / local) groups of local work-items.
    protected abstract void Launch(string name, ReadOnlySpan<int> global, ReadOnlySpan<int> local, params ReadOnlySpan<KernelArg> args);

    KernelArg F(DeviceBuffer b, [CallerArgumentExpression(nameof(b))] string name = "") => BufferArg(b, ElementType.Float32, name);
    KernelArg I(DeviceBuffer b, [CallerArgumentExpression(nameof(b))] string name = "") => BufferArg(b, ElementType.Int32, name);

    void Linear(string name, int n, params ReadOnlySpan<KernelArg> args) => Launch(name, [n], [LinearGroup], args);

    public void Gemm(DeviceBuffer a, bool transA, DeviceBuffer b, bool transB, int m, int n, int k, bool accumulate, DeviceBuffer c)
    {
        CpuBackend.CheckGemm(a, b, c, m, n, k);
        const int block = Sources.GemmBlock;
        Launch("gemm_f32", [(n + block - 1) / block, (m + block - 1) / block], [Sources.GemmTile, Sources.GemmTile],
            m, n, k, transA ? 1 : 0, transB ? 1 : 0, accumulate ? 1 : 0, F(a), F(b), F(c));
    }

    public void Map(UnaryOp op, DeviceBuffer x, int n, DeviceBuffer y)
    {
        CpuBackend.CheckElements(n, x, y);
        var name = op switch
        {
            UnaryOp.Sigmoid => "sigmoid_f32",
            UnaryOp.Softplus => "softplus_f32",
            UnaryOp.Relu => "relu_f32",
            UnaryOp.Tanh => "tanh_f32",
            UnaryOp.Exp => "exp_f32",
            UnaryOp.Log => "log_f32",
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        Linear(name, n, n, F(x), F(y));
    }

    public void Scale(DeviceBuffer x, float alpha, int n, DeviceBuffer y)
    {
        CpuBackend.CheckElements(n, x, y);
        Linear("scale_f32", n, n, alpha, F(x), F(y));
    }

    public void Zip(BinaryOp op, DeviceBuffer a, DeviceBuffer b, int n, DeviceBuffer y)
    {
        CpuBackend.CheckElements(n, a, b, y);
        var name = op switch
        {
            BinaryOp.Add => "add_f32",
            BinaryOp.Mul => "mul_f32",
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        Linear(name, n, n, F(a), F(b), F(y));
    }

    public void AddBias(DeviceBuffer x, DeviceBuffer bias, int rows, int cols, DeviceBuffer y)
    {
        CpuBackend.CheckElements(rows * cols, x, y);
        CpuBackend.CheckElements(cols, bias);
        Linear("add_bias_f32", rows * cols, rows, cols, F(x), F(bias), F(y));
    }

    public void Softmax(DeviceBuffer x, int rows, int cols, DeviceBuffer y)
    {
        CpuBackend.CheckElements(rows * cols, x, y);
        if (cols == 0) return;
        Launch("softmax_rows_f32", [rows * Sources.RowGroup], [Sources.RowGroup], rows, cols, F(x), F(y));
    }

    public void TopK(DeviceBuffer x, int rows, int cols, int valid, int k, bool ascendingIndices, DeviceBuffer indices)
    {
        CpuBackend.CheckElements(rows * cols, x);
        CpuBackend.CheckElements(rows * k, indices);
        Linear("topk_rows_f32", rows, rows, cols, valid, k, ascendingIndices ? 1 : 0, F(x), I(indices));
    }

    public void MeanAggregate(DeviceBuffer rowPtr, DeviceBuffer colIdx, int rows, DeviceBuffer x, int d, DeviceBuffer y)
    {
        CpuBackend.CheckElements(rows + 1, rowPtr);
        CpuBackend.CheckElements(rows * d, y);
        Linear("csr_mean_f32", rows * d, rows, d, I(rowPtr), I(colIdx), F(x), F(y));
    }

    public void MeanAggregateBackward(DeviceBuffer tRowPtr, DeviceBuffer tColIdx, int xRows, DeviceBuffer rowPtr, int rows,
        DeviceBuffer dy, int d, DeviceBuffer dx)
    {
        CpuBackend.CheckElements(xRows + 1, tRowPtr);
        CpuBackend.CheckElements(rows + 1, rowPtr);
        CpuBackend.CheckElements(rows * d, dy);
        CpuBackend.CheckElements(xRows * d, dx);
        Linear("csr_mean_backward_f32", xRows * d, xRows, d, I(tRowPtr), I(tColIdx), I(rowPtr), F(dy), F(dx));
    }

    public void SegmentMean(DeviceBuffer x, int d, DeviceBuffer segStart, int segments, DeviceBuffer y)
    {
        CpuBackend.CheckElements(segments + 1, segStart);
        CpuBackend.CheckElements(segments * d, y);
        Linear("segment_mean_f32", segments * d, segments, d, I(segStart), F(x), F(y));
    }

    public void SegmentMeanBackward(DeviceBuffer dy, int d, DeviceBuffer segStart, int segments, int xRows, DeviceBuffer dx)
    {
        CpuBackend.CheckElements(segments + 1, segStart);
        CpuBackend.CheckElements(segments * d, dy);
        CpuBackend.CheckElements(xRows * d, dx);
        if (segments == 0) return;
        Linear("segment_mean_backward_f32", xRows * d, segments, d, xRows, I(segStart), F(dy), F(dx));
    }

    public void GatherRows(DeviceBuffer x, int d, DeviceBuffer index, int count, DeviceBuffer y)
    {
        CpuBackend.CheckElements(count, index);
        CpuBackend.CheckElements(count * d, y);
        Linear("gather_rows_f32", count * d, count, d, I(index), F(x), F(y));
    }

    public void ScatterAddRows(DeviceBuffer dy, int d, DeviceBuffer invRowPtr, DeviceBuffer invPos, int xRows, DeviceBuffer dx)
    {
        CpuBackend.CheckElements(xRows + 1, invRowPtr);
        CpuBackend.CheckElements(xRows * d, dx);
        Linear("scatter_add_rows_f32", xRows * d, xRows, d, I(invRowPtr), I(invPos), F(dy), F(dx));
    }

    public void Random(RandomDraw draw, ulong seed, ulong stream, ulong offset, int n, DeviceBuffer y)
    {
        CpuBackend.CheckElements(n, y);
        if (draw == RandomDraw.Bits) Linear("philox_bits", n, n, seed, stream, offset, I(y));
        else if (draw is RandomDraw.Uniform or RandomDraw.Gaussian or RandomDraw.Gumbel)
            Linear("philox_float", n, (int)draw, n, seed, stream, offset, F(y));
        else throw new ArgumentOutOfRangeException(nameof(draw));
    }
    // The decision ops: Kernels/Decision.cs; shapes in IComputeBackend.

    public void NvssProject(DeviceBuffer features, int rows, int d, DeviceBuffer wMu, DeviceBuffer bMu, DeviceBuffer wSigma,
        DeviceBuffer bSigma, DeviceBuffer mu, DeviceBuffer sigma)
    {
        CpuBackend.CheckElements(rows * d, features);
        CpuBackend.CheckElements(d, wMu, wSigma);
        CpuBackend.CheckElements(1, bMu, bSigma);
        CpuBackend.CheckElements(rows, mu, sigma);
        Linear("sure_nvss_project", rows, rows, d, F(features), F(wMu), F(bMu), F(wSigma), F(bSigma), F(mu), F(sigma));
    }

    public void NvssOmega(DeviceBuffer mu, DeviceBuffer sigma, DeviceBuffer x, DeviceBuffer y, int n, DeviceBuffer omega)
    {
        CpuBackend.CheckElements(n, mu, sigma, x, y, omega);
        Linear("sure_nvss_omega", n, n, F(mu), F(sigma), F(x), F(y), F(omega));
    }

    public void NvssTheta(DeviceBuffer mu, DeviceBuffer sigma, int tasks, int L, DeviceBuffer decision, DeviceBuffer theta)
    {
        CpuBackend.CheckElements(L * tasks, mu, sigma, theta);
        CpuBackend.CheckElements(DecisionScalars.Length, decision);
        Linear("sure_nvss_theta", tasks * L, tasks, L, I(decision), F(mu), F(sigma), F(theta));
    }

    public void NvssAnchorOmega(DeviceBuffer mu, DeviceBuffer sigma, DeviceBuffer slots, DeviceBuffer valid, DeviceBuffer anchors,
        int tasks, int L, int K, int k1, DeviceBuffer decision, DeviceBuffer omega)
    {
        CpuBackend.CheckElements(L * tasks, mu, sigma);
        CpuBackend.CheckElements(tasks * K, slots);
        CpuBackend.CheckElements(tasks, valid);
        CpuBackend.CheckElements(tasks * k1, anchors);
        CpuBackend.CheckElements(tasks * k1 * K, omega);
        CpuBackend.CheckElements(DecisionScalars.Length, decision);
        Linear("sure_nvss_anchor_omega", tasks * k1 * K, tasks, L, K, k1, I(decision), I(slots), I(valid), I(anchors),
            F(mu), F(sigma), F(omega));
    }

    public void ChooseNeighbours(DeviceBuffer omega, bool everySnapshot, DeviceBuffer valid, DeviceBuffer anchors,
        int tasks, int L, int K, int k1, int k2, DeviceBuffer neighbours)
    {
        CpuBackend.CheckElements(everySnapshot ? tasks * L * (1 + K) : tasks * k1 * K, omega);
        CpuBackend.CheckElements(tasks, valid);
        CpuBackend.CheckElements(tasks * k1, anchors);
        CpuBackend.CheckElements(tasks * k1 * k2, neighbours);
        if (k2 == 0) return;
        Linear("sure_choose_neighbours", tasks * k1, tasks, L, K, k1, k2, everySnapshot ? 1 : 0, I(valid), I(anchors),
            F(omega), I(neighbours));
    }

    public void BuildSubgraphs(DeviceBuffer anchors, DeviceBuffer neighbours, DeviceBuffer slots, DeviceBuffer valid,
        DeviceBuffer linked, DeviceBuffer taskStarts, int tasks, int L, int K, int k1, int k2, bool ring,
        DeviceBuffer decision, DeviceBuffer nodeRow, DeviceBuffer degree, DeviceBuffer adjacency)
    {
        CpuBackend.CheckSubgraphs(anchors, neighbours, slots, valid, linked, taskStarts, tasks, K, k1, k2, decision);
        Linear("sure_build_subgraphs", tasks * k1, tasks, L, K, k1, k2, ring ? 1 : 0, I(decision), I(slots), I(valid),
            I(linked), I(taskStarts), I(anchors), I(neighbours), I(nodeRow), I(degree), I(adjacency));
    }

    public void SageInput(DeviceBuffer features, int d, DeviceBuffer nodeRow, DeviceBuffer degree, DeviceBuffer adjacency,
        int nodes, int cap, DeviceBuffer input)
    {
        CpuBackend.CheckElements(nodes, nodeRow, degree);
        CpuBackend.CheckElements(nodes * cap, adjacency);
        CpuBackend.CheckElements(nodes * 2 * d, input);
        Linear("sure_sage_input", nodes * 2 * d, nodes, d, cap, I(nodeRow), I(degree), I(adjacency), F(features), F(input));
    }

    public void SageCombine(DeviceBuffer y, DeviceBuffer bias, int h, DeviceBuffer degree, DeviceBuffer adjacency,
        int nodes, int cap, DeviceBuffer output)
    {
        CpuBackend.CheckElements(nodes * 2 * h, y);
        CpuBackend.CheckElements(h, bias);
        CpuBackend.CheckElements(nodes, degree);
        CpuBackend.CheckElements(nodes * cap, adjacency);
        CpuBackend.CheckElements(nodes * h, output);
        Linear("sure_sage_combine", nodes * h, nodes, h, cap, I(degree), I(adjacency), F(y), F(bias), F(output));
    }

    public void SageCombineMean(DeviceBuffer y, DeviceBuffer bias, int h, DeviceBuffer degree, DeviceBuffer adjacency,
        int cap, DeviceBuffer taskStarts, int tasks, DeviceBuffer hg)
    {
        CpuBackend.CheckElements(h, bias);
        CpuBackend.CheckElements(tasks + 1, taskStarts);
        CpuBackend.CheckElements(tasks * h, hg);
        Linear("sure_sage_combine_mean", tasks * h, tasks, h, cap, I(taskStarts), I(degree), I(adjacency), F(y), F(bias), F(hg));
    }

    public void ActionHead(DeviceBuffer hg, int h, int tasks, DeviceBuffer weight, DeviceBuffer bias, DeviceBuffer actionMean)
    {
        CpuBackend.CheckElements(tasks * h, hg);
        CpuBackend.CheckElements(h, weight);
        CpuBackend.CheckElements(1, bias);
        CpuBackend.CheckElements(tasks, actionMean);
        Linear("sure_action_head", tasks, tasks, h, F(hg), F(weight), F(bias), F(actionMean));
    }

    public void Rescale(DeviceBuffer actionMean, DeviceBuffer parallelism, int tasks, int pMax, DeviceBuffer newParallelism)
    {
        CpuBackend.CheckElements(tasks, actionMean, parallelism, newParallelism);
        Linear("sure_rescale", tasks, tasks, pMax, F(actionMean), I(parallelism), I(newParallelism));
    }
}
