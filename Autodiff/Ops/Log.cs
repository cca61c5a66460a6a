namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // returns ln(x) elementwise
    public Var<T> Log(Var<T> x)
    {
        var y = NewValue(x.Shape);
        TP.Log(x.Value.Span, y.Span);
        Record(y, LogBack, x);
        return Last;
    }

    static readonly BackwardFn<T> LogBack = LogBackward;

    static void LogBackward(Tape<T> t, in Node<T> n)
    {
        var x = t.ValueOf(n.A).Span;
        var dy = n.Grad.Span;
        var dx = t.GradOf(n.A).Span;
        for (int i = 0; i < dx.Length; i++) dx[i] += dy[i] / x[i];
    }
}
