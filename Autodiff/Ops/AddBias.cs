using System.Runtime.Intrinsics;

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
        if (cols % Vector256<T>.Count == 0 && cols <= WideBias * Vector256<T>.Count && Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            SumRowsInRegisters(dy, db.Span);
            return;
        }
        for (int r = 0; r * cols < dy.Length; r++) TP.Add(db.Span, dy.Slice(r * cols, cols), db.Span);
    }

    // Widest bias (in vectors) whose column sums stay in registers: H = 64 floats is 8.
    const int WideBias = 8;

    // db[c] += dy[0, c] + dy[1, c] + ... row by row, as the loop above adds them (the same float sums), with the
    // running sums in registers instead of one call and one load and store of db per row.
    // dy: [rows, cols]  db: [cols], cols a multiple of the vector width, at most WideBias vectors
    static void SumRowsInRegisters(ReadOnlySpan<T> dy, Span<T> db)
    {
        int w = Vector256<T>.Count, vectors = db.Length / w;
        Span<Vector256<T>> sums = stackalloc Vector256<T>[WideBias];
        for (int v = 0; v < vectors; v++) sums[v] = Vector256.Create((ReadOnlySpan<T>)db.Slice(v * w, w));
        for (int row = 0; row < dy.Length; row += db.Length)
            for (int v = 0; v < vectors; v++) sums[v] += Vector256.Create(dy.Slice(row + v * w, w));
        for (int v = 0; v < vectors; v++) sums[v].CopyTo(db.Slice(v * w, w));
    }
}
