namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // x: [n, n]; returns [n], y[i] = x[i, i]
    public Var<T> Diagonal(Var<T> x)
    {
        int n = SquareSide(x, nameof(Diagonal));
        var xs = x.Value.Span;
        var y = NewValue(n);
        for (int i = 0; i < n; i++) y.Span[i] = xs[i * n + i];
        Record(y, DiagonalBack, x);
        return Last;
    }

    static readonly BackwardFn<T> DiagonalBack = DiagonalBackward;

    static void DiagonalBackward(Tape<T> t, in Node<T> n)
    {
        var dy = n.Grad.Span;
        var dx = t.GradOf(n.A).Span;
        for (int i = 0; i < dy.Length; i++) dx[i * dy.Length + i] += dy[i];
    }

    static int SquareSide(Var<T> x, string op)
    {
        var s = x.Shape;
        if (s.Rank != 2 || s[0] != s[1]) throw new ArgumentException($"{op} needs a square matrix, got {s}");
        return s[0];
    }
}
