namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    const int TransA = 1, TransB = 2;

    // a: [m, k], or [k, m] when transA
    // b: [k, n], or [n, k] when transB
    // returns op(a) @ op(b): [m, n]
    public Var<T> MatMul(Var<T> a, Var<T> b, bool transA = false, bool transB = false)
    {
        var (av, bv) = (a.Value, b.Value);
        if (av.Rank != 2 || bv.Rank != 2) throw new ArgumentException($"MatMul needs matrices, got {av.Shape} and {bv.Shape}");
        int m = transA ? av.Cols : av.Rows, k = transA ? av.Rows : av.Cols;
        int kb = transB ? bv.Cols : bv.Rows, n = transB ? bv.Rows : bv.Cols;
        if (k != kb) throw new ArgumentException($"MatMul: inner sizes differ, {av.Shape}{(transA ? "^T" : "")} @ {bv.Shape}{(transB ? "^T" : "")}");
        var y = NewValue(m, n);
        Gemm.Multiply<T>(av.Span, transA, bv.Span, transB, y.Span, m, n, k, accumulate: false, Threads);
        ref var node = ref Record(y, MatMulBack, a, b);
        node.Flags = (transA ? TransA : 0) | (transB ? TransB : 0);
        return Last;
    }

    static readonly BackwardFn<T> MatMulBack = MatMulBackward;

    // With Y = op(A) op(B): d op(A) = dY op(B)^T and d op(B) = op(A)^T dY; a transposed operand takes the transpose.
    static void MatMulBackward(Tape<T> t, in Node<T> n)
    {
        bool ta = (n.Flags & TransA) != 0, tb = (n.Flags & TransB) != 0;
        var (a, b, dy) = (t.ValueOf(n.A), t.ValueOf(n.B), n.Grad);
        int m = dy.Rows, nn = dy.Cols, k = ta ? a.Rows : a.Cols;
        var da = t.GradOf(n.A);
        if (!da.IsNull)
        {
            if (!ta) Gemm.Multiply<T>(dy.Span, false, b.Span, !tb, da.Span, m, k, nn, accumulate: true, t.Threads);
            else Gemm.Multiply<T>(b.Span, tb, dy.Span, true, da.Span, k, m, nn, accumulate: true, t.Threads);
        }
        var db = t.GradOf(n.B);
        if (!db.IsNull)
        {
            if (!tb) Gemm.Multiply<T>(a.Span, !ta, dy.Span, false, db.Span, k, nn, m, accumulate: true, t.Threads);
            else Gemm.Multiply<T>(dy.Span, true, a.Span, ta, db.Span, nn, k, m, accumulate: true, t.Threads);
        }
    }
}
