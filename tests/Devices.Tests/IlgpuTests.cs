using System.Reflection;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Sure.Models;
using Sure.Tensors.Devices.Ilgpu;

namespace Sure.Devices.Tests;

/// <summary>
/// What the ilgpu-cpu rows cannot show: the CPU accelerator runs the kernels' IL as it is, while ilgpu-cuda compiles
/// them through ILGPU's IR to PTX. Compiling every kernel to PTX here needs no GPU and catches a kernel ILGPU's GPU
/// compiler refuses (a managed allocation, an exception, an unsupported call) before a GPU machine does.
/// </summary>
public class IlgpuTests
{
    public static TheoryData<string> Kernels
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var method in KernelMethods()) data.Add($"{method.DeclaringType!.Name}.{method.Name}");
            return data;
        }
    }

    // Every public static method whose first parameter is the thread index is a kernel.
    static IEnumerable<MethodInfo> KernelMethods() =>
        new[] { typeof(IlgpuKernels), typeof(IlgpuDecisionKernels) }
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(method => method.GetParameters() is [var first, ..] && first.ParameterType == typeof(Index1D));

    // The theory above is only as good as the reflection that finds the kernels: 15 generic ops, 11 decision ops.
    [Fact]
    public void EveryOpHasAKernel() => Assert.Equal(22 + 11, KernelMethods().Count());

    [Theory, MemberData(nameof(Kernels))]
    public void KernelCompilesToPtx(string name)
    {
        var method = KernelMethods().Single(m => $"{m.DeclaringType!.Name}.{m.Name}" == name);
        using var context = Context.Create(builder => builder.EnableAlgorithms());   // as IlgpuBackend
        using var backend = new PTXBackend(context, CudaArchitecture.SM_90, new CudaInstructionSet(7, 8), null!);
        var entry = EntryPointDescription.FromImplicitlyGroupedKernel(method);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
        if (Environment.GetEnvironmentVariable("SURE_PTX_DIR") is { Length: > 0 } dir)
            File.WriteAllText(Path.Combine(dir, name + ".ptx"), compiled.PTXAssembly);
        Assert.Contains(".entry", compiled.PTXAssembly);
        Assert.Matches(@"\.target\s+sm_\d+", compiled.PTXAssembly);   // ILGPU 1.5.3 writes sm_80 for SM_90 with ISA 7.8
    }
}
