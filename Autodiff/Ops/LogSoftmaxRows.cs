namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // x: [m, n] (a vector is one row); returns the log-softmax of each row
    public Var<T> LogSoftmaxRows(Var<T> x)
    {
        var y = NewValue(x.Shape);
        RowOps.LogSoftmax<T>(x.Value.Span, x.Value.Cols, y.Span);
        Record(y, LogSoftmaxRowsBack, x);
        return Last;
    }

    static readonly BackwardFn<T> LogSoftmaxRowsBack = LogSoftmaxRowsBackward;

    // dx = dy - softmax * sum(dy) row by row, softmax = e^y
    static void LogSoftmaxRowsBackward(Tape<T> t, in Node<T> n)
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
            T sum = TP.Sum<T>(dyr);
            for (int c = 0; c < cols; c++) dxr[c] += dyr[c] - T.Exp(yr[c]) * sum;
        }
    }
}
