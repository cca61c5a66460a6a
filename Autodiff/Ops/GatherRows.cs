namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // x: [r, d]  index: [q], repeats allowed, kept by reference until Backward; returns x[index]: [q, d]
    public Var<T> GatherRows(Var<T> x, ReadOnlyMemory<int> index)
    {
        var xv = x.Value;
        int d = xv.Cols;
        OpChecks.Rows(index.Span, xv.Shape);
        var y = NewValue(index.Length, d);
        Sparse.GatherRows<T>(xv.Span, d, index.Span, y.Span);
        Record(y, GatherRowsBack, x).Index = index;
        return Last;
    }

    static readonly BackwardFn<T> GatherRowsBack = GatherRowsBackward;

    static void GatherRowsBackward(Tape<T> t, in Node<T> n)
    {
        var dx = t.GradOf(n.A);
        Sparse.ScatterAddRows<T>(n.Grad.Span, dx.Cols, n.Index.Span, dx.Span);
    }
}
