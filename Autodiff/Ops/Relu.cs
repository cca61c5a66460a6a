using System.Runtime.Intrinsics;

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
        int i = 0;
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
            // dx + (x > 0 ? dy : +0): the same sums as the branch below (adding +0 changes no value).
            for (; i <= dx.Length - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                var open = Vector256.GreaterThan(Vector256.Create(x.Slice(i, Vector256<T>.Count)), Vector256<T>.Zero);
                var sum = Vector256.Create((ReadOnlySpan<T>)dx.Slice(i, Vector256<T>.Count)) + (Vector256.Create(dy.Slice(i, Vector256<T>.Count)) & open);
                sum.CopyTo(dx.Slice(i, Vector256<T>.Count));
            }
        for (; i < dx.Length; i++)
            if (x[i] > T.Zero) dx[i] += dy[i];
    }
}
