namespace Sure.Tensors.Devices;

/// <summary>
/// One element of an Adam step (Kingma and Ba), in the order Autodiff's Adam computes it over spans, for the backends'
/// AdamStep (CPU loop and ILGPU kernel; the OpenCL/CUDA source spells the same lines).
/// </summary>
public static class AdamRule
{
    public static void Step(float g, float beta1, float beta2, float eps, float stepSize, float invSqrtCorrection2,
        ref float m, ref float v, ref float p)
    {
        m = g * (1f - beta1) + m * beta1;
        v = g * g * (1f - beta2) + v * beta2;
        p = m / (MathF.Sqrt(v) * invSqrtCorrection2 + eps) * stepSize + p;
    }
}
