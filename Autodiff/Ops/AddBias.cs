namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // x: [m, n]  bias: [n]; returns x + bias on every row
    public Var<T> AddBias(Var<T> x, Var<T> bias)
    {
        var (xv, bv) = (x.Value, bias.Value);
        if (bv.Length != xv.Cols) throw new ArgumentException($"AddBias: bias {bv.Shape} for rows of {xv.Shape}");
        var y = NewValue(xv.Shape);
        int cols = xv.Cols;
        for (int r = 0; r < xv.Rows; r++)
            TP.Add(xv.Span.Slice(r * cols, cols), bv.Span, y.Span.Slice(r * cols, cols));
        Record(y, AddBiasBack, x, bias);
        return Last;
    }

    static readonly BackwardFn<T> AddBiasBack = AddBiasBackward;

    static void AddBiasBackward(Tape<T> t, in Node<T> n)
    {
        AccumulateInto(t.GradOf(n.A), n.Grad);
        var db = t.GradOf(n.B);
        if (db.IsNull) return;
        int cols = db.Length;
        var dy = n.Grad.Span;
        for (int r = 0; r * cols < dy.Length; r++) TP.Add(db.Span, dy.Slice(r * cols, cols), db.Span);
    }
}
