namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // x: [m, n] (a vector is one row); returns the softmax of each row
    public Var<T> SoftmaxRows(Var<T> x)
    {
        var y = NewValue(x.Shape);
        RowOps.Softmax<T>(x.Value.Span, x.Value.Cols, y.Span);
        Record(y, SoftmaxRowsBack, x);
        return Last;
    }

    static readonly BackwardFn<T> SoftmaxRowsBack = SoftmaxRowsBackward;

    // dx = y * (dy - (dy . y)) row by row
    static void SoftmaxRowsBackward(Tape<T> t, in Node<T> n)
    {
        var dx = t.GradOf(n.A).Span;
        var y = n.Value.Span;
        var dy = n.Grad.Span;
        int cols = n.Value.Cols;
        for (int r = 0; r * cols < y.Length; r++)
        {
            var yr = y.Slice(r * cols, cols);
            var dyr = dy.Slice(r * cols, cols);
            var dxr = dx.Slice(r * cols, cols);
            T dot = TP.Dot<T>(yr, dyr);
            for (int c = 0; c < cols; c++) dxr[c] += yr[c] * (dyr[c] - dot);
        }
    }
}
