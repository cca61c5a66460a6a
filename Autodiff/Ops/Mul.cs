namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // a, b: same shape; returns a * b elementwise
    public Var<T> Mul(Var<T> a, Var<T> b)
    {
        SameShape(a, b, nameof(Mul));
        var y = NewValue(a.Shape);
        TP.Multiply(a.Value.Span, b.Value.Span, y.Span);
        Record(y, MulBack, a, b);
        return Last;
    }

    static readonly BackwardFn<T> MulBack = MulBackward;

    static void MulBackward(Tape<T> t, in Node<T> n)
    {
        var (da, db) = (t.GradOf(n.A), t.GradOf(n.B));
        if (!da.IsNull) TP.MultiplyAdd(n.Grad.Span, t.ValueOf(n.B).Span, da.Span, da.Span);
        if (!db.IsNull) TP.MultiplyAdd(n.Grad.Span, t.ValueOf(n.A).Span, db.Span, db.Span);
    }
}
