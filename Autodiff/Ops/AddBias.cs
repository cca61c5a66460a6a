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
        // Narrow rows (NVSS's logits are [rows, 1]) go through one call, not one per row: the same sums, far fewer calls.
        if (cols == 1) TP.Add(xv.Span, bv.Span[0], y.Span);
        else
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
        if (cols == 1)
        {
            // Row by row in order, as the general loop adds them (the same float sum).
            T sum = db.Span[0];
            foreach (T g in dy) sum += g;
            db.Span[0] = sum;
            return;
        }
        for (int r = 0; r * cols < dy.Length; r++) TP.Add(db.Span, dy.Slice(r * cols, cols), db.Span);
    }
}
