using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using K = Sure.Tensors.Devices.Ilgpu.IlgpuKernels;

namespace Sure.Tensors.Devices.Ilgpu;

/// <summary>Which ILGPU accelerator a backend drives.</summary>
public enum IlgpuTarget { Cpu, Cuda, OpenCl }

/// <summary>
/// <see cref="IComputeBackend"/> on ILGPU: buffers are ILGPU memory buffers, ops are the C# kernels of
/// <see cref="IlgpuKernels"/>, loaded on first use and launched on the accelerator's default stream, in order. A model
/// runs kernels of its own through <see cref="Accelerator"/>, <see cref="FloatView"/>, <see cref="IntView"/> and
/// <see cref="Serialise"/>. "ilgpu-cpu" is ILGPU's CPU accelerator, a simulator of a GPU that runs
/// everywhere, so CI runs every kernel through ILGPU; "ilgpu-cuda" and "ilgpu-opencl" need a device ILGPU accepts.
/// </summary>
public sealed class IlgpuBackend : IComputeBackend
{
    readonly Context context;
    readonly Accelerator accelerator;
    // ILGPU's accelerators take one launch at a time (the CPU accelerator keeps the running task in shared fields), while
    // IComputeBackend may be called from several threads (the test suite shares one backend): every call is serialised.
    readonly Lock gate = new();

    public string Name { get; }
    public string Device { get; }

    IlgpuBackend(Context context, Accelerator accelerator, string name)
    {
        this.context = context;
        this.accelerator = accelerator;
        Name = name;
        Device = $"ILGPU {typeof(Context).Assembly.GetName().Version?.ToString(3)} {accelerator.AcceleratorType}: {accelerator.Name} "
            + $"({accelerator.NumMultiprocessors} multiprocessors, warp {accelerator.WarpSize}, up to {accelerator.MaxNumThreadsPerGroup} threads per group)";
    }

    public static string NameOf(IlgpuTarget target) => target switch
    {
        IlgpuTarget.Cpu => "ilgpu-cpu",
        IlgpuTarget.Cuda => "ilgpu-cuda",
        _ => "ilgpu-opencl",
    };

    /// <summary>Creates the backend on the first device of the target, or says why there is none.</summary>
    public static bool TryCreate(IlgpuTarget target, out IComputeBackend? backend, out string reason)
    {
        backend = null;
        reason = "";
        Context? context = null;
        try
        {
            // EnableAlgorithms(): ILGPU's PTX and OpenCL backends have no MathF.Exp, Log, Tanh... of their own
            // ("'ExpF' does not have an intrinsic implementation for this backend"); ILGPU.Algorithms supplies them. They
            // are PTX's .approx instructions, not correctly rounded (docs/devices.md, "PTX without a GPU").
            context = Context.Create(builder =>
            {
                builder.EnableAlgorithms();
                _ = target switch
                {
                    IlgpuTarget.Cpu => builder.CPU(),
                    IlgpuTarget.Cuda => builder.Cuda(),
                    // Every OpenCL device, not only those ILGPU calls compatible: creating the accelerator then says
                    // what a device lacks (PoCL 3.1: "GenericAddressSpace feature is not supported on this device").
                    _ => builder.OpenCL(_ => true),
                };
            });
            Accelerator? accelerator = target switch
            {
                IlgpuTarget.Cpu => context.CreateCPUAccelerator(0),
                IlgpuTarget.Cuda => context.GetCudaDevices().Count > 0 ? context.CreateCudaAccelerator(0) : null,
                _ => context.GetCLDevices().Count > 0 ? context.CreateCLAccelerator(0) : null,
            };
            if (accelerator is null)
            {
                reason = target == IlgpuTarget.Cuda
                    ? "ILGPU found no CUDA device (it needs an NVIDIA driver's libcuda; not NVRTC)"
                    : "ILGPU found no OpenCL platform (on Linux it loads the ICD loader by the name libOpenCL.so, which "
                      + "Debian ships in ocl-icd-opencl-dev, not in ocl-icd-libopencl1)";
                context.Dispose();
                return false;
            }
            backend = new IlgpuBackend(context, accelerator, NameOf(target));
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A missing native runtime surfaces as DllNotFoundException, TypeInitializationException or an ILGPU
            // exception, depending on where ILGPU first touches it: all are reasons, not failures.
            context?.Dispose();
            reason = $"ILGPU {NameOf(target)}: {e.GetType().Name}: {e.Message}";
            return false;
        }
    }

