namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // returns min(max(x, lo), hi) elementwise
    public Var<T> Clamp(Var<T> x, T lo, T hi)
    {
        if (lo > hi) throw new ArgumentException($"Clamp: lo {lo} > hi {hi}");
        var y = NewValue(x.Shape);
        TP.Clamp(x.Value.Span, lo, hi, y.Span);
        ref var node = ref Record(y, ClampBack, x);
        node.Attr0 = lo;
        node.Attr1 = hi;
        return Last;
    }

    static readonly BackwardFn<T> ClampBack = ClampBackward;

    // gradient passes where lo <= x <= hi (bounds included, as in PyTorch)
    static void ClampBackward(Tape<T> t, in Node<T> n)
    {
        var x = t.ValueOf(n.A).Span;
        var dy = n.Grad.Span;
        var dx = t.GradOf(n.A).Span;
        for (int i = 0; i < dx.Length; i++)
            if (x[i] >= n.Attr0 && x[i] <= n.Attr1) dx[i] += dy[i];
    }
}
