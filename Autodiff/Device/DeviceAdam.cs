using Sure.Tensors.Devices;

namespace Sure.Autodiff.Device;

/// <summary>
/// <see cref="Adam{T}"/> on the device: the same update (bias corrections folded into two scalars per step, computed on
/// the host in float as Adam&lt;float&gt; does), one <see cref="IComputeBackend.AdamStep"/> launch per parameter, moments
/// allocated once and zeroed.
/// </summary>
public sealed class DeviceAdam : IDisposable
{
    readonly DeviceParameters _parameters;
    readonly DeviceBuffer[] _m, _v;

    public DeviceAdam(DeviceParameters parameters, float lr, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f)
    {
        _parameters = parameters;
        (Lr, Beta1, Beta2, Eps) = (lr, beta1, beta2, eps);
        var backend = parameters.Backend;
        _m = new DeviceBuffer[parameters.Count];
        _v = new DeviceBuffer[parameters.Count];
        for (int i = 0; i < parameters.Count; i++)
        {
            int n = parameters.Value(i).Length;
            _m[i] = backend.Allocate(ElementType.Float32, n);
            _v[i] = backend.Allocate(ElementType.Float32, n);
            backend.Fill(0f, n, _m[i]);
            backend.Fill(0f, n, _v[i]);
        }
    }

    public float Lr { get; set; }
    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Eps { get; }
    public int StepCount { get; private set; }

    /// <summary>One update of every parameter from its current device gradient (gradients are left as they are).</summary>
    public void Step()
    {
        StepCount++;
        var (stepSize, invSqrtCorrection2) = Adam<float>.StepScalars(Lr, Beta1, Beta2, StepCount);
        for (int i = 0; i < _parameters.Count; i++)
            _parameters.Backend.AdamStep(_parameters.Grad(i), _parameters.Value(i).Length, Beta1, Beta2, Eps, stepSize,
                invSqrtCorrection2, _m[i], _v[i], _parameters.Value(i));
    }

    public void Dispose()
    {
        foreach (var b in _m) b.Dispose();
        foreach (var b in _v) b.Dispose();
    }
}
