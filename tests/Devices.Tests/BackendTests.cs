using Sure.Tensors;
using Sure.Tensors.Devices;
using Sure.Tensors.Devices.OpenCl;
using Xunit.Abstractions;

namespace Sure.Devices.Tests;

public class BackendTests(ITestOutputHelper output)
{
    public static TheoryData<string> Backends => TestBackends.Available;

    [Fact]
    public void CpuIsAlwaysAvailable()
    {
        Assert.True(Sure.Tensors.Devices.Backends.TryCreate("cpu", out var backend, out _));
        Assert.Equal("cpu", backend!.Name);
    }

    [Fact]
    public void UnknownNamesReportWhyInsteadOfThrowing()
    {
        Assert.False(Sure.Tensors.Devices.Backends.TryCreate("tpu", out var tpu, out var reason));
        Assert.Null(tpu);
        Assert.Contains("unknown backend 'tpu'", reason);
    }

    [Fact]
    public void MissingOpenClLibraryIsAReasonNotACrash()
    {
        Assert.False(ClApi.TryLoad(["libOpenCL-does-not-exist.so.1"], out var api, out var reason));
        Assert.Null(api);
        Assert.Contains("libOpenCL-does-not-exist.so.1 not found", reason);
    }

    [Fact]
    public void OpenClAvailabilityIsReported()
    {
        // Always runs: says in the test output which OpenCL device the suite used, or why it skipped OpenCL.
        var reason = TestBackends.Unavailable("opencl");
        output.WriteLine(reason is null
            ? $"opencl: {TestBackends.Backend("opencl").Device}, built with {((OpenClBackend)TestBackends.Backend("opencl")).BuildOptionsUsed}"
            : $"opencl conformance tests skipped: {reason}");
        if (reason is not null) Assert.False(string.IsNullOrWhiteSpace(reason));
    }

    [Fact]
    public void IlgpuCpuIsAlwaysAvailableAndTheGpuTargetsSayWhyNot()
    {
        // ILGPU's CPU accelerator needs no native runtime, so CI always runs the conformance suite through ILGPU.
        Assert.Null(TestBackends.Unavailable("ilgpu-cpu"));
        Assert.Equal("ilgpu-cpu", TestBackends.Backend("ilgpu-cpu").Name);
        output.WriteLine($"ilgpu-cpu: {TestBackends.Backend("ilgpu-cpu").Device}");
        foreach (var name in new[] { "ilgpu-cuda", "ilgpu-opencl" })
        {
            var reason = TestBackends.Unavailable(name);
            output.WriteLine(reason is null ? $"{name}: {TestBackends.Backend(name).Device}" : $"{name} skipped: {reason}");
            if (reason is not null) Assert.False(string.IsNullOrWhiteSpace(reason));
        }
    }

    [BackendFact("opencl")]
    public void BuildFailureCarriesTheCompilerLog()
    {
        var backend = (OpenClBackend)TestBackends.Backend("opencl");
        var e = Assert.Throws<OpenClException>(() =>
            backend.Compile("KERNEL void broken(GLOBAL float* y) { y[0] = no_such_variable; }"));
        output.WriteLine(e.Message);
        Assert.Equal("clBuildProgram", e.Call);
        Assert.Contains("CL_BUILD_PROGRAM_FAILURE", e.Message);
        Assert.Contains("no_such_variable", e.Message);
    }

