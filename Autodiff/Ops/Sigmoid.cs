namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // returns 1 / (1 + e^-x) elementwise
    public Var<T> Sigmoid(Var<T> x)
    {
        var y = NewValue(x.Shape);
        TP.Sigmoid(x.Value.Span, y.Span);
        Record(y, SigmoidBack, x);
        return Last;
    }

    static readonly BackwardFn<T> SigmoidBack = SigmoidBackward;

    static void SigmoidBackward(Tape<T> t, in Node<T> n)
    {
        var y = n.Value.Span;
        var dy = n.Grad.Span;
        var dx = t.GradOf(n.A).Span;
        for (int i = 0; i < dx.Length; i++) dx[i] += dy[i] * y[i] * (T.One - y[i]);
    }
}
