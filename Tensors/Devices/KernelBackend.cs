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
    /// <summary>Work-items per group of a 1-D launch (<see cref="LaunchLinear"/>).</summary>
    public const int LinearGroup = 64;

    /// <summary>A kernel argument: an int, a float, a 64-bit integer or a buffer handle, in the low Size bytes of Bits.</summary>
    public readonly struct KernelArg
    {
        internal readonly long Bits;
        internal readonly int Size;
        KernelArg(long bits, int size) { Bits = bits; Size = size; }
        public static implicit operator KernelArg(int v) => new(v, 4);
        public static implicit operator KernelArg(float v) => new(BitConverter.SingleToInt32Bits(v), 4);
        public static implicit operator KernelArg(ulong v) => new((long)v, 8);
        internal static KernelArg Handle(long handle, int size) => new(handle, size);
    }

    /// <summary>A kernel of a program compiled by <see cref="Compile"/>, launched with <see cref="Launch(DeviceKernel, ReadOnlySpan{int}, ReadOnlySpan{int}, ReadOnlySpan{KernelArg})"/>.</summary>
    public sealed class DeviceKernel
    {
        internal readonly KernelBackend Owner;
        internal readonly nint Handle;
        public string Name { get; }
        internal DeviceKernel(KernelBackend owner, nint handle, string name) => (Owner, Handle, Name) = (owner, handle, name);
    }

    /// <summary>A program compiled from a caller's source; it lives as long as the backend.</summary>
    public sealed class KernelProgram
    {
        readonly KernelBackend owner;
        readonly nint handle;
        internal KernelProgram(KernelBackend owner, nint handle) => (this.owner, this.handle) = (owner, handle);

        /// <summary>The kernel of that name; throws the runtime's error when the program defines none.</summary>
        public DeviceKernel Kernel(string name) => new(owner, owner.FindKernel(handle, name), name);
    }

    /// <summary>
    /// Builds kernel source of the caller's own (a model's ops) into a program of this backend: after the prelude
    /// (Kernels/Prelude.cs: KERNEL, GLOBAL, GLOBAL_ID...) and the device library (Kernels/Sources.cs's Library:
    /// philox_block, philox_uniform, topk_row), with the options of the backend's own kernels. Build once and keep the
    /// program: compiling is slow (NVRTC, PoCL), and every program is released only with the backend.
    /// </summary>
    public KernelProgram Compile(string source) => new(this, BuildProgram(source));

    /// <summary>Runs a kernel of <see cref="Compile"/>'s on global work-items per dimension, in groups of local.</summary>
    public void Launch(DeviceKernel kernel, ReadOnlySpan<int> global, ReadOnlySpan<int> local, params ReadOnlySpan<KernelArg> args)
    {
        if (kernel.Owner != this) throw new ArgumentException($"kernel {kernel.Name} belongs to another backend", nameof(kernel));
        Run(kernel.Handle, kernel.Name, global, local, args);
    }

    /// <summary>A 1-D launch of n work-items in groups of <see cref="LinearGroup"/>; the kernel checks i &lt; n.</summary>
    public void LaunchLinear(DeviceKernel kernel, int n, params ReadOnlySpan<KernelArg> args) => Launch(kernel, [n], [LinearGroup], args);

    /// <summary>The argument that passes a Float32 buffer of this backend (name: for the error when it is not one).</summary>
    public KernelArg FloatArg(DeviceBuffer b, [CallerArgumentExpression(nameof(b))] string name = "") => BufferArg(b, ElementType.Float32, name);

    /// <summary>The argument that passes an Int32 buffer of this backend.</summary>
    public KernelArg IntArg(DeviceBuffer b, [CallerArgumentExpression(nameof(b))] string name = "") => BufferArg(b, ElementType.Int32, name);

    /// <summary>The argument that passes buffer b, after checking that it belongs to this backend and holds type.</summary>
    protected abstract KernelArg BufferArg(DeviceBuffer b, ElementType type, string name);

    /// <summary>Builds prelude + <see cref="Sources.Library"/> + source; the program is released with the backend.</summary>
    protected abstract nint BuildProgram(string source);

    /// <summary>The named kernel of a program from <see cref="BuildProgram"/>, released with the backend.</summary>
    protected abstract nint FindKernel(nint program, string name);

    /// <summary>The named kernel of the backend's own program (Kernels/Sources.cs).</summary>
    protected abstract nint OwnKernel(string name);

    // global: work-items per dimension; the runtime runs ceil(global / local) groups of local work-items.
    protected abstract void Run(nint kernel, string name, ReadOnlySpan<int> global, ReadOnlySpan<int> local, ReadOnlySpan<KernelArg> args);

    void Launch(string name, ReadOnlySpan<int> global, ReadOnlySpan<int> local, params ReadOnlySpan<KernelArg> args) =>
        Run(OwnKernel(name), name, global, local, args);

    void Linear(string name, int n, params ReadOnlySpan<KernelArg> args) => Launch(name, [n], [LinearGroup], args);

    public void Gemm(DeviceBuffer a, bool transA, DeviceBuffer b, bool transB, int m, int n, int k, bool accumulate, DeviceBuffer c)
    {
        CpuBackend.CheckGemm(a, b, c, m, n, k);
        const int block = Sources.GemmBlock;
        Launch("gemm_f32", [(n + block - 1) / block, (m + block - 1) / block], [Sources.GemmTile, Sources.GemmTile],
            m, n, k, transA ? 1 : 0, transB ? 1 : 0, accumulate ? 1 : 0, FloatArg(a), FloatArg(b), FloatArg(c));
    }

    public void Map(UnaryOp op, DeviceBuffer x, int n, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(n, x, y);
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
        Linear(name, n, n, FloatArg(x), FloatArg(y));
    }

    public void Scale(DeviceBuffer x, float alpha, int n, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(n, x, y);
        Linear("scale_f32", n, n, alpha, FloatArg(x), FloatArg(y));
    }

    public void Zip(BinaryOp op, DeviceBuffer a, DeviceBuffer b, int n, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(n, a, b, y);
        var name = op switch
        {
            BinaryOp.Add => "add_f32",
            BinaryOp.Mul => "mul_f32",
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        Linear(name, n, n, FloatArg(a), FloatArg(b), FloatArg(y));
    }

    public void AddBias(DeviceBuffer x, DeviceBuffer bias, int rows, int cols, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(rows * cols, x, y);
        DeviceBuffer.CheckElements(cols, bias);
        Linear("add_bias_f32", rows * cols, rows, cols, FloatArg(x), FloatArg(bias), FloatArg(y));
    }

    public void Softmax(DeviceBuffer x, int rows, int cols, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(rows * cols, x, y);
        if (cols == 0) return;
        Launch("softmax_rows_f32", [rows * Sources.RowGroup], [Sources.RowGroup], rows, cols, FloatArg(x), FloatArg(y));
    }

    public void TopK(DeviceBuffer x, int rows, int cols, int valid, int k, bool ascendingIndices, DeviceBuffer indices)
    {
        DeviceBuffer.CheckElements(rows * cols, x);
        DeviceBuffer.CheckElements(rows * k, indices);
        Linear("topk_rows_f32", rows, rows, cols, valid, k, ascendingIndices ? 1 : 0, FloatArg(x), IntArg(indices));
    }

    public void MeanAggregate(DeviceBuffer rowPtr, DeviceBuffer colIdx, int rows, DeviceBuffer x, int d, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(rows + 1, rowPtr);
        DeviceBuffer.CheckElements(rows * d, y);
        Linear("csr_mean_f32", rows * d, rows, d, IntArg(rowPtr), IntArg(colIdx), FloatArg(x), FloatArg(y));
    }

    public void MeanAggregateBackward(DeviceBuffer tRowPtr, DeviceBuffer tColIdx, int xRows, DeviceBuffer rowPtr, int rows,
        DeviceBuffer dy, int d, DeviceBuffer dx)
    {
        DeviceBuffer.CheckElements(xRows + 1, tRowPtr);
        DeviceBuffer.CheckElements(rows + 1, rowPtr);
        DeviceBuffer.CheckElements(rows * d, dy);
        DeviceBuffer.CheckElements(xRows * d, dx);
        Linear("csr_mean_backward_f32", xRows * d, xRows, d, IntArg(tRowPtr), IntArg(tColIdx), IntArg(rowPtr), FloatArg(dy), FloatArg(dx));
    }

    public void SegmentMean(DeviceBuffer x, int d, DeviceBuffer segStart, int segments, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(segments + 1, segStart);
        DeviceBuffer.CheckElements(segments * d, y);
        Linear("segment_mean_f32", segments * d, segments, d, IntArg(segStart), FloatArg(x), FloatArg(y));
    }

    public void SegmentMeanBackward(DeviceBuffer dy, int d, DeviceBuffer segStart, int segments, int xRows, DeviceBuffer dx)
    {
        DeviceBuffer.CheckElements(segments + 1, segStart);
        DeviceBuffer.CheckElements(segments * d, dy);
        DeviceBuffer.CheckElements(xRows * d, dx);
        if (segments == 0) return;
        Linear("segment_mean_backward_f32", xRows * d, segments, d, xRows, IntArg(segStart), FloatArg(dy), FloatArg(dx));
    }

    public void GatherRows(DeviceBuffer x, int d, DeviceBuffer index, int count, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(count, index);
        DeviceBuffer.CheckElements(count * d, y);
        Linear("gather_rows_f32", count * d, count, d, IntArg(index), FloatArg(x), FloatArg(y));
    }

    public void ScatterAddRows(DeviceBuffer dy, int d, DeviceBuffer invRowPtr, DeviceBuffer invPos, int xRows, DeviceBuffer dx)
    {
        DeviceBuffer.CheckElements(xRows + 1, invRowPtr);
        DeviceBuffer.CheckElements(xRows * d, dx);
        Linear("scatter_add_rows_f32", xRows * d, xRows, d, IntArg(invRowPtr), IntArg(invPos), FloatArg(dy), FloatArg(dx));
    }

    public void Axpy(float alpha, DeviceBuffer x, int n, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(n, x, y);
        Linear("axpy_f32", n, n, alpha, FloatArg(x), FloatArg(y));
    }

    public void MultiplyAdd(DeviceBuffer a, DeviceBuffer b, int n, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(n, a, b, y);
        Linear("mul_add_f32", n, n, FloatArg(a), FloatArg(b), FloatArg(y));
    }

    public void Fill(float value, int n, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(n, y);
        Linear("fill_f32", n, n, value, FloatArg(y));
    }

    public void MapBackward(UnaryOp op, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, int n, DeviceBuffer dx)
    {
        DeviceBuffer.CheckElements(n, x, y, dy, dx);
        if (!Enum.IsDefined(op)) throw new ArgumentOutOfRangeException(nameof(op));
        Linear("map_backward_f32", n, n, (int)op, FloatArg(x), FloatArg(y), FloatArg(dy), FloatArg(dx));
    }

    public void SoftmaxBackward(DeviceBuffer y, DeviceBuffer dy, int rows, int cols, DeviceBuffer dx)
    {
        DeviceBuffer.CheckElements(rows * cols, y, dy, dx);
        Linear("softmax_backward_f32", rows, rows, cols, FloatArg(y), FloatArg(dy), FloatArg(dx));
    }

    public void CopyBlock(DeviceBuffer src, int srcOffset, int srcStride, int rows, int cols, int dstOffset, int dstStride,
        bool accumulate, DeviceBuffer dst)
    {
        CpuBackend.CheckBlock(src, srcOffset, srcStride, rows, cols);
        CpuBackend.CheckBlock(dst, dstOffset, dstStride, rows, cols);
        Linear("copy_block_f32", rows * cols, rows, cols, srcOffset, srcStride, dstOffset, dstStride, accumulate ? 1 : 0,
            FloatArg(src), FloatArg(dst));
    }

    public void AdamStep(DeviceBuffer g, int n, float beta1, float beta2, float eps, float stepSize, float invSqrtCorrection2,
        DeviceBuffer m, DeviceBuffer v, DeviceBuffer p)
    {
        DeviceBuffer.CheckElements(n, g, m, v, p);
        Linear("adam_f32", n, n, beta1, beta2, eps, stepSize, invSqrtCorrection2, FloatArg(g), FloatArg(m), FloatArg(v), FloatArg(p));
    }

    public void Random(RandomDraw draw, ulong seed, ulong stream, ulong offset, int n, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(n, y);
        if (draw == RandomDraw.Bits) Linear("philox_bits", n, n, seed, stream, offset, IntArg(y));
        else if (draw is RandomDraw.Uniform or RandomDraw.Gaussian or RandomDraw.Gumbel)
            Linear("philox_float", n, (int)draw, n, seed, stream, offset, FloatArg(y));
        else throw new ArgumentOutOfRangeException(nameof(draw));
    }
}
