using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Sure.Tensors.Devices;
using Sure.Tensors.Devices.Cuda;
using Sure.Tensors.Devices.Kernels;
using Xunit.Abstractions;

namespace Sure.Devices.Tests;

/// <summary>
/// The CUDA backend's parts that need no GPU (the source NVRTC gets, its options, the reasons it gives), plus the
/// facts that need one. The kernels themselves are checked against the CPU by the conformance suite, which runs
/// on "cuda" wherever the factory can create it.
/// </summary>
public partial class CudaTests(ITestOutputHelper output)
{
    // Kernel definitions in the assembled source: written out, or through the elementwise helper macro.
    [GeneratedRegex(@"KERNEL void (\w+)\(|UNARY_KERNEL\((\w+),")]
    private static partial Regex KernelDefinition();

    [Fact]
    public void CudaSourceIsThePreludeThenTheSharedKernels()
    {
        var source = CudaBackend.Source;
        Assert.StartsWith(Prelude.Cuda, source);
        Assert.EndsWith(Sources.All, source);
        Assert.Contains("#define KERNEL extern \"C\" __global__", source);
        Assert.Contains("#define BARRIER __syncthreads()", source);
        // OpenCL-only spellings would not compile under NVRTC.
        Assert.DoesNotContain("#pragma OPENCL", source);
        Assert.DoesNotContain("get_global_id", source);
        Assert.DoesNotContain("__kernel", source);
    }

    [Fact]
    public void CudaSourceDefinesEveryKernelTheBackendLooksUp()
    {
        var defined = KernelDefinition().Matches(CudaBackend.Source)
            .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value)
            .Where(name => name != "name")   // the parameter of UNARY_KERNEL's own #define
            .ToHashSet();
        var missing = CudaBackend.KernelNames.Where(name => !defined.Contains(name)).ToList();
        Assert.True(missing.Count == 0, $"looked up but not defined: {string.Join(", ", missing)}");
        // And every kernel that is defined is loaded, so a kernel added later cannot be left without a launcher.
        var unused = defined.Where(name => !CudaBackend.KernelNames.Contains(name)).ToList();
        Assert.True(unused.Count == 0, $"defined but never looked up: {string.Join(", ", unused)}");
        Assert.Equal(CudaBackend.KernelNames.Length, CudaBackend.KernelNames.Distinct().Count());
    }

    [Fact]
    public void NvrtcOptionsTargetTheExactArchitectureWithoutContraction()
    {
        Assert.Equal(["--gpu-architecture=sm_90", "--fmad=false", "-default-device", "--std=c++17"],
            CudaBackend.CompileOptions("sm_90"));
        Assert.DoesNotContain(CudaBackend.CompileOptions("compute_86"), o => o.Contains("fast", StringComparison.Ordinal));
    }

    [Fact]
    public void MissingLibcudaIsAReasonNotACrash()
    {
        Assert.False(CudaApi.TryLoad(["libcuda-does-not-exist.so.1"], out var api, out var reason));
        Assert.Null(api);
        Assert.Equal("libcuda-does-not-exist.so.1 not found (no NVIDIA driver)", reason);
    }

    [Fact]
    public void MissingNvrtcIsAReasonThatSaysWhereItLooked()
    {
        Assert.False(Nvrtc.TryLoad(["libnvrtc-does-not-exist.so.13", "/nowhere/libnvrtc.so.12"], out var api, out var reason));
        Assert.Null(api);
        Assert.StartsWith("NVRTC not found (tried libnvrtc-does-not-exist.so.13, /nowhere/libnvrtc.so.12;", reason);
        Assert.Contains(Nvrtc.PathVariable, reason);
    }

    [Fact]
    public void NvrtcIsLookedForByVersionedSonameNewestFirstUnlessAPathIsGiven()
    {
        Assert.Equal(["/opt/cuda/lib64/libnvrtc.so.12"], Nvrtc.Candidates("/opt/cuda/lib64/libnvrtc.so.12"));
        var candidates = Nvrtc.Candidates(null);
        if (OperatingSystem.IsLinux())
        {
            int v13 = candidates.ToList().IndexOf("libnvrtc.so.13"), v12 = candidates.ToList().IndexOf("libnvrtc.so.12");
            Assert.True(v13 >= 0 && v12 > v13, string.Join(", ", candidates));
        }
    }

    [Fact]
    public void CudaExceptionNamesTheCallTheStatusAndTheDriversText()
    {
        var e = new CudaException("cuLaunchKernel(gemm_f32)", 1, "CUDA_ERROR_INVALID_VALUE", "invalid argument");
        Assert.Equal("cuLaunchKernel(gemm_f32) failed: CUDA_ERROR_INVALID_VALUE (1): invalid argument", e.Message);
        Assert.Equal(1, e.Status);
        var compile = new CudaException("nvrtcCompileProgram", 6, "NVRTC_ERROR_COMPILATION", null, "compile log:\nerror");
        Assert.Equal("nvrtcCompileProgram failed: NVRTC_ERROR_COMPILATION (6)\ncompile log:\nerror", compile.Message);
    }

    [Fact]
    public void CudaAvailabilityIsReported()
    {
        // Always runs: says which GPU the suite used, or why the CUDA rows and facts are skipped.
        var reason = TestBackends.Unavailable("cuda");
        output.WriteLine(reason is null
            ? $"cuda: {TestBackends.Backend("cuda").Device}; {((CudaBackend)TestBackends.Backend("cuda")).Build}"
            : $"cuda conformance tests skipped: {reason}");
        if (reason is null) return;
        Assert.False(string.IsNullOrWhiteSpace(reason));
        if (!NativeLibrary.TryLoad("libcuda.so.1", out var lib))
            Assert.Equal("libcuda.so.1 not found (no NVIDIA driver)", reason);
        else NativeLibrary.Free(lib);
    }

    [BackendFact("cuda")]
    public void KernelsAreBuiltForThisGpuWithoutContraction()
    {
        var cuda = (CudaBackend)TestBackends.Backend("cuda");
        output.WriteLine($"{cuda.Device}: {cuda.Build}");
        Assert.Matches(@"^(CUBIN sm_\d+|PTX compute_\d+); --gpu-architecture=", cuda.Build);
        Assert.Contains("--fmad=false", cuda.Build);
    }

    [BackendFact("cuda")]
    public void BuildFailureCarriesTheCompileLog()
    {
        var cuda = (CudaBackend)TestBackends.Backend("cuda");
        var e = Assert.Throws<CudaException>(() =>
            cuda.Compile("KERNEL void broken(GLOBAL float* y) { y[0] = no_such_variable; }"));
        output.WriteLine(e.Message);
        Assert.Equal("nvrtcCompileProgram", e.Call);
        Assert.Contains("NVRTC_ERROR_COMPILATION", e.Message);
        Assert.Contains("no_such_variable", e.Message);
    }
}