    public static TheoryData<string> KernelSourceBackends
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in TestBackends.AvailableNames.Where(name => TestBackends.Backend(name) is KernelBackend)) data.Add(name);
            return data;
        }
    }

    // A caller's own kernel (as Models brings the decision's): compiled after the prelude and the device library, launched
    // with scalars and buffers; y = a x + u, u the Philox uniform of position i from the library's philox_block.
    [Theory, MemberData(nameof(KernelSourceBackends))]
    public void ACallersKernelCompilesAgainstTheLibraryAndRuns(string name)
    {
        var backend = (KernelBackend)TestBackends.Backend(name);
        var kernel = backend.Compile("""
            KERNEL void affine_plus_uniform(const int n, const float a, GLOBAL const float* x, GLOBAL float* y)
            {
                const int i = GLOBAL_ID(0);
                if (i >= n) return;
                uint w[4];
                philox_block(7, 3, (u64)i / 4, w);
                y[i] = a * x[i] + philox_uniform(w[i % 4]);
            }
            """).Kernel("affine_plus_uniform");
        var device = (IComputeBackend)backend;
        const int n = 70;   // more than one group of LinearGroup
        var x = Enumerable.Range(0, n).Select(i => i * 0.25f).ToArray();
        using var xs = device.Upload(x);
        using var ys = device.Allocate(ElementType.Float32, n);
        backend.LaunchLinear(kernel, n, n, 3f, backend.FloatArg(xs), backend.FloatArg(ys));
        var y = device.Floats(ys);
        for (int i = 0; i < n; i++) Assert.Equal(3f * x[i] + Philox.Uniform<float>(7, 3, (ulong)i), y[i]);
        Assert.Throws<ArgumentException>(() => backend.LaunchLinear(kernel, n, n, 3f, backend.IntArg(xs), backend.FloatArg(ys)));
        using var other = new CpuBackend();
        using var foreign = other.Allocate(ElementType.Float32, n);
        Assert.Throws<ArgumentException>(() => backend.FloatArg(foreign));
    }

    [Fact]
    public void ErrorCodesHaveTheirClNames()
    {
        Assert.Equal("CL_INVALID_KERNEL_ARGS", OpenClException.ErrorName(-52));
        Assert.Equal("CL_PLATFORM_NOT_FOUND_KHR", OpenClException.ErrorName(-1001));
        Assert.Equal("clEnqueueNDRangeKernel(gemm_f32) failed: CL_INVALID_WORK_GROUP_SIZE (-54)",
            new OpenClException("clEnqueueNDRangeKernel(gemm_f32)", -54).Message);
    }

    [Fact]
    public void SureDeviceNamesTheDefaultBackend()
    {
        var saved = Environment.GetEnvironmentVariable(Sure.Tensors.Devices.Backends.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(Sure.Tensors.Devices.Backends.EnvironmentVariable, null);
            Assert.Equal("cpu", Sure.Tensors.Devices.Backends.DefaultName);
            Environment.SetEnvironmentVariable(Sure.Tensors.Devices.Backends.EnvironmentVariable, " CUDA ");
            Assert.Equal("cuda", Sure.Tensors.Devices.Backends.DefaultName);
            Environment.SetEnvironmentVariable(Sure.Tensors.Devices.Backends.EnvironmentVariable, "tpu");
            var e = Assert.Throws<InvalidOperationException>(Sure.Tensors.Devices.Backends.CreateDefault);
            Assert.Contains("SURE_DEVICE=tpu is unavailable: unknown backend 'tpu'", e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Sure.Tensors.Devices.Backends.EnvironmentVariable, saved);
        }
    }

    [Theory, MemberData(nameof(Backends))]
    public void BuffersRejectTheWrongTypeAndForeignBackends(string name)
    {
        var backend = TestBackends.Backend(name);
        using var floats = backend.Allocate(ElementType.Float32, 4);
        Assert.Throws<ArgumentException>(() => backend.Upload<int>([1, 2], floats));
        Assert.Throws<ArgumentException>(() => backend.Upload<float>([1, 2, 3, 4, 5], floats));
        using var other = new CpuBackend();
        using var foreign = name == "cpu" ? new OpenClLookalike() : other.Allocate(ElementType.Float32, 4);
        Assert.Throws<ArgumentException>(() => backend.Upload<float>([1, 2], foreign));
    }

    [Theory, MemberData(nameof(Backends))]
    public void EmptyBuffersAndEmptyLaunchesAreFine(string name)
    {
        var backend = TestBackends.Backend(name);
        using var x = backend.Allocate(ElementType.Float32, 0);
        backend.Upload<float>([], x);
        backend.Map(UnaryOp.Exp, x, 0, x);
        backend.Softmax(x, 0, 5, x);
        backend.Synchronize();
        Assert.Empty(backend.Floats(x));
    }

    sealed class OpenClLookalike() : DeviceBuffer(ElementType.Float32, 4)
    {
        protected override void Release() { }
    }
}
