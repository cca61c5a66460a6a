namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // u, mean: [n]  logStd: [1]; returns [n], ln N(u; mean, s^2) = -0.5 ((u - mean) / s)^2 - ln s - 0.5 ln(2 pi), s = e^logStd
    public Var<T> GaussianLogDensity(Var<T> u, Var<T> mean, Var<T> logStd)
    {
        SameShape(u, mean, nameof(GaussianLogDensity));
        if (logStd.Value.Length != 1) throw new ArgumentException($"GaussianLogDensity: logStd {logStd.Shape} must have one element");
        var us = u.Value.Span;
        var ms = mean.Value.Span;
        T ls = logStd.Value.Span[0], invS = T.Exp(-ls);
        T half = T.CreateChecked(0.5), constant = ls + half * T.Log(T.Tau);
        var y = NewValue(u.Shape);
        var ys = y.Span;
        for (int i = 0; i < ys.Length; i++)
        {
            T z = (us[i] - ms[i]) * invS;
            ys[i] = -half * z * z - constant;
        }
        Record(y, GaussianLogDensityBack, u, mean, logStd);
        return Last;
    }

    static readonly BackwardFn<T> GaussianLogDensityBack = GaussianLogDensityBackward;

    // with z = (u - mean) / s: dy/du = -z / s, dy/dmean = z / s, dy/dlogStd = z^2 - 1
    static void GaussianLogDensityBackward(Tape<T> t, in Node<T> n)
    {
        var us = t.ValueOf(n.A).Span;
        var ms = t.ValueOf(n.B).Span;
        var (du, dm, dls) = (t.GradOf(n.A), t.GradOf(n.B), t.GradOf(n.C));
        T invS = T.Exp(-t.ValueOf(n.C).Span[0]);
        var dy = n.Grad.Span;
        T dLogStd = T.Zero;
        for (int i = 0; i < dy.Length; i++)
        {
            T z = (us[i] - ms[i]) * invS;
            if (!du.IsNull) du.Span[i] -= dy[i] * z * invS;
            if (!dm.IsNull) dm.Span[i] += dy[i] * z * invS;
            dLogStd += dy[i] * (z * z - T.One);
        }
        if (!dls.IsNull) dls.Span[0] += dLogStd;
    }
}
