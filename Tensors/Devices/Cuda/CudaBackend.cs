using System.Runtime.CompilerServices;
using Sure.Tensors.Devices.Kernels;

namespace Sure.Tensors.Devices.Cuda;

/// <summary>
/// CUDA backend over the driver API: the primary context of device 0, one non-blocking stream, and one module
/// built by NVRTC from the same kernel sources as the OpenCL backend (with the CUDA prelude), as a CUBIN for the
/// device's exact architecture, or PTX when that cannot be had. Work is enqueued on the stream in order; the
/// stream can be captured into a replayable <see cref="CudaGraph"/>.
/// </summary>
public sealed unsafe class CudaBackend : KernelBackend, IComputeBackend
{

    /// <summary>Every kernel the launchers use, loaded when the backend is created.</summary>
    internal static readonly string[] KernelNames =
    [
        "gemm_f32", "sigmoid_f32", "softplus_f32", "relu_f32", "tanh_f32", "exp_f32", "log_f32", "scale_f32",
        "add_f32", "mul_f32", "add_bias_f32", "softmax_rows_f32", "topk_rows_f32", "csr_mean_f32",
        "csr_mean_backward_f32", "segment_mean_f32", "segment_mean_backward_f32", "gather_rows_f32",
        "scatter_add_rows_f32", "philox_bits", "philox_float", "axpy_f32", "mul_add_f32", "fill_f32", "map_backward_f32",
        "copy_block_f32", "adam_f32", "softmax_backward_f32",
    ];

    /// <summary>The text NVRTC compiles: the CUDA prelude, then the kernels written for both runtimes.</summary>
    internal static string Source => Prelude.Cuda + Sources.All;

    /// <summary>
    /// NVRTC options for an architecture ("sm_90" gives a CUBIN, "compute_90" PTX). --fmad=false forbids a*b+c
    /// contraction into FMA, as FP_CONTRACT OFF does for OpenCL, so sums round like the CPU's. No fast-math flag:
    /// NVRTC's defaults keep IEEE division and sqrt and denormals. -default-device makes helper functions device code.
    /// </summary>
    internal static string[] CompileOptions(string architecture) =>
        [$"--gpu-architecture={architecture}", "--fmad=false", "-default-device", "--std=c++17"];

    readonly CudaApi cu;
    readonly Nvrtc nvrtc;
    readonly int device;
    readonly nint context, stream, module;
    readonly Dictionary<string, nint> functions = [];
    // Modules compiled for callers (KernelBackend.Compile), unloaded with the backend; guarded by themselves.
    readonly List<nint> extraModules = [];
    // What the backend's own module was built as: NVRTC's options, and CUBIN (true) or PTX.
    string[] moduleOptions = [];
    bool moduleIsCubin;
    volatile bool capturing;
    bool disposed;

    public string Name => "cuda";
    public string Device { get; }

    /// <summary>What was loaded: "CUBIN sm_90" or "PTX compute_90", and the options NVRTC was given.</summary>
    public string Build { get; }

    /// <summary>True between <see cref="BeginCapture"/> and <see cref="EndCapture"/>.</summary>
    public bool IsCapturing => capturing;

    CudaBackend(CudaApi cu, Nvrtc nvrtc, int driverVersion)
    {
        this.cu = cu;
        this.nvrtc = nvrtc;
        int dev;
        cu.Check(cu.DeviceGet(&dev, 0), "cuDeviceGet(0)");
        device = dev;
        int major = cu.Attribute(dev, CudaApi.AttributeComputeCapabilityMajor);
        int minor = cu.Attribute(dev, CudaApi.AttributeComputeCapabilityMinor);
        nint ctx;
        cu.Check(cu.DevicePrimaryCtxRetain(&ctx, dev), "cuDevicePrimaryCtxRetain");
        context = ctx;
        try
        {
            cu.Check(cu.CtxSetCurrent(context), "cuCtxSetCurrent");
            nint s;
            cu.Check(cu.StreamCreate(&s, CudaApi.StreamNonBlocking), "cuStreamCreate");
            stream = s;
            (module, Build) = LoadKernels(nvrtc, major, minor);
            foreach (var name in KernelNames) functions[name] = FindKernel(module, name);
        }
        catch
        {
            // TryCreate turns the exception into a reason; leave nothing behind.
            if (module != 0) cu.ModuleUnload(module);
            if (stream != 0) cu.StreamDestroy(stream);
            cu.DevicePrimaryCtxRelease(dev);
            throw;
        }
        var (nvMajor, nvMinor) = nvrtc.VersionNumber();
        Device = $"{cu.DeviceName(dev)} (sm_{major}{minor}, driver {driverVersion / 1000}.{driverVersion % 1000 / 10}, "
                 + $"NVRTC {nvMajor}.{nvMinor}, {Build.Split(';')[0]})";
    }

