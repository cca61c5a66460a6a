namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // returns tanh(x) elementwise
    public Var<T> Tanh(Var<T> x)
    {
        var y = NewValue(x.Shape);
        TP.Tanh(x.Value.Span, y.Span);
        Record(y, TanhBack, x);
        return Last;
    }

    static readonly BackwardFn<T> TanhBack = TanhBackward;

    static void TanhBackward(Tape<T> t, in Node<T> n)
    {
        var y = n.Value.Span;
        var dy = n.Grad.Span;
        var dx = t.GradOf(n.A).Span;
        for (int i = 0; i < dx.Length; i++) dx[i] += dy[i] * (T.One - y[i] * y[i]);
    }
}
