using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sure.Tensors.Devices.Kernels;

namespace Sure.Tensors.Devices.OpenCl;

/// <summary>
/// OpenCL 1.2 backend: one context, one in-order queue and one program holding every kernel, built once when
/// the backend is created. Prefers a GPU device, else the first device of the first platform that has one.
/// </summary>
public sealed unsafe class OpenClBackend : KernelBackend, IComputeBackend
{
    // No -cl-fast-relaxed-math, no -cl-mad-enable: the Philox draws must match the CPU bit for bit.
    // OpenCL 1.2 lets float division be off by 2.5 ulp and sqrt by 3 unless the device can round them
    // correctly and is asked to; we ask whenever it can.
    const string BuildOptions = "-cl-std=CL1.2";
    const string CorrectlyRounded = " -cl-fp32-correctly-rounded-divide-sqrt";

    readonly ClApi cl;
    readonly nint context, queue, program;
    readonly nint device;
    readonly string buildOptions;
    readonly Dictionary<string, nint> kernels = [];
    // Programs compiled for callers (KernelBackend.Compile) and kernels made from them: released with the backend.
    readonly List<nint> extraPrograms = [], extraKernels = [];
    // clSetKernelArg mutates the shared kernel object: argument setting and enqueue must not interleave.
    readonly Lock launch = new();
    bool disposed;

    public string Name => "opencl";
    public string Device { get; }

    /// <summary>The options every program is built with.</summary>
    public string BuildOptionsUsed => buildOptions;

    OpenClBackend(ClApi cl, nint platform, nint device)
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
            program = Build(Prelude.OpenCl + Sources.All);
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
            backend = new OpenClBackend(cl!, platform, device);
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

    protected override nint BuildProgram(string source)
    {
        var built = Build(Prelude.OpenCl + Sources.Library + source);
        lock (launch) extraPrograms.Add(built);
        return built;
    }

    protected override nint FindKernel(nint fromProgram, string name)
    {
        lock (launch)
        {
            var kernel = CreateKernel(fromProgram, name);
            extraKernels.Add(kernel);
            return kernel;
        }
    }

    protected override nint OwnKernel(string name)
    {
        lock (launch)
        {
            if (kernels.TryGetValue(name, out var k)) return k;
            return kernels[name] = CreateKernel(program, name);
        }
    }

    nint CreateKernel(nint fromProgram, string name)
    {
        int status;
        nint k;
        var bytes = System.Text.Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* n = bytes) k = cl.CreateKernel(fromProgram, n, &status);
        ClApi.Check(status, $"clCreateKernel({name})");
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

    protected override KernelArg BufferArg(DeviceBuffer b, ElementType type, string name) =>
        KernelArg.Handle(Own(b, type, name).Mem, sizeof(nint));

    // global: work-items per dimension, rounded up to a multiple of local
    protected override void Run(nint kernel, string name, ReadOnlySpan<int> global, ReadOnlySpan<int> local, ReadOnlySpan<KernelArg> args)
    {
        for (int d = 0; d < global.Length; d++) if (global[d] == 0) return;
        lock (launch)
        {
            for (int i = 0; i < args.Length; i++)
            {
                long bits = args[i].Bits;
                // The message is built only on failure: a launch allocates nothing (the decision loop relies on it).
                int status = cl.SetKernelArg(kernel, (uint)i, (nuint)args[i].Size, &bits);
                if (status != 0) ClApi.Check(status, $"clSetKernelArg({name}, {i})");
            }
            int dims = global.Length;
            nuint* g = stackalloc nuint[dims];
            nuint* l = stackalloc nuint[dims];
            for (int d = 0; d < dims; d++)
            {
                l[d] = (nuint)local[d];
                g[d] = (nuint)((global[d] + local[d] - 1) / local[d] * local[d]);
            }
            int enqueued = cl.EnqueueNDRangeKernel(queue, kernel, (uint)dims, null, g, l, 0, null, null);
            if (enqueued != 0) ClApi.Check(enqueued, $"clEnqueueNDRangeKernel({name})");
        }
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var k in kernels.Values.Concat(extraKernels)) cl.ReleaseKernel(k);
        foreach (var p in extraPrograms) cl.ReleaseProgram(p);
        cl.ReleaseProgram(program);
        cl.ReleaseCommandQueue(queue);
        cl.ReleaseContext(context);
    }
}
