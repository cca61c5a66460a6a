namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // a: [m, p]  b: [m, q]; returns [m, p + q], columns of a then b
    public Var<T> Concat(Var<T> a, Var<T> b)
    {
        var (av, bv) = (a.Value, b.Value);
        if (av.Rank != 2 || bv.Rank != 2 || av.Rows != bv.Rows)
            throw new ArgumentException($"Concat: {av.Shape} and {bv.Shape} are not matrices with equal rows");
        int m = av.Rows, p = av.Cols, q = bv.Cols;
        var y = NewValue(m, p + q);
        var ys = y.Span;
        for (int r = 0; r < m; r++)
        {
            av.Span.Slice(r * p, p).CopyTo(ys.Slice(r * (p + q), p));
            bv.Span.Slice(r * q, q).CopyTo(ys.Slice(r * (p + q) + p, q));
        }
        Record(y, ConcatBack, a, b);
        return Last;
    }

    static readonly BackwardFn<T> ConcatBack = ConcatBackward;

    static void ConcatBackward(Tape<T> t, in Node<T> n)
    {
        var da = t.GradOf(n.A);
        var db = t.GradOf(n.B);
        var dy = n.Grad.Span;
        int p = t.ValueOf(n.A).Cols, q = t.ValueOf(n.B).Cols, m = n.Grad.Rows;
        for (int r = 0; r < m; r++)
        {
            if (!da.IsNull) TP.Add(da.Span.Slice(r * p, p), dy.Slice(r * (p + q), p), da.Span.Slice(r * p, p));
            if (!db.IsNull) TP.Add(db.Span.Slice(r * q, q), dy.Slice(r * (p + q) + p, q), db.Span.Slice(r * q, q));
        }
    }
}
