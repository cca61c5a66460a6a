namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // returns e^x elementwise
    public Var<T> Exp(Var<T> x)
    {
        var y = NewValue(x.Shape);
        TP.Exp(x.Value.Span, y.Span);
        Record(y, ExpBack, x);
        return Last;
    }

    static readonly BackwardFn<T> ExpBack = ExpBackward;

    static void ExpBackward(Tape<T> t, in Node<T> n)
    {
        var dx = t.GradOf(n.A).Span;
        TP.MultiplyAdd(n.Grad.Span, n.Value.Span, dx, dx);
    }
}