    /// <summary>Finds a device and builds the kernels; any failure becomes the reason, not an exception.</summary>
    public static bool TryCreate(out IComputeBackend? backend, out string reason)
    {
        backend = null;
        if (!CudaApi.TryLoad(out var cu, out reason)) return false;
        try
        {
            int status = cu!.Init(0);
            if (status == CudaApi.ErrorNoDevice)
            {
                reason = "no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE)";
                return false;
            }
            cu.Check(status, "cuInit");
            int version, count;
            cu.Check(cu.DriverGetVersion(&version), "cuDriverGetVersion");
            if (version < CudaApi.MinimumDriverVersion)
            {
                reason = $"CUDA driver {version / 1000}.{version % 1000 / 10} is too old (need 11.4 or newer)";
                return false;
            }
            cu.Check(cu.DeviceGetCount(&count), "cuDeviceGetCount");
            if (count == 0)
            {
                reason = "no CUDA device";
                return false;
            }
            if (!Nvrtc.TryLoad(out var nvrtc, out reason)) return false;
            backend = new CudaBackend(cu, nvrtc!, version);
            return true;
        }
        catch (Exception e) when (e is CudaException or DllNotFoundException or EntryPointNotFoundException)
        {
            reason = e.Message;
            return false;
        }
    }

    // A CUBIN for the exact GPU first: no JIT, and it loads on drivers older than the NVRTC that made it.
    // PTX is the fallback when NVRTC does not know this GPU's sm_XY or the driver refuses the CUBIN; PTX for the
    // newest architecture NVRTC knows is JIT-compiled forward by the driver. A compile error in the source itself
    // is not retried: it would fail the same way for every architecture.
    (nint Module, string Build) LoadKernels(Nvrtc nvrtc, int major, int minor)
    {
        int arch = major * 10 + minor;
        string cubinFailure;
        var cubinOptions = CompileOptions($"sm_{arch}");
        try
        {
            var cubin = nvrtc.Compile(Source, "sure_kernels.cu", cubinOptions, cubin: true);
            int status = LoadModule(cubin, out var loaded);
            if (status == 0)
            {
                (moduleOptions, moduleIsCubin) = (cubinOptions, true);
                return (loaded, $"CUBIN sm_{arch}; {string.Join(' ', cubinOptions)}");
            }
            cubinFailure = cu.Error(status, $"cuModuleLoadData(CUBIN sm_{arch})").Message;
        }
        catch (CudaException e) when (e.Status != Nvrtc.ErrorCompilation)
        {
            cubinFailure = e.Message;
        }
        var supported = nvrtc.SupportedArchitectures();
        int ptxArch = supported.Length == 0 || supported.Contains(arch) ? arch
            : supported.Where(a => a <= arch).DefaultIfEmpty(supported.Max()).Max();
        var ptxOptions = CompileOptions($"compute_{ptxArch}");
        var ptx = nvrtc.Compile(Source, "sure_kernels.cu", ptxOptions, cubin: false);
        int ptxStatus = LoadModule(ptx, out var ptxModule);
        if (ptxStatus != 0)
            throw cu.Error(ptxStatus, $"cuModuleLoadData(PTX compute_{ptxArch})", $"the CUBIN before it: {cubinFailure}");
        (moduleOptions, moduleIsCubin) = (ptxOptions, false);
        return (ptxModule, $"PTX compute_{ptxArch}; {string.Join(' ', ptxOptions)}");
    }

