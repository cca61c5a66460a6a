using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sure.Tensors.Devices.Kernels;

namespace Sure.Tensors.Devices.OpenCl;

/// <summary>
/// OpenCL 1.2 backend: one context, one in-order queue and one program holding every kernel, built once when
/// the backend is created. Prefers a GPU device, else the first device of the first platform that has one.
/// </summary>
public sealed unsafe class OpenClBackend : IComputeBackend
{
    // No -cl-fast-relaxed-math, no -cl-mad-enable: the Philox draws must match the CPU bit for bit.
    // OpenCL 1.2 lets float division be off by 2.5 ulp and sqrt by 3 unless the device can round them
    // correctly and is asked to; we ask whenever it can.
    const string BuildOptions = "-cl-std=CL1.2";
    const string CorrectlyRounded = " -cl-fp32-correctly-rounded-divide-sqrt";
    const int LinearGroup = 64;

    readonly ClApi cl;
    readonly nint context, queue, program;
    readonly nint device;
    readonly string buildOptions;
    readonly Dictionary<string, nint> kernels = [];
    // clSetKernelArg mutates the shared kernel object: argument setting and enqueue must not interleave.
    readonly Lock launch = new();
    bool disposed;

    public string Name => "opencl";
    public string Device { get; }

    /// <summary>The options every program is built with.</summary>
    public string BuildOptionsUsed => buildOptions;

    OpenClBackend(ClApi cl, nint platform, nint device, string source)
    {
        this.cl = cl;
        this.device = device;
        Device = $"{cl.PlatformString(platform, ClApi.PlatformName)} / {cl.DeviceString(device, ClApi.DeviceName)}"
                 + $" ({cl.DeviceString(device, ClApi.DeviceVersion)})";
        int status;
        nint dev = device;
        bool exactDivide = (cl.DeviceBits(device, ClApi.DeviceSingleFpConfig) & ClApi.FpCorrectlyRoundedDivideSqrt) != 0;
        buildOptions = BuildOptions + (exactDivide ? CorrectlyRounded : "");
        context = cl.CreateContext(null, 1, &dev, 0, 0, &status);
        ClApi.Check(status, "clCreateContext");
        try
        {
            queue = cl.CreateCommandQueue(context, device, 0, &status);
            ClApi.Check(status, "clCreateCommandQueue");
            program = Build(source);
        }
        catch
        {
            // TryCreate turns the exception into a reason; do not leave the context behind.
            if (queue != 0) cl.ReleaseCommandQueue(queue);
            cl.ReleaseContext(context);
            throw;
        }
    }

    /// <summary>Finds a device and builds the kernels; any failure becomes the reason, not an exception.</summary>
    public static bool TryCreate(out IComputeBackend? backend, out string reason)
    {
        backend = null;
        if (!ClApi.TryLoad(out var cl, out reason)) return false;
        try
        {
            if (!TryPickDevice(cl!, out var platform, out var device, out reason)) return false;
            backend = new OpenClBackend(cl!, platform, device, Prelude.OpenCl + Sources.All);
            return true;
        }
        catch (Exception e) when (e is OpenClException or DllNotFoundException or EntryPointNotFoundException)
        {
            reason = e.Message;
            return false;
        }
    }

    static bool TryPickDevice(ClApi cl, out nint platform, out nint device, out string reason)
    {
        platform = device = 0;
        uint count;
        int status = cl.GetPlatformIDs(0, null, &count);
        // The ICD loader answers CL_PLATFORM_NOT_FOUND_KHR when no vendor ICD is installed.
        if (status == -1001 || (status == 0 && count == 0))
        {
            reason = "no OpenCL platform (no ICD installed, e.g. pocl-opencl-icd)";
            return false;
        }
        ClApi.Check(status, "clGetPlatformIDs");
        var platforms = new nint[count];
        fixed (nint* p = platforms) ClApi.Check(cl.GetPlatformIDs(count, p, null), "clGetPlatformIDs");
        foreach (var deviceType in new ulong[] { ClApi.DeviceTypeGpu, ClApi.DeviceTypeAll })
            foreach (var candidate in platforms)
            {
                nint d;
                uint n;
                if (cl.GetDeviceIDs(candidate, deviceType, 1, &d, &n) != 0 || n == 0) continue;
                platform = candidate;
                device = d;
                reason = "";
                return true;
            }
        reason = "no OpenCL device on any platform";
        return false;
    }

    nint Build(string source)
    {
        int status;
        var bytes = System.Text.Encoding.UTF8.GetBytes(source);
        nint prog;
        fixed (byte* s = bytes)
        {
            byte* strings = s;
            nuint length = (nuint)bytes.Length;
            prog = cl.CreateProgramWithSource(context, 1, &strings, &length, &status);
        }
        ClApi.Check(status, "clCreateProgramWithSource");
        var options = System.Text.Encoding.UTF8.GetBytes(buildOptions + "\0");
        nint dev = device;
        fixed (byte* o = options) status = cl.BuildProgram(prog, 1, &dev, o, 0, 0);
        if (status != 0)
        {
            var log = cl.BuildLog(prog, device);
            cl.ReleaseProgram(prog);
            throw new OpenClException("clBuildProgram", status, "build log:\n" + log);
        }
        return prog;
    }

    /// <summary>Compiles extra source with the same prelude and options; for tests of the build-error path.</summary>
    internal void CompileForTest(string source)
    {
        var prog = Build(Prelude.OpenCl + source);
        cl.ReleaseProgram(prog);
    }

