namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // a, b: same shape; returns a + b
    public Var<T> Add(Var<T> a, Var<T> b)
    {
        SameShape(a, b, nameof(Add));
        var y = NewValue(a.Shape);
        TP.Add(a.Value.Span, b.Value.Span, y.Span);
        Record(y, AddBack, a, b);
        return Last;
    }

    static readonly BackwardFn<T> AddBack = AddBackward;

    static void AddBackward(Tape<T> t, in Node<T> n)
    {
        AccumulateInto(t.GradOf(n.A), n.Grad);
        AccumulateInto(t.GradOf(n.B), n.Grad);
    }

    // grad += dy, skipped when no gradient flows to that input
    static void AccumulateInto(Tensor<T> grad, Tensor<T> dy)
    {
        if (!grad.IsNull) TP.Add(grad.Span, dy.Span, grad.Span);
    }
}
