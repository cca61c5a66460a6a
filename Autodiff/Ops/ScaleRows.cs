namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // x: [m, n]  s: [m] (or [m, 1]); returns y[i, j] = x[i, j] * s[i], e.g. gates times node features
    public Var<T> ScaleRows(Var<T> x, Var<T> s)
    {
        var (xv, sv) = (x.Value, s.Value);
        if (sv.Length != xv.Rows) throw new ArgumentException($"ScaleRows: {sv.Shape} scales for the rows of {xv.Shape}");
        var y = NewValue(xv.Shape);
        int cols = xv.Cols;
        for (int i = 0; i < sv.Length; i++) TP.Multiply(xv.Span.Slice(i * cols, cols), sv.Span[i], y.Span.Slice(i * cols, cols));
        Record(y, ScaleRowsBack, x, s);
        return Last;
    }

    static readonly BackwardFn<T> ScaleRowsBack = ScaleRowsBackward;

    // dx[i] += dy[i] * s[i];  ds[i] += dy[i] . x[i]
    static void ScaleRowsBackward(Tape<T> t, in Node<T> n)
    {
        var (x, s, dx, ds) = (t.ValueOf(n.A), t.ValueOf(n.B), t.GradOf(n.A), t.GradOf(n.B));
        int cols = x.Cols;
        var dy = n.Grad.Span;
        for (int i = 0; i < s.Length; i++)
        {
            var dyRow = dy.Slice(i * cols, cols);
            if (!dx.IsNull) TP.MultiplyAdd(dyRow, s.Span[i], dx.Span.Slice(i * cols, cols), dx.Span.Slice(i * cols, cols));
            if (!ds.IsNull) ds.Span[i] += TP.Dot<T>(dyRow, x.Span.Slice(i * cols, cols));
        }
    }
}
