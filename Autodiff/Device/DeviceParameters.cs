using Sure.Tensors.Devices;

namespace Sure.Autodiff.Device;

/// <summary>
/// Device copies of a <see cref="ParameterSet{T}"/>: a value and a gradient buffer per parameter, allocated once.
/// The host set stays the source of names and shapes (checkpoints are written from it after <see cref="Download"/>).
/// </summary>
public sealed class DeviceParameters : IDisposable
{
    readonly DeviceBuffer[] _values, _grads;
    readonly Dictionary<Parameter<float>, int> _index = new(ReferenceEqualityComparer.Instance);

    public DeviceParameters(IComputeBackend backend, ParameterSet<float> host)
    {
        Backend = backend;
        Host = host;
        _values = new DeviceBuffer[host.Count];
        _grads = new DeviceBuffer[host.Count];
        for (int i = 0; i < host.Count; i++)
        {
            _values[i] = backend.Allocate(ElementType.Float32, host[i].Value.Length);
            _grads[i] = backend.Allocate(ElementType.Float32, host[i].Value.Length);
            _index.Add(host[i], i);
        }
        Upload();
        ZeroGrad();
    }

    public IComputeBackend Backend { get; }
    public ParameterSet<float> Host { get; }
    public int Count => _values.Length;

    public DeviceBuffer Value(int i) => _values[i];
    public DeviceBuffer Grad(int i) => _grads[i];

    /// <summary>The position of a parameter of <see cref="Host"/>; throws for any other.</summary>
    public int IndexOf(Parameter<float> parameter) =>
        _index.TryGetValue(parameter, out int i) ? i : throw new ArgumentException($"{parameter.Name} is not among these device parameters", nameof(parameter));

    /// <summary>Host values to the device.</summary>
    public void Upload()
    {
        for (int i = 0; i < Count; i++) Backend.Upload<float>(Host[i].Value.Span, _values[i]);
    }

    /// <summary>Device values to the host (e.g. before saving a checkpoint).</summary>
    public void Download()
    {
        for (int i = 0; i < Count; i++) Backend.Download(_values[i], Host[i].Value.Span);
    }

    /// <summary>Device gradients into the host parameters' Grad.</summary>
    public void DownloadGrads()
    {
        for (int i = 0; i < Count; i++) Backend.Download(_grads[i], Host[i].Grad.Span);
    }

    public void ZeroGrad()
    {
        for (int i = 0; i < Count; i++) Backend.Fill(0f, _grads[i].Length, _grads[i]);
    }

    /// <summary>Every gradient += scale times the same parameter's gradient in <paramref name="other"/> (same shapes).</summary>
    public void AddGrads(DeviceParameters other, float scale = 1f)
    {
        if (other.Count != Count || other.Backend != Backend) throw new ArgumentException("the other parameters differ in count or backend", nameof(other));
        for (int i = 0; i < Count; i++) Backend.Axpy(scale, other._grads[i], Host[i].Value.Length, _grads[i]);
    }

    /// <summary>
    /// <see cref="ParameterSet{T}.ClipGradNorm"/> on the device: the L2 norm of all gradients together (each one's sum of
    /// squares as a product g^T g, added on the host in float), and the gradients scaled by maxNorm / norm when above it.
    /// </summary>
    public float ClipGradNorm(float maxNorm)
    {
        _squares ??= Array.ConvertAll(_grads, _ => Backend.Allocate(ElementType.Float32, 1));
        float sumSquares = 0f;
        Span<float> one = stackalloc float[1];
        for (int i = 0; i < Count; i++)
        {
            int n = Host[i].Value.Length;
            Backend.Gemm(_grads[i], false, _grads[i], false, 1, 1, n, false, _squares[i]);
            Backend.Download(_squares[i], one);
            sumSquares += one[0];
        }
        float norm = MathF.Sqrt(sumSquares);
        if (norm > maxNorm)
            for (int i = 0; i < Count; i++) Backend.Scale(_grads[i], maxNorm / norm, Host[i].Value.Length, _grads[i]);
        return norm;
    }

    DeviceBuffer[]? _squares;

    public void Dispose()
    {
        foreach (var b in _values) b.Dispose();
        foreach (var b in _grads) b.Dispose();
        foreach (var b in _squares ?? []) b.Dispose();
    }
}
