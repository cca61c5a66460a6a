namespace Sure.Autodiff;

/// <summary>
/// Adam with bias correction (Kingma and Ba; the same update as torch.optim.Adam without weight decay):
/// m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
/// Moments and scratch are allocated once here, so Step allocates nothing.
/// </summary>
public sealed class Adam<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    readonly ParameterSet<T> _parameters;
    readonly T[][] _m, _v;
    readonly T[] _scratch;

    public Adam(ParameterSet<T> parameters, T lr, T? beta1 = null, T? beta2 = null, T? eps = null)
    {
        _parameters = parameters;
        Lr = lr;
        Beta1 = beta1 ?? T.CreateChecked(0.9);
        Beta2 = beta2 ?? T.CreateChecked(0.999);
        Eps = eps ?? T.CreateChecked(1e-8);
        _m = new T[parameters.Count][];
        _v = new T[parameters.Count][];
        int largest = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            int n = parameters[i].Value.Length;
            _m[i] = new T[n];
            _v[i] = new T[n];
            largest = Math.Max(largest, n);
        }
        _scratch = new T[largest];
    }

    public T Lr { get; set; }
    public T Beta1 { get; }
    public T Beta2 { get; }
    public T Eps { get; }
    /// <summary>Steps taken so far (t in the bias corrections).</summary>
    public int StepCount { get; private set; }

    /// <summary>Step t's bias corrections folded into two scalars: -lr / (1 - beta1^t) and 1 / sqrt(1 - beta2^t).</summary>
    public static (T StepSize, T InvSqrtCorrection2) StepScalars(T lr, T beta1, T beta2, int t) =>
        (-lr / (T.One - T.Pow(beta1, T.CreateChecked(t))), T.One / T.Sqrt(T.One - T.Pow(beta2, T.CreateChecked(t))));

    /// <summary>One update of every parameter from its current gradient (gradients are left as they are).</summary>
    public void Step()
    {
        StepCount++;
        T one = T.One;
        var (stepSize, invSqrtCorrection2) = StepScalars(Lr, Beta1, Beta2, StepCount);
        for (int i = 0; i < _parameters.Count; i++)
        {
            var p = _parameters[i];
            var g = p.Grad.Span;
            var m = _m[i].AsSpan();
            var v = _v[i].AsSpan();
            var s = _scratch.AsSpan(0, _m[i].Length);
            var w = p.Value.Span;
            TP.Multiply(m, Beta1, m);
            TP.MultiplyAdd(g, one - Beta1, m, m);
            TP.Multiply(g, g, s);
            TP.Multiply(v, Beta2, v);
            TP.MultiplyAdd(s, one - Beta2, v, v);
            // s = m / (sqrt(v) / sqrt(correction2) + eps), then w += stepSize * s
            TP.Sqrt(v, s);
            TP.Multiply(s, invSqrtCorrection2, s);
            TP.Add(s, Eps, s);
            TP.Divide(m, s, s);
            TP.MultiplyAdd(s, stepSize, w, w);
        }
    }
}