    nint Kernel(string name)
    {
        if (kernels.TryGetValue(name, out var k)) return k;
        int status;
        var bytes = System.Text.Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* n = bytes) k = cl.CreateKernel(program, n, &status);
        ClApi.Check(status, $"clCreateKernel({name})");
        kernels[name] = k;
        return k;
    }

    sealed class ClBuffer(OpenClBackend owner, nint mem, ElementType type, int length) : DeviceBuffer(type, length)
    {
        public readonly OpenClBackend Owner = owner;
        public readonly nint Mem = mem;
        protected override void Release() => ClApi.Check(Owner.cl.ReleaseMemObject(Mem), "clReleaseMemObject");
    }

    public DeviceBuffer Allocate(ElementType type, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        int status;
        // Zero-sized buffers are invalid in OpenCL; keep one element so empty tensors still have a handle.
        var mem = cl.CreateBuffer(context, ClApi.MemReadWrite, (nuint)Math.Max(length, 1) * 4, null, &status);
        ClApi.Check(status, "clCreateBuffer");
        return new ClBuffer(this, mem, type, length);
    }

    ClBuffer Own(DeviceBuffer buffer, ElementType type, string argument)
    {
        if (buffer is not ClBuffer b || b.Owner != this)
            throw new ArgumentException($"{argument} belongs to another backend", argument);
        ObjectDisposedException.ThrowIf(b.IsDisposed, b);
        if (b.Type != type) throw new ArgumentException($"{argument} holds {b.Type}, expected {type}", argument);
        return b;
    }

    public void Upload<T>(ReadOnlySpan<T> source, DeviceBuffer destination) where T : unmanaged
    {
        var b = Own(destination, CpuBackend.ElementOf<T>(), nameof(destination));
        CpuBackend.CheckLength(source.Length, b.Length, nameof(source));
        if (source.Length == 0) return;
        fixed (T* p = source)
            ClApi.Check(cl.EnqueueWriteBuffer(queue, b.Mem, 1, 0, (nuint)source.Length * 4, p, 0, null, null),
                "clEnqueueWriteBuffer");
    }

    public void Download<T>(DeviceBuffer source, Span<T> destination) where T : unmanaged
    {
        var b = Own(source, CpuBackend.ElementOf<T>(), nameof(source));
        CpuBackend.CheckLength(destination.Length, b.Length, nameof(destination));
        if (destination.Length == 0) return;
        fixed (T* p = destination)
            ClApi.Check(cl.EnqueueReadBuffer(queue, b.Mem, 1, 0, (nuint)destination.Length * 4, p, 0, null, null),
                "clEnqueueReadBuffer");
    }

    public void Synchronize() => ClApi.Check(cl.Finish(queue), "clFinish");

    // Kernel arguments: ints, floats, or buffers (passed as their cl_mem handle).
    readonly struct Arg
    {
        public readonly long Bits;
        public readonly int Size;
        Arg(long bits, int size) { Bits = bits; Size = size; }
        public static implicit operator Arg(int v) => new(v, 4);
        public static implicit operator Arg(float v) => new(BitConverter.SingleToInt32Bits(v), 4);
        public static implicit operator Arg(ulong v) => new((long)v, 8);
        public static Arg Mem(nint handle) => new(handle, sizeof(nint));
    }

    Arg F(DeviceBuffer b, [CallerArgumentExpression(nameof(b))] string name = "") => Arg.Mem(Own(b, ElementType.Float32, name).Mem);
    Arg I(DeviceBuffer b, [CallerArgumentExpression(nameof(b))] string name = "") => Arg.Mem(Own(b, ElementType.Int32, name).Mem);

    // global: work-items per dimension, rounded up to a multiple of local
    void Launch(string name, ReadOnlySpan<int> global, ReadOnlySpan<int> local, params ReadOnlySpan<Arg> args)
    {
        for (int d = 0; d < global.Length; d++) if (global[d] == 0) return;
        lock (launch)
        {
            var kernel = Kernel(name);
            for (int i = 0; i < args.Length; i++)
            {
                long bits = args[i].Bits;
                ClApi.Check(cl.SetKernelArg(kernel, (uint)i, (nuint)args[i].Size, &bits), $"clSetKernelArg({name}, {i})");
            }
            int dims = global.Length;
            nuint* g = stackalloc nuint[dims];
            nuint* l = stackalloc nuint[dims];
            for (int d = 0; d < dims; d++)
            {
                l[d] = (nuint)local[d];
                g[d] = (nuint)((global[d] + local[d] - 1) / local[d] * local[d]);
            }
            ClApi.Check(cl.EnqueueNDRangeKernel(queue, kernel, (uint)dims, null, g, l, 0, null, null),
                $"clEnqueueNDRangeKernel({name})");
        }
    }

    void Linear(string name, int n, params ReadOnlySpan<Arg> args) => Launch(name, [n], [LinearGroup], args);

    public void Gemm(DeviceBuffer a, bool transA, DeviceBuffer b, bool transB, int m, int n, int k, bool accumulate, DeviceBuffer c)
    {
        CpuBackend.CheckGemm(a, b, c, m, n, k);
        Launch("gemm_f32", [n, m], [Sources.GemmTile, Sources.GemmTile],
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

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var k in kernels.Values) cl.ReleaseKernel(k);
        cl.ReleaseProgram(program);
        cl.ReleaseCommandQueue(queue);
        cl.ReleaseContext(context);
    }
}
