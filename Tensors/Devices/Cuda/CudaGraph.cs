namespace Sure.Tensors.Devices.Cuda;

/// <summary>
/// Work captured from a <see cref="CudaBackend"/>'s stream (cuStreamBeginCapture .. cuStreamEndCapture) and
/// instantiated once; each <see cref="Launch"/> replays every recorded kernel with the arguments it had, on the
/// backend's stream, in order with the work before and after it. Dispose it before its backend.
/// </summary>
public sealed class CudaGraph : IDisposable
{
    readonly CudaBackend owner;
    readonly nint graph, exec;
    bool disposed;

    internal CudaGraph(CudaBackend owner, nint graph, nint exec)
    {
        this.owner = owner;
        this.graph = graph;
        this.exec = exec;
    }

    /// <summary>Enqueues one replay; download a result (or Synchronize) to wait for it.</summary>
    public void Launch()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        owner.LaunchGraph(exec);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        owner.DestroyGraph(graph, exec);
    }
}
