namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // a, b: same shape; returns a - b
    public Var<T> Sub(Var<T> a, Var<T> b)
    {
        SameShape(a, b, nameof(Sub));
        var y = NewValue(a.Shape);
        TP.Subtract(a.Value.Span, b.Value.Span, y.Span);
        Record(y, SubBack, a, b);
        return Last;
    }

    static readonly BackwardFn<T> SubBack = SubBackward;

    static void SubBackward(Tape<T> t, in Node<T> n)
    {
        AccumulateInto(t.GradOf(n.A), n.Grad);
        var db = t.GradOf(n.B);
        if (!db.IsNull) TP.Subtract(db.Span, n.Grad.Span, db.Span);
    }
}
