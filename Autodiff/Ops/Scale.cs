namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // returns c * x for a constant c
    public Var<T> Scale(Var<T> x, T c)
    {
        var y = NewValue(x.Shape);
        TP.Multiply(x.Value.Span, c, y.Span);
        Record(y, ScaleBack, x).Attr0 = c;
        return Last;
    }

    static readonly BackwardFn<T> ScaleBack = ScaleBackward;

    static void ScaleBackward(Tape<T> t, in Node<T> n)
    {
        var dx = t.GradOf(n.A);
        TP.MultiplyAdd(n.Grad.Span, n.Attr0, dx.Span, dx.Span);
    }
}