    sealed class IlgpuBuffer(ElementType type, int length, MemoryBuffer1D<float, Stride1D.Dense>? floats,
        MemoryBuffer1D<int, Stride1D.Dense>? ints) : DeviceBuffer(type, length)
    {
        public readonly MemoryBuffer1D<float, Stride1D.Dense>? Floats = floats;
        public readonly MemoryBuffer1D<int, Stride1D.Dense>? Ints = ints;

        protected override void Release()
        {
            Floats?.Dispose();
            Ints?.Dispose();
        }
    }

    public DeviceBuffer Allocate(ElementType type, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        // ILGPU refuses empty buffers; one spare element keeps a zero-length buffer usable as an argument.
        long size = Math.Max(1, length);
        return type == ElementType.Float32
            ? new IlgpuBuffer(type, length, accelerator.Allocate1D<float>(size), null)
            : new IlgpuBuffer(type, length, null, accelerator.Allocate1D<int>(size));
    }

    IlgpuBuffer Own(DeviceBuffer buffer, ElementType type, string argument)
    {
        if (buffer is not IlgpuBuffer b || (b.Floats?.Accelerator ?? b.Ints!.Accelerator) != accelerator)
            throw new ArgumentException($"{argument} belongs to another backend", argument);
        ObjectDisposedException.ThrowIf(b.IsDisposed, b);
        if (b.Type != type) throw new ArgumentException($"{argument} holds {b.Type}, expected {type}", argument);
        return b;
    }

    /// <summary>The accelerator, for loading a model's own kernels (load once, launch under <see cref="Serialise"/>).</summary>
    public Accelerator Accelerator => accelerator;

    /// <summary>
    /// Holds this backend's lock until disposed: launch a model's own kernels inside it, since ILGPU's accelerators take
    /// one launch at a time and the backend's ops take the same lock.
    /// </summary>
    public Lock.Scope Serialise() => gate.EnterScope();

