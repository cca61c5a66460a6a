namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // returns x + c for a constant c (e.g. the 1e-3 floor on sigma)
    public Var<T> AddScalar(Var<T> x, T c)
    {
        var y = NewValue(x.Shape);
        TP.Add(x.Value.Span, c, y.Span);
        Record(y, AddScalarBack, x);
        return Last;
    }

    static readonly BackwardFn<T> AddScalarBack = AddScalarBackward;

    static void AddScalarBackward(Tape<T> t, in Node<T> n) => AccumulateInto(t.GradOf(n.A), n.Grad);
}
