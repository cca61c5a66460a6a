namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // returns [1], the mean of all elements; 0 for an empty tensor (an empty term contributes nothing)
    public Var<T> Mean(Var<T> x)
    {
        int count = x.Value.Length;
        var scale = count == 0 ? T.Zero : T.One / T.CreateChecked(count);
        var y = NewValue(1);
        y.Span[0] = TP.Sum<T>(x.Value.Span) * scale;
        Record(y, MeanBack, x).Attr0 = scale;
        return Last;
    }

    static readonly BackwardFn<T> MeanBack = MeanBackward;

    static void MeanBackward(Tape<T> t, in Node<T> n)
    {
        var dx = t.GradOf(n.A).Span;
        TP.Add(dx, n.Grad.Span[0] * n.Attr0, dx);
    }
}
