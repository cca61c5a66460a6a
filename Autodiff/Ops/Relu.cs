namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // returns max(x, 0) elementwise
    public Var<T> Relu(Var<T> x)
    {
        var y = NewValue(x.Shape);
        TP.Max(x.Value.Span, T.Zero, y.Span);
        Record(y, ReluBack, x);
        return Last;
    }

    static readonly BackwardFn<T> ReluBack = ReluBackward;

    // gradient 0 at x = 0, as in PyTorch
    static void ReluBackward(Tape<T> t, in Node<T> n)
    {
        var x = t.ValueOf(n.A).Span;
        var dy = n.Grad.Span;
        var dx = t.GradOf(n.A).Span;
        for (int i = 0; i < dx.Length; i++)
            if (x[i] > T.Zero) dx[i] += dy[i];
    }
}
