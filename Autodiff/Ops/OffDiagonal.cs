namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // x: [n, n]; returns [n * (n - 1)], the off-diagonal entries in row-major order (empty when n = 1)
    public Var<T> OffDiagonal(Var<T> x)
    {
        int n = SquareSide(x, nameof(OffDiagonal));
        var xs = x.Value.Span;
        var y = NewValue(n * (n - 1));
        var ys = y.Span;
        for (int i = 0, k = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != j) ys[k++] = xs[i * n + j];
        Record(y, OffDiagonalBack, x);
        return Last;
    }

    static readonly BackwardFn<T> OffDiagonalBack = OffDiagonalBackward;

    static void OffDiagonalBackward(Tape<T> t, in Node<T> n)
    {
        var dx = t.GradOf(n.A);
        var dy = n.Grad.Span;
        var dxs = dx.Span;
        var side = dx.Rows;
        for (int i = 0, k = 0; i < side; i++)
            for (int j = 0; j < side; j++)
                if (i != j) dxs[i * side + j] += dy[k++];
    }
}