    // A caller's source, compiled as the backend's own module was (same options, CUBIN or PTX).
    protected override nint BuildProgram(string source)
    {
        Enter();
        var image = nvrtc.Compile(Prelude.Cuda + Sources.Library + source, "program.cu", moduleOptions, moduleIsCubin);
        int status = LoadModule(image, out var loaded);
        if (status != 0) throw cu.Error(status, "cuModuleLoadData");
        lock (extraModules) extraModules.Add(loaded);
        return loaded;
    }

    protected override nint FindKernel(nint program, string name)
    {
        Enter();
        nint f;
        var bytes = System.Text.Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* n = bytes) cu.Check(cu.ModuleGetFunction(&f, program, n), $"cuModuleGetFunction({name})");
        return f;
    }

    protected override nint OwnKernel(string name) => functions[name];

    int LoadModule(byte[] image, out nint loaded)
    {
        nint m;
        int status;
        fixed (byte* p = image) status = cu.ModuleLoadData(&m, p);
        loaded = status == 0 ? m : 0;
        return status;
    }

    // Driver calls act on the calling thread's current context; tests and callers may use any thread.
    void Enter()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        cu.Check(cu.CtxSetCurrent(context), "cuCtxSetCurrent");
    }

    void RefuseWhileCapturing(string operation)
    {
        if (capturing)
            throw new InvalidOperationException(
                $"{operation} cannot be captured into a CUDA graph: upload inputs before BeginCapture, and read outputs after CudaGraph.Launch");
    }

    sealed class CuBuffer(CudaBackend owner, ulong pointer, ElementType type, int length) : DeviceBuffer(type, length)
    {
        public readonly CudaBackend Owner = owner;
        public readonly ulong Pointer = pointer;

        protected override void Release()
        {
            // Once the backend is gone its primary context reference is released and the memory with it.
            if (Owner.disposed) return;
            Owner.Enter();
            Owner.cu.Check(Owner.cu.MemFree(Pointer), "cuMemFree_v2");
        }
    }

    public DeviceBuffer Allocate(ElementType type, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        RefuseWhileCapturing("Allocate");
        Enter();
        ulong pointer;
        // cuMemAlloc refuses zero bytes; keep one element so empty tensors still have a handle.
        cu.Check(cu.MemAlloc(&pointer, (nuint)Math.Max(length, 1) * 4), "cuMemAlloc_v2");
        return new CuBuffer(this, pointer, type, length);
    }

    CuBuffer Own(DeviceBuffer buffer, ElementType type, string argument)
    {
        if (buffer is not CuBuffer b || b.Owner != this)
            throw new ArgumentException($"{argument} belongs to another backend", argument);
        ObjectDisposedException.ThrowIf(b.IsDisposed, b);
        if (b.Type != type) throw new ArgumentException($"{argument} holds {b.Type}, expected {type}", argument);
        return b;
    }

    // Copies go on our stream so that they are ordered after the kernels before them: the synchronous cuMemcpy
    // calls use the legacy default stream, which a non-blocking stream does not wait for.
    public void Upload<T>(ReadOnlySpan<T> source, DeviceBuffer destination) where T : unmanaged
    {
        var b = Own(destination, CpuBackend.ElementOf<T>(), nameof(destination));
        CpuBackend.CheckLength(source.Length, b.Length, nameof(source));
        if (source.Length == 0) return;
        RefuseWhileCapturing("Upload");
        Enter();
        // From pageable memory the call returns once the data is staged (CUDA Driver API, "API synchronization
        // behavior"), so the span may be reused as soon as it returns.
        fixed (T* p = source)
            cu.Check(cu.MemcpyHtoDAsync(b.Pointer, p, (nuint)source.Length * 4, stream), "cuMemcpyHtoDAsync_v2");
    }

    public void Download<T>(DeviceBuffer source, Span<T> destination) where T : unmanaged
    {
        var b = Own(source, CpuBackend.ElementOf<T>(), nameof(source));
        CpuBackend.CheckLength(destination.Length, b.Length, nameof(destination));
        if (destination.Length == 0) return;
        RefuseWhileCapturing("Download");
        Enter();
        fixed (T* p = destination)
        {
            cu.Check(cu.MemcpyDtoHAsync(p, b.Pointer, (nuint)destination.Length * 4, stream), "cuMemcpyDtoHAsync_v2");
            cu.Check(cu.StreamSynchronize(stream), "cuStreamSynchronize");
        }
    }

    public void Synchronize()
    {
        RefuseWhileCapturing("Synchronize");
        Enter();
        cu.Check(cu.StreamSynchronize(stream), "cuStreamSynchronize");
    }

    /// <summary>
    /// Starts recording every launch on this backend's stream into a graph instead of running it. Until
    /// <see cref="EndCapture"/>, launches only record; Allocate, Upload, Download and Synchronize throw. Buffers
    /// are recorded by address: a replay reads whatever they hold then. Use the backend from one thread meanwhile.
    /// </summary>
    public void BeginCapture()
    {
        if (capturing) throw new InvalidOperationException("a CUDA graph capture is already in progress");
        Enter();
        cu.Check(cu.StreamBeginCapture(stream, CudaApi.CaptureModeThreadLocal), "cuStreamBeginCapture_v2");
        capturing = true;
    }

    /// <summary>Ends the capture and instantiates what was recorded as a graph that can be launched again and again.</summary>
    public CudaGraph EndCapture()
    {
        if (!capturing) throw new InvalidOperationException("EndCapture without BeginCapture");
        Enter();
        capturing = false;
        nint graph, exec;
        cu.Check(cu.StreamEndCapture(stream, &graph), "cuStreamEndCapture");
        int status = cu.GraphInstantiateWithFlags(&exec, graph, 0);
        if (status != 0)
        {
            cu.GraphDestroy(graph);
            throw cu.Error(status, "cuGraphInstantiateWithFlags");
        }
        return new CudaGraph(this, graph, exec);
    }

    internal void LaunchGraph(nint exec)
    {
        Enter();
        cu.Check(cu.GraphLaunch(exec, stream), "cuGraphLaunch");
    }

    internal void DestroyGraph(nint graph, nint exec)
    {
        if (disposed) return;
        Enter();
        cu.Check(cu.GraphExecDestroy(exec), "cuGraphExecDestroy");
        cu.Check(cu.GraphDestroy(graph), "cuGraphDestroy");
    }

    // cuLaunchKernel reads each parameter's size from the kernel's signature, starting at the address given: on
    // little-endian hosts the low bytes of an 8-byte slot holding Bits.
    protected override KernelArg BufferArg(DeviceBuffer b, ElementType type, string name) =>
        KernelArg.Handle((long)Own(b, type, name).Pointer, 8);

    // global: threads per dimension as in the OpenCL launch; the grid is ceil(global / local) blocks of local threads.
    protected override void Run(nint function, string name, ReadOnlySpan<int> global, ReadOnlySpan<int> local, ReadOnlySpan<KernelArg> args)
    {
        for (int d = 0; d < global.Length; d++) if (global[d] == 0) return;
        Enter();
        uint* grid = stackalloc uint[] { 1, 1, 1 };
        uint* block = stackalloc uint[] { 1, 1, 1 };
        for (int d = 0; d < global.Length; d++)
        {
            block[d] = (uint)local[d];
            grid[d] = (uint)((global[d] + local[d] - 1) / local[d]);
        }
        long* values = stackalloc long[args.Length];
        void** pointers = stackalloc void*[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            values[i] = args[i].Bits;
            pointers[i] = &values[i];
        }
        // The message is built only on failure: a launch allocates nothing (the decision loop relies on it).
        int status = cu.LaunchKernel(function, grid[0], grid[1], grid[2], block[0], block[1], block[2], 0, stream, pointers, null);
        if (status != 0) cu.Check(status, $"cuLaunchKernel({name})");
    }

    public void Dispose()
    {
        if (disposed) return;
        // Best effort, as in OpenClBackend: a failing release must not hide the exception that led here.
        cu.CtxSetCurrent(context);
        if (capturing)
        {
            nint graph;
            if (cu.StreamEndCapture(stream, &graph) == 0 && graph != 0) cu.GraphDestroy(graph);
            capturing = false;
        }
        cu.StreamSynchronize(stream);
        foreach (var extra in extraModules) cu.ModuleUnload(extra);
        cu.ModuleUnload(module);
        cu.StreamDestroy(stream);
        cu.DevicePrimaryCtxRelease(device);
        disposed = true;
    }
}
