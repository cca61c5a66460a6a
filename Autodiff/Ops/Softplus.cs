namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // returns ln(1 + e^x) elementwise, overflow-free
    public Var<T> Softplus(Var<T> x)
    {
        var y = NewValue(x.Shape);
        RowOps.Softplus<T>(x.Value.Span, y.Span);
        Record(y, SoftplusBack, x);
        return Last;
    }

    static readonly BackwardFn<T> SoftplusBack = SoftplusBackward;

    // d softplus / dx = sigmoid(x)
    static void SoftplusBackward(Tape<T> t, in Node<T> n)
    {
        var x = t.ValueOf(n.A).Span;
        var dy = n.Grad.Span;
        var dx = t.GradOf(n.A).Span;
        for (int i = 0; i < dx.Length; i++) dx[i] += dy[i] / (T.One + T.Exp(-x[i]));
    }
}
