using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using K = Sure.Tensors.Devices.Ilgpu.IlgpuKernels;
using D = Sure.Tensors.Devices.Ilgpu.IlgpuDecisionKernels;

namespace Sure.Tensors.Devices.Ilgpu;

/// <summary>Which ILGPU accelerator a backend drives.</summary>
public enum IlgpuTarget { Cpu, Cuda, OpenCl }

/// <summary>
/// <see cref="IComputeBackend"/> on ILGPU: buffers are ILGPU memory buffers, ops are the C# kernels of
/// <see cref="IlgpuKernels"/> and <see cref="IlgpuDecisionKernels"/>, loaded on first use and launched on the
/// accelerator's default stream, in order. "ilgpu-cpu" is ILGPU's CPU accelerator, a simulator of a GPU that runs
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

    ArrayView<float> F(DeviceBuffer b, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(b))] string name = "") =>
        Own(b, ElementType.Float32, name).Floats!.View;

    ArrayView<int> I(DeviceBuffer b, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(b))] string name = "") =>
        Own(b, ElementType.Int32, name).Ints!.View;

    public void Upload<T>(ReadOnlySpan<T> source, DeviceBuffer destination) where T : unmanaged
    {
        using var serialised = gate.EnterScope();
        var b = Own(destination, CpuBackend.ElementOf<T>(), nameof(destination));
        CpuBackend.CheckLength(source.Length, b.Length, nameof(source));
        if (source.IsEmpty) return;
        if (b.Floats is { } floats) ((ArrayView<float>)floats.View).SubView(0, source.Length).CopyFromCPU(MemoryMarshal.Cast<T, float>(source));
        else ((ArrayView<int>)b.Ints!.View).SubView(0, source.Length).CopyFromCPU(MemoryMarshal.Cast<T, int>(source));
    }

    public void Download<T>(DeviceBuffer source, Span<T> destination) where T : unmanaged
    {
        using var serialised = gate.EnterScope();
        var b = Own(source, CpuBackend.ElementOf<T>(), nameof(source));
        CpuBackend.CheckLength(destination.Length, b.Length, nameof(destination));
        if (destination.IsEmpty) return;
        if (b.Floats is { } floats) ((ArrayView<float>)floats.View).SubView(0, destination.Length).CopyToCPU(MemoryMarshal.Cast<T, float>(destination));
        else ((ArrayView<int>)b.Ints!.View).SubView(0, destination.Length).CopyToCPU(MemoryMarshal.Cast<T, int>(destination));
    }

    public void Synchronize()
    {
        using var serialised = gate.EnterScope();
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

    public void Gemm(DeviceBuffer a, bool transA, DeviceBuffer b, bool transB, int m, int n, int k, bool accumulate, DeviceBuffer c)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckGemm(a, b, c, m, n, k);
        if (m * n == 0) return;
        (gemm ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, int, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(K.Gemm))(
            m * n, m, n, k, transA ? 1 : 0, transB ? 1 : 0, accumulate ? 1 : 0, F(a), F(b), F(c));
    }

    public void Map(UnaryOp op, DeviceBuffer x, int n, DeviceBuffer y)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(n, x, y);
        if (!Enum.IsDefined(op)) throw new ArgumentOutOfRangeException(nameof(op));
        if (n == 0) return;
        (map ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>>(K.Map))(n, (int)op, F(x), F(y));
    }

    public void Scale(DeviceBuffer x, float alpha, int n, DeviceBuffer y)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(n, x, y);
        if (n == 0) return;
        (scale ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, float, ArrayView<float>, ArrayView<float>>(K.Scale))(n, alpha, F(x), F(y));
    }

    public void Zip(BinaryOp op, DeviceBuffer a, DeviceBuffer b, int n, DeviceBuffer y)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(n, a, b, y);
        if (!Enum.IsDefined(op)) throw new ArgumentOutOfRangeException(nameof(op));
        if (n == 0) return;
        (zip ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(K.Zip))(
            n, (int)op, F(a), F(b), F(y));
    }

    public void AddBias(DeviceBuffer x, DeviceBuffer bias, int rows, int cols, DeviceBuffer y)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(rows * cols, x, y);
        CpuBackend.CheckElements(cols, bias);
        if (rows * cols == 0) return;
        (addBias ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(K.AddBias))(
            rows * cols, cols, F(x), F(bias), F(y));
    }

    public void Softmax(DeviceBuffer x, int rows, int cols, DeviceBuffer y)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(rows * cols, x, y);
        if (rows * cols == 0) return;
        (softmax ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>>(K.Softmax))(rows, cols, F(x), F(y));
    }

    public void TopK(DeviceBuffer x, int rows, int cols, int valid, int k, bool ascendingIndices, DeviceBuffer indices)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(rows * cols, x);
        CpuBackend.CheckElements(rows * k, indices);
        if (rows * k == 0) return;
        (topK ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, int, int, ArrayView<float>, ArrayView<int>>(K.TopK))(
            rows, cols, valid, k, ascendingIndices ? 1 : 0, F(x), I(indices));
    }

    public void MeanAggregate(DeviceBuffer rowPtr, DeviceBuffer colIdx, int rows, DeviceBuffer x, int d, DeviceBuffer y)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(rows + 1, rowPtr);
        CpuBackend.CheckElements(rows * d, y);
        if (rows * d == 0) return;
        (meanAggregate ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>>(
            K.MeanAggregate))(rows * d, d, I(rowPtr), I(colIdx), F(x), F(y));
    }

    public void MeanAggregateBackward(DeviceBuffer tRowPtr, DeviceBuffer tColIdx, int xRows, DeviceBuffer rowPtr, int rows,
        DeviceBuffer dy, int d, DeviceBuffer dx)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(xRows + 1, tRowPtr);
        CpuBackend.CheckElements(rows + 1, rowPtr);
        CpuBackend.CheckElements(rows * d, dy);
        CpuBackend.CheckElements(xRows * d, dx);
        if (xRows * d == 0) return;
        (meanAggregateBackward ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<int>, ArrayView<int>, ArrayView<int>,
            ArrayView<float>, ArrayView<float>>(K.MeanAggregateBackward))(xRows * d, d, I(tRowPtr), I(tColIdx), I(rowPtr), F(dy), F(dx));
    }

    public void SegmentMean(DeviceBuffer x, int d, DeviceBuffer segStart, int segments, DeviceBuffer y)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(segments + 1, segStart);
        CpuBackend.CheckElements(segments * d, y);
        if (segments * d == 0) return;
        (segmentMean ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<int>, ArrayView<float>, ArrayView<float>>(K.SegmentMean))(
            segments * d, d, I(segStart), F(x), F(y));
    }

    public void SegmentMeanBackward(DeviceBuffer dy, int d, DeviceBuffer segStart, int segments, int xRows, DeviceBuffer dx)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(segments + 1, segStart);
        CpuBackend.CheckElements(segments * d, dy);
        CpuBackend.CheckElements(xRows * d, dx);
        if (segments == 0 || xRows * d == 0) return;
        (segmentMeanBackward ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<int>, ArrayView<float>, ArrayView<float>>(
            K.SegmentMeanBackward))(xRows * d, segments, d, I(segStart), F(dy), F(dx));
    }

    public void GatherRows(DeviceBuffer x, int d, DeviceBuffer index, int count, DeviceBuffer y)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(count, index);
        CpuBackend.CheckElements(count * d, y);
        if (count * d == 0) return;
        (gatherRows ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<int>, ArrayView<float>, ArrayView<float>>(K.GatherRows))(
            count * d, d, I(index), F(x), F(y));
    }

    public void ScatterAddRows(DeviceBuffer dy, int d, DeviceBuffer invRowPtr, DeviceBuffer invPos, int xRows, DeviceBuffer dx)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(xRows + 1, invRowPtr);
        CpuBackend.CheckElements(xRows * d, dx);
        if (xRows * d == 0) return;
        (scatterAddRows ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>>(
            K.ScatterAddRows))(xRows * d, d, I(invRowPtr), I(invPos), F(dy), F(dx));
    }

    public void Random(RandomDraw draw, ulong seed, ulong stream, ulong offset, int n, DeviceBuffer y)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(n, y);
        if (draw == RandomDraw.Bits)
        {
            if (n == 0) return;
            (philoxBits ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ulong, ulong, ulong, ArrayView<int>>(K.PhiloxBits))(
                n, seed, stream, offset, I(y));
        }
        else if (draw is RandomDraw.Uniform or RandomDraw.Gaussian or RandomDraw.Gumbel)
        {
            if (n == 0) return;
            (philoxFloat ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ulong, ulong, ulong, ArrayView<float>>(K.PhiloxFloat))(
                n, (int)draw, seed, stream, offset, F(y));
        }
        else throw new ArgumentOutOfRangeException(nameof(draw));
    }

    // The decision ops: IlgpuDecisionKernels; shapes in IComputeBackend.
    Action<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? nvssProject;
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? nvssOmega;
    Action<Index1D, int, int, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? nvssTheta;
    Action<Index1D, int, int, int, int, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? nvssAnchorOmega;
    Action<Index1D, int, int, int, int, int, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<int>>? chooseNeighbours;
    Action<Index1D, SubgraphSizes, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>,
        ArrayView<int>, ArrayView<int>, ArrayView<int>>? buildSubgraphs;
    Action<Index1D, int, int, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>>? sageInput;
    Action<Index1D, int, int, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? sageCombine;
    Action<Index1D, int, int, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? sageCombineMean;
    Action<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? actionHead;
    Action<Index1D, int, ArrayView<float>, ArrayView<int>, ArrayView<int>>? rescale;

    public void NvssProject(DeviceBuffer features, int rows, int d, DeviceBuffer wMu, DeviceBuffer bMu, DeviceBuffer wSigma,
        DeviceBuffer bSigma, DeviceBuffer mu, DeviceBuffer sigma)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(rows * d, features);
        CpuBackend.CheckElements(d, wMu, wSigma);
        CpuBackend.CheckElements(1, bMu, bSigma);
        CpuBackend.CheckElements(rows, mu, sigma);
        if (rows == 0) return;
        (nvssProject ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>>(D.NvssProject))(rows, d, F(features), F(wMu), F(bMu), F(wSigma), F(bSigma), F(mu), F(sigma));
    }

    public void NvssOmega(DeviceBuffer mu, DeviceBuffer sigma, DeviceBuffer x, DeviceBuffer y, int n, DeviceBuffer omega)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(n, mu, sigma, x, y, omega);
        if (n == 0) return;
        (nvssOmega ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>>(D.NvssOmega))(n, F(mu), F(sigma), F(x), F(y), F(omega));
    }

    public void NvssTheta(DeviceBuffer mu, DeviceBuffer sigma, int tasks, int L, DeviceBuffer decision, DeviceBuffer theta)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(L * tasks, mu, sigma, theta);
        CpuBackend.CheckElements(DecisionScalars.Length, decision);
        if (tasks * L == 0) return;
        (nvssTheta ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(
            D.NvssTheta))(tasks * L, tasks, L, I(decision), F(mu), F(sigma), F(theta));
    }

    public void NvssAnchorOmega(DeviceBuffer mu, DeviceBuffer sigma, DeviceBuffer slots, DeviceBuffer valid, DeviceBuffer anchors,
        int tasks, int L, int K, int k1, DeviceBuffer decision, DeviceBuffer omega)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(L * tasks, mu, sigma);
        CpuBackend.CheckElements(tasks * K, slots);
        CpuBackend.CheckElements(tasks, valid);
        CpuBackend.CheckElements(tasks * k1, anchors);
        CpuBackend.CheckElements(tasks * k1 * K, omega);
        CpuBackend.CheckElements(DecisionScalars.Length, decision);
        if (tasks * k1 * K == 0) return;
        (nvssAnchorOmega ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, int, int, ArrayView<int>, ArrayView<int>, ArrayView<int>,
            ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(D.NvssAnchorOmega))(
            tasks * k1 * K, tasks, L, K, k1, I(decision), I(slots), I(valid), I(anchors), F(mu), F(sigma), F(omega));
    }

    public void ChooseNeighbours(DeviceBuffer omega, bool everySnapshot, DeviceBuffer valid, DeviceBuffer anchors,
        int tasks, int L, int K, int k1, int k2, DeviceBuffer neighbours)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(everySnapshot ? tasks * L * (1 + K) : tasks * k1 * K, omega);
        CpuBackend.CheckElements(tasks, valid);
        CpuBackend.CheckElements(tasks * k1, anchors);
        CpuBackend.CheckElements(tasks * k1 * k2, neighbours);
        if (k2 == 0 || tasks * k1 == 0) return;
        (chooseNeighbours ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, int, int, int, ArrayView<int>, ArrayView<int>,
            ArrayView<float>, ArrayView<int>>(D.ChooseNeighbours))(
            tasks * k1, L, K, k1, k2, everySnapshot ? 1 : 0, I(valid), I(anchors), F(omega), I(neighbours));
    }

    public void BuildSubgraphs(DeviceBuffer anchors, DeviceBuffer neighbours, DeviceBuffer slots, DeviceBuffer valid,
        DeviceBuffer linked, DeviceBuffer taskStarts, int tasks, int L, int K, int k1, int k2, bool ring,
        DeviceBuffer decision, DeviceBuffer nodeRow, DeviceBuffer degree, DeviceBuffer adjacency)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckSubgraphs(anchors, neighbours, slots, valid, linked, taskStarts, tasks, K, k1, k2, decision);
        if (tasks * k1 == 0) return;
        var sizes = new SubgraphSizes { Tasks = tasks, L = L, K = K, K1 = k1, K2 = k2, Ring = ring ? 1 : 0 };
        (buildSubgraphs ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, SubgraphSizes, ArrayView<int>, ArrayView<int>, ArrayView<int>,
            ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>>(D.BuildSubgraphs))(
            tasks * k1, sizes, I(decision), I(slots), I(valid), I(linked), I(taskStarts), I(anchors), I(neighbours), I(nodeRow), I(degree),
            I(adjacency));
    }

    public void SageInput(DeviceBuffer features, int d, DeviceBuffer nodeRow, DeviceBuffer degree, DeviceBuffer adjacency,
        int nodes, int cap, DeviceBuffer input)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(nodes, nodeRow, degree);
        CpuBackend.CheckElements(nodes * cap, adjacency);
        CpuBackend.CheckElements(nodes * 2 * d, input);
        if (nodes * d == 0) return;
        (sageInput ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>,
            ArrayView<float>>(D.SageInput))(nodes * 2 * d, d, cap, I(nodeRow), I(degree), I(adjacency), F(features), F(input));
    }

    public void SageCombine(DeviceBuffer y, DeviceBuffer bias, int h, DeviceBuffer degree, DeviceBuffer adjacency,
        int nodes, int cap, DeviceBuffer output)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(nodes * 2 * h, y);
        CpuBackend.CheckElements(h, bias);
        CpuBackend.CheckElements(nodes, degree);
        CpuBackend.CheckElements(nodes * cap, adjacency);
        CpuBackend.CheckElements(nodes * h, output);
        if (nodes * h == 0) return;
        (sageCombine ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>>(D.SageCombine))(nodes * h, h, cap, I(degree), I(adjacency), F(y), F(bias), F(output));
    }

    public void SageCombineMean(DeviceBuffer y, DeviceBuffer bias, int h, DeviceBuffer degree, DeviceBuffer adjacency,
        int cap, DeviceBuffer taskStarts, int tasks, DeviceBuffer hg)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(h, bias);
        CpuBackend.CheckElements(tasks + 1, taskStarts);
        CpuBackend.CheckElements(tasks * h, hg);
        if (tasks * h == 0) return;
        (sageCombineMean ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<int>, ArrayView<int>, ArrayView<int>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>>(D.SageCombineMean))(
            tasks * h, h, cap, I(taskStarts), I(degree), I(adjacency), F(y), F(bias), F(hg));
    }

    public void ActionHead(DeviceBuffer hg, int h, int tasks, DeviceBuffer weight, DeviceBuffer bias, DeviceBuffer actionMean)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(tasks * h, hg);
        CpuBackend.CheckElements(h, weight);
        CpuBackend.CheckElements(1, bias);
        CpuBackend.CheckElements(tasks, actionMean);
        if (tasks == 0) return;
        (actionHead ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(
            D.ActionHead))(tasks, h, F(hg), F(weight), F(bias), F(actionMean));
    }

    public void Rescale(DeviceBuffer actionMean, DeviceBuffer parallelism, int tasks, int pMax, DeviceBuffer newParallelism)
    {
        using var serialised = gate.EnterScope();
        CpuBackend.CheckElements(tasks, actionMean, parallelism, newParallelism);
        if (tasks == 0) return;
        (rescale ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<int>, ArrayView<int>>(D.Rescale))(
            tasks, pMax, F(actionMean), I(parallelism), I(newParallelism));
    }

    public void Dispose()
    {
        accelerator.Dispose();
        context.Dispose();
    }
}
