namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // returns [1], the sum of all elements
    public Var<T> Sum(Var<T> x)
    {
        var y = NewValue(1);
        y.Span[0] = TP.Sum<T>(x.Value.Span);
        Record(y, SumBack, x);
        return Last;
    }

    static readonly BackwardFn<T> SumBack = SumBackward;

    static void SumBackward(Tape<T> t, in Node<T> n)
    {
        var dx = t.GradOf(n.A).Span;
        TP.Add(dx, n.Grad.Span[0], dx);
    }
}