    /// <summary>The view a kernel takes of a Float32 buffer of this backend (name: for the error when it is not one).</summary>
    public ArrayView<float> FloatView(DeviceBuffer b, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(b))] string name = "") =>
        Own(b, ElementType.Float32, name).Floats!.View;

    /// <summary>The view a kernel takes of an Int32 buffer of this backend.</summary>
    public ArrayView<int> IntView(DeviceBuffer b, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(b))] string name = "") =>
        Own(b, ElementType.Int32, name).Ints!.View;

    public void Upload<T>(ReadOnlySpan<T> source, DeviceBuffer destination) where T : unmanaged
    {
        using var serialised = Serialise();
        var b = Own(destination, CpuBackend.ElementOf<T>(), nameof(destination));
        CpuBackend.CheckLength(source.Length, b.Length, nameof(source));
        if (source.IsEmpty) return;
        if (b.Floats is { } floats) ((ArrayView<float>)floats.View).SubView(0, source.Length).CopyFromCPU(MemoryMarshal.Cast<T, float>(source));
        else ((ArrayView<int>)b.Ints!.View).SubView(0, source.Length).CopyFromCPU(MemoryMarshal.Cast<T, int>(source));
    }

    public void Download<T>(DeviceBuffer source, Span<T> destination) where T : unmanaged
    {
        using var serialised = Serialise();
        var b = Own(source, CpuBackend.ElementOf<T>(), nameof(source));
        CpuBackend.CheckLength(destination.Length, b.Length, nameof(destination));
        if (destination.IsEmpty) return;
        if (b.Floats is { } floats) ((ArrayView<float>)floats.View).SubView(0, destination.Length).CopyToCPU(MemoryMarshal.Cast<T, float>(destination));
        else ((ArrayView<int>)b.Ints!.View).SubView(0, destination.Length).CopyToCPU(MemoryMarshal.Cast<T, int>(destination));
    }

    public void Synchronize()
    {
        using var serialised = Serialise();
        accelerator.Synchronize();
    }

    // Kernels are compiled on first use (ILGPU compiles per accelerator) and kept.
    Action<Index1D, int, int, int, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>? gemm;
    Action<Index1D, int, ArrayView<float>, ArrayView<float>>? map;
    Action<Index1D, float, ArrayView<float>, ArrayView<float>>? scale;
    Action<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>? zip, addBias;
    Action<Index1D, int, ArrayView<float>, ArrayView<float>>? softmax;
    Action<Index1D, int, int, int, int, ArrayView<float>, ArrayView<int>>? topK;
    Action<Index1D, int, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>>? meanAggregate;
    Action<Index1D, int, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>>? meanAggregateBackward;
    Action<Index1D, int, ArrayView<int>, ArrayView<float>, ArrayView<float>>? segmentMean, gatherRows;
    Action<Index1D, int, int, ArrayView<int>, ArrayView<float>, ArrayView<float>>? segmentMeanBackward;
    Action<Index1D, int, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>>? scatterAddRows;
    Action<Index1D, ulong, ulong, ulong, ArrayView<int>>? philoxBits;
    Action<Index1D, int, ulong, ulong, ulong, ArrayView<float>>? philoxFloat;
    Action<Index1D, float, ArrayView<float>, ArrayView<float>>? axpy;
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>? multiplyAdd;
    Action<Index1D, float, ArrayView<float>>? fill;
    Action<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? mapBackward;
    Action<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>? softmaxBackward;
    Action<Index1D, int, int, int, int, int, int, ArrayView<float>, ArrayView<float>>? copyBlock;
    Action<Index1D, float, float, float, float, float, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? adamStep;

    public void Gemm(DeviceBuffer a, bool transA, DeviceBuffer b, bool transB, int m, int n, int k, bool accumulate, DeviceBuffer c)
    {
        using var serialised = Serialise();
        CpuBackend.CheckGemm(a, b, c, m, n, k);
        if (m * n == 0) return;
        (gemm ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, int, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(K.Gemm))(
            m * n, m, n, k, transA ? 1 : 0, transB ? 1 : 0, accumulate ? 1 : 0, FloatView(a), FloatView(b), FloatView(c));
    }

    public void Map(UnaryOp op, DeviceBuffer x, int n, DeviceBuffer y)
    {
        using var serialised = Serialise();
        DeviceBuffer.CheckElements(n, x, y);
        if (!Enum.IsDefined(op)) throw new ArgumentOutOfRangeException(nameof(op));
        if (n == 0) return;
        (map ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>>(K.Map))(n, (int)op, FloatView(x), FloatView(y));
    }

    public void Scale(DeviceBuffer x, float alpha, int n, DeviceBuffer y)
    {
        using var serialised = Serialise();
        DeviceBuffer.CheckElements(n, x, y);
        if (n == 0) return;
        (scale ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, float, ArrayView<float>, ArrayView<float>>(K.Scale))(n, alpha, FloatView(x), FloatView(y));
    }

    public void Zip(BinaryOp op, DeviceBuffer a, DeviceBuffer b, int n, DeviceBuffer y)
    {
        using var serialised = Serialise();
        DeviceBuffer.CheckElements(n, a, b, y);
        if (!Enum.IsDefined(op)) throw new ArgumentOutOfRangeException(nameof(op));
        if (n == 0) return;
        (zip ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(K.Zip))(
            n, (int)op, FloatView(a), FloatView(b), FloatView(y));
    }

    public void AddBias(DeviceBuffer x, DeviceBuffer bias, int rows, int cols, DeviceBuffer y)
    {
        using var serialised = Serialise();
        DeviceBuffer.CheckElements(rows * cols, x, y);
        DeviceBuffer.CheckElements(cols, bias);
        if (rows * cols == 0) return;
        (addBias ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(K.AddBias))(
            rows * cols, cols, FloatView(x), FloatView(bias), FloatView(y));
    }

    public void Softmax(DeviceBuffer x, int rows, int cols, DeviceBuffer y)
    {
        using var serialised = Serialise();
        DeviceBuffer.CheckElements(rows * cols, x, y);
        if (rows * cols == 0) return;
        (softmax ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>>(K.Softmax))(rows, cols, FloatView(x), FloatView(y));
    }

    public void TopK(DeviceBuffer x, int rows, int cols, int valid, int k, bool ascendingIndices, DeviceBuffer indices)
    {
        using var serialised = Serialise();
        DeviceBuffer.CheckElements(rows * cols, x);
        DeviceBuffer.CheckElements(rows * k, indices);
        if (rows * k == 0) return;
        (topK ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, int, int, ArrayView<float>, ArrayView<int>>(K.TopK))(
            rows, cols, valid, k, ascendingIndices ? 1 : 0, FloatView(x), IntView(indices));
    }

    public void MeanAggregate(DeviceBuffer rowPtr, DeviceBuffer colIdx, int rows, DeviceBuffer x, int d, DeviceBuffer y)
    {
        using var serialised = Serialise();
        DeviceBuffer.CheckElements(rows + 1, rowPtr);
        DeviceBuffer.CheckElements(rows * d, y);
        if (rows * d == 0) return;
        (meanAggregate ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>>(
            K.MeanAggregate))(rows * d, d, IntView(rowPtr), IntView(colIdx), FloatView(x), FloatView(y));
    }

    public void MeanAggregateBackward(DeviceBuffer tRowPtr, DeviceBuffer tColIdx, int xRows, DeviceBuffer rowPtr, int rows,
        DeviceBuffer dy, int d, DeviceBuffer dx)
    {
        using var serialised = Serialise();
        DeviceBuffer.CheckElements(xRows + 1, tRowPtr);
        DeviceBuffer.CheckElements(rows + 1, rowPtr);
        DeviceBuffer.CheckElements(rows * d, dy);
        DeviceBuffer.CheckElements(xRows * d, dx);
        if (xRows * d == 0) return;
        (meanAggregateBackward ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<int>, ArrayView<int>, ArrayView<int>,
            ArrayView<float>, ArrayView<float>>(K.MeanAggregateBackward))(xRows * d, d, IntView(tRowPtr), IntView(tColIdx), IntView(rowPtr), FloatView(dy), FloatView(dx));
    }

    public void SegmentMean(DeviceBuffer x, int d, DeviceBuffer segStart, int segments, DeviceBuffer y)
    {
        using var serialised = Serialise();
        DeviceBuffer.CheckElements(segments + 1, segStart);
        DeviceBuffer.CheckElements(segments * d, y);
        if (segments * d == 0) return;
        (segmentMean ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<int>, ArrayView<float>, ArrayView<float>>(K.SegmentMean))(
            segments * d, d, IntView(segStart), FloatView(x), FloatView(y));
    }

    public void SegmentMeanBackward(DeviceBuffer dy, int d, DeviceBuffer segStart, int segments, int xRows, DeviceBuffer dx)
    {
        using var serialised = Serialise();
        DeviceBuffer.CheckElements(segments + 1, segStart);
        DeviceBuffer.CheckElements(segments * d, dy);
        DeviceBuffer.CheckElements(xRows * d, dx);
        if (segments == 0 || xRows * d == 0) return;
        (segmentMeanBackward ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<int>, ArrayView<float>, ArrayView<float>>(
            K.SegmentMeanBackward))(xRows * d, segments, d, IntView(segStart), FloatView(dy), FloatView(dx));
    }

    public void GatherRows(DeviceBuffer x, int d, DeviceBuffer index, int count, DeviceBuffer y)
    {
        using var serialised = Serialise();
        DeviceBuffer.CheckElements(count, index);
        DeviceBuffer.CheckElements(count * d, y);
        if (count * d == 0) return;
        (gatherRows ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<int>, ArrayView<float>, ArrayView<float>>(K.GatherRows))(
            count * d, d, IntView(index), FloatView(x), FloatView(y));
    }

    public void ScatterAddRows(DeviceBuffer dy, int d, DeviceBuffer invRowPtr, DeviceBuffer invPos, int xRows, DeviceBuffer dx)
    {
        using var serialised = Serialise();
        DeviceBuffer.CheckElements(xRows + 1, invRowPtr);
        DeviceBuffer.CheckElements(xRows * d, dx);
        if (xRows * d == 0) return;
        (scatterAddRows ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>>(
            K.ScatterAddRows))(xRows * d, d, IntView(invRowPtr), IntView(invPos), FloatView(dy), FloatView(dx));
    }

    public void Axpy(float alpha, DeviceBuffer x, int n, DeviceBuffer y)
    {
        using var serialised = Serialise();
        DeviceBuffer.CheckElements(n, x, y);
        if (n == 0) return;
        (axpy ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, float, ArrayView<float>, ArrayView<float>>(K.Axpy))(n, alpha, FloatView(x), FloatView(y));
    }

    public void MultiplyAdd(DeviceBuffer a, DeviceBuffer b, int n, DeviceBuffer y)
    {
        using var serialised = Serialise();
        DeviceBuffer.CheckElements(n, a, b, y);
        if (n == 0) return;
        (multiplyAdd ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(K.MultiplyAdd))(
            n, FloatView(a), FloatView(b), FloatView(y));
    }

    public void Fill(float value, int n, DeviceBuffer y)
    {
        using var serialised = Serialise();
        DeviceBuffer.CheckElements(n, y);
        if (n == 0) return;
        (fill ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, float, ArrayView<float>>(K.Fill))(n, value, FloatView(y));
    }

    public void MapBackward(UnaryOp op, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, int n, DeviceBuffer dx)
    {
        using var serialised = Serialise();
        DeviceBuffer.CheckElements(n, x, y, dy, dx);
        if (!Enum.IsDefined(op)) throw new ArgumentOutOfRangeException(nameof(op));
        if (n == 0) return;
        (mapBackward ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(
            K.MapBackward))(n, (int)op, FloatView(x), FloatView(y), FloatView(dy), FloatView(dx));
    }

    public void SoftmaxBackward(DeviceBuffer y, DeviceBuffer dy, int rows, int cols, DeviceBuffer dx)
    {
        using var serialised = Serialise();
        DeviceBuffer.CheckElements(rows * cols, y, dy, dx);
        if (rows * cols == 0) return;
        (softmaxBackward ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(
            K.SoftmaxBackward))(rows, cols, FloatView(y), FloatView(dy), FloatView(dx));
    }

    public void CopyBlock(DeviceBuffer src, int srcOffset, int srcStride, int rows, int cols, int dstOffset, int dstStride,
        bool accumulate, DeviceBuffer dst)
    {
        using var serialised = Serialise();
        CpuBackend.CheckBlock(src, srcOffset, srcStride, rows, cols);
        CpuBackend.CheckBlock(dst, dstOffset, dstStride, rows, cols);
        if (rows * cols == 0) return;
        (copyBlock ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, int, int, int, int, ArrayView<float>, ArrayView<float>>(K.CopyBlock))(
            rows * cols, cols, srcOffset, srcStride, dstOffset, dstStride, accumulate ? 1 : 0, FloatView(src), FloatView(dst));
    }

    public void AdamStep(DeviceBuffer g, int n, float beta1, float beta2, float eps, float stepSize, float invSqrtCorrection2,
        DeviceBuffer m, DeviceBuffer v, DeviceBuffer p)
    {
        using var serialised = Serialise();
        DeviceBuffer.CheckElements(n, g, m, v, p);
        if (n == 0) return;
        (adamStep ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, float, float, float, float, float, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>>(K.AdamStep))(n, beta1, beta2, eps, stepSize, invSqrtCorrection2, FloatView(g), FloatView(m), FloatView(v), FloatView(p));
    }

    public void Random(RandomDraw draw, ulong seed, ulong stream, ulong offset, int n, DeviceBuffer y)
    {
        using var serialised = Serialise();
        DeviceBuffer.CheckElements(n, y);
        if (draw == RandomDraw.Bits)
        {
            if (n == 0) return;
            (philoxBits ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ulong, ulong, ulong, ArrayView<int>>(K.PhiloxBits))(
                n, seed, stream, offset, IntView(y));
        }
        else if (draw is RandomDraw.Uniform or RandomDraw.Gaussian or RandomDraw.Gumbel)
        {
            if (n == 0) return;
            (philoxFloat ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ulong, ulong, ulong, ArrayView<float>>(K.PhiloxFloat))(
                n, (int)draw, seed, stream, offset, FloatView(y));
        }
        else throw new ArgumentOutOfRangeException(nameof(draw));
    }

    public void Dispose()
    {
        accelerator.Dispose();
        context.Dispose();
    }
}