/// <summary>A CUDA backend of its own, so a capture records only this class's work, not other tests' launches.</summary>
public sealed class CudaGraphFixture : IDisposable
{
    public IComputeBackend? Backend { get; }

    public CudaGraphFixture()
    {
        if (TestBackends.Unavailable("cuda") is null && Backends.TryCreate("cuda", out var backend, out _)) Backend = backend;
    }

    public void Dispose() => Backend?.Dispose();
}

public class CudaGraphTests(CudaGraphFixture fixture) : IClassFixture<CudaGraphFixture>
{
    CudaBackend Cuda => (CudaBackend)fixture.Backend!;

    // y = exp(2x) + x, the reference in float like the kernels: exp within 2e-6 relative, then one exact add
    static float[] Expected(float[] x) => x.Select(v => MathF.Exp(2 * v) + v).ToArray();

    static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 4e-6 * Math.Abs(expected[i]) + 1e-6,
                $"[{i}] = {actual[i]}, expected {expected[i]}");
    }

    [BackendFact("cuda")]
    public void CapturedWorkRunsOnlyWhenLaunchedAndReadsTheBuffersAsTheyAreThen()
    {
        var cuda = Cuda;
        const int n = 1000;   // not a multiple of the 64-thread block
        var rng = new Random(5);
        var x = Check.RandomFloats(rng, n, -2, 2);
        using var dx = cuda.Upload(x);
        using var dy = cuda.Upload(new float[n]);
        cuda.Synchronize();

        cuda.BeginCapture();
        Assert.True(cuda.IsCapturing);
        cuda.Scale(dx, 2f, n, dy);
        cuda.Map(UnaryOp.Exp, dy, n, dy);
        cuda.Zip(BinaryOp.Add, dy, dx, n, dy);
        using var graph = cuda.EndCapture();
        Assert.False(cuda.IsCapturing);
        Assert.All(cuda.Floats(dy), v => Assert.Equal(0f, v));   // recorded, not run

        graph.Launch();
        AssertClose(Expected(x), cuda.Floats(dy));

        var x2 = Check.RandomFloats(rng, n, -2, 2);
        cuda.Upload<float>(x2, dx);
        graph.Launch();
        graph.Launch();   // idempotent: every replay recomputes dy from dx
        AssertClose(Expected(x2), cuda.Floats(dy));
    }

    [BackendFact("cuda")]
    public void CopiesAllocationAndSynchronizeAreRefusedWhileCapturing()
    {
        var cuda = Cuda;
        using var buffer = cuda.Allocate(ElementType.Float32, 4);
        cuda.BeginCapture();
        try
        {
            Assert.Throws<InvalidOperationException>(() => cuda.Upload<float>([1, 2, 3, 4], buffer));
            Assert.Throws<InvalidOperationException>(() => cuda.Download<float>(buffer, new float[4]));
            Assert.Throws<InvalidOperationException>(cuda.Synchronize);
            Assert.Throws<InvalidOperationException>(() => cuda.Allocate(ElementType.Int32, 1));
            Assert.Throws<InvalidOperationException>(cuda.BeginCapture);
        }
        finally
        {
            cuda.EndCapture().Dispose();
        }
        Assert.Throws<InvalidOperationException>(() => cuda.EndCapture());
        cuda.Upload<float>([1, 2, 3, 4], buffer);   // usable again once the capture ended
        Assert.Equal([1f, 2f, 3f, 4f], cuda.Floats(buffer));
    }
}
