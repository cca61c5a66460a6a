namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // returns -x
    public Var<T> Neg(Var<T> x)
    {
        var y = NewValue(x.Shape);
        TP.Negate(x.Value.Span, y.Span);
        Record(y, NegBack, x);
        return Last;
    }

    static readonly BackwardFn<T> NegBack = NegBackward;

    static void NegBackward(Tape<T> t, in Node<T> n)
    {
        var dx = t.GradOf(n.A);
        TP.Subtract(dx.Span, n.Grad.Span, dx.Span);
    }
}
