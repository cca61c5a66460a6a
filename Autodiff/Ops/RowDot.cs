namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // a, b: [m, n]; returns [m], y[i] = a[i] . b[i]
    public Var<T> RowDot(Var<T> a, Var<T> b)
    {
        SameShape(a, b, nameof(RowDot));
        var (av, bv) = (a.Value, b.Value);
        int m = av.Rows, cols = av.Cols;
        var y = NewValue(m);
        for (int i = 0; i < m; i++)
            y.Span[i] = TP.Dot<T>(av.Span.Slice(i * cols, cols), bv.Span.Slice(i * cols, cols));
        Record(y, RowDotBack, a, b);
        return Last;
    }

    static readonly BackwardFn<T> RowDotBack = RowDotBackward;

    static void RowDotBackward(Tape<T> t, in Node<T> n)
    {
        var (a, b, da, db) = (t.ValueOf(n.A), t.ValueOf(n.B), t.GradOf(n.A), t.GradOf(n.B));
        int cols = a.Cols;
        var dy = n.Grad.Span;
        for (int i = 0; i < dy.Length; i++)
        {
            if (!da.IsNull) TP.MultiplyAdd(b.Span.Slice(i * cols, cols), dy[i], da.Span.Slice(i * cols, cols), da.Span.Slice(i * cols, cols));
            if (!db.IsNull) TP.MultiplyAdd(a.Span.Slice(i * cols, cols), dy[i], db.Span.Slice(i * cols, cols), db.Span.Slice(i * cols, cols));
        }
    }
}
