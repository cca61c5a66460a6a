using Sure.Tensors.Devices;

namespace Sure.Devices.Tests;

/// <summary>One instance of each available backend per test run, so the OpenCL and CUDA programs are compiled once.</summary>
public static class TestBackends
{
    static readonly Dictionary<string, (IComputeBackend? Backend, string Reason)> created = [];
    static readonly Lock gate = new();

    static (IComputeBackend? Backend, string Reason) Get(string name)
    {
        lock (gate)
        {
            if (!created.TryGetValue(name, out var entry))
            {
                Backends.TryCreate(name, out var backend, out var reason);
                created[name] = entry = (backend, reason);
            }
            return entry;
        }
    }

    public static IComputeBackend Backend(string name) =>
        Get(name).Backend ?? throw new InvalidOperationException($"{name} is unavailable: {Get(name).Reason}");

    /// <summary>Why the backend cannot be created, or null when it can.</summary>
    public static string? Unavailable(string name) => Get(name).Backend is null ? Get(name).Reason : null;

    /// <summary>The name of every backend this machine can run (cpu always).</summary>
    public static IEnumerable<string> AvailableNames => new[] { "cpu", "opencl", "cuda", "ilgpu-cpu", "ilgpu-cuda", "ilgpu-opencl" }.Where(name => Unavailable(name) is null);

    /// <summary>Theory data: <see cref="AvailableNames"/>.</summary>
    public static TheoryData<string> Available
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in AvailableNames) data.Add(name);
            return data;
        }
    }
}

/// <summary>A fact that xunit reports as skipped, with the factory's reason, when the backend is unavailable.</summary>
public sealed class BackendFactAttribute : FactAttribute
{
    public BackendFactAttribute(string backend)
    {
        if (TestBackends.Unavailable(backend) is { } reason) Skip = $"{backend} backend unavailable: {reason}";
    }
}
