using Sure.Tensors.Devices.Cuda;
using Sure.Tensors.Devices.Ilgpu;
using Sure.Tensors.Devices.OpenCl;

namespace Sure.Tensors.Devices;

/// <summary>Chooses a backend by name or by the SURE_DEVICE environment variable.</summary>
public static class Backends
{
    public const string EnvironmentVariable = "SURE_DEVICE";

    public static IReadOnlyList<string> Names { get; } = ["cpu", "opencl", "cuda", "ilgpu-cpu", "ilgpu-cuda", "ilgpu-opencl"];

    /// <summary>The name in SURE_DEVICE, or "cpu" when it is unset or blank.</summary>
    public static string DefaultName
    {
        get
        {
            var name = Environment.GetEnvironmentVariable(EnvironmentVariable);
            return string.IsNullOrWhiteSpace(name) ? "cpu" : name.Trim().ToLowerInvariant();
        }
    }

    /// <summary>
    /// Creates the named backend. A runtime that is missing or broken is not an error here: the call returns
    /// false and says why, so callers can fall back or report.
    /// </summary>
    public static bool TryCreate(string name, out IComputeBackend? backend, out string reason)
    {
        backend = null;
        reason = "";
        switch (name.Trim().ToLowerInvariant())
        {
            case "cpu":
                backend = new CpuBackend();
                return true;
            case "opencl":
                return OpenClBackend.TryCreate(out backend, out reason);
            case "cuda":
                return CudaBackend.TryCreate(out backend, out reason);
            case "ilgpu-cpu":
                return IlgpuBackend.TryCreate(IlgpuTarget.Cpu, out backend, out reason);
            case "ilgpu-cuda":
                return IlgpuBackend.TryCreate(IlgpuTarget.Cuda, out backend, out reason);
            case "ilgpu-opencl":
                return IlgpuBackend.TryCreate(IlgpuTarget.OpenCl, out backend, out reason);
            default:
                reason = $"unknown backend '{name}' (known: {string.Join(", ", Names)})";
                return false;
        }
    }

    /// <summary>The backend named by SURE_DEVICE (default cpu); throws with the reason when it is unavailable.</summary>
    public static IComputeBackend CreateDefault()
    {
        var name = DefaultName;
        if (TryCreate(name, out var backend, out var reason)) return backend!;
        throw new InvalidOperationException($"{EnvironmentVariable}={name} is unavailable: {reason}");
    }
}
