namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // x: [r, d]  segStart: [s + 1], segStart[0] = 0, segStart[s] = r, non-decreasing; kept by reference until Backward
    // returns [s, d]: row j is the mean of rows segStart[j] .. segStart[j+1]-1, 0 when empty
    public Var<T> SegmentMean(Var<T> x, ReadOnlyMemory<int> segStart)
    {
        var xv = x.Value;
        var seg = segStart.Span;
        OpChecks.Segments(seg, xv.Rows);
        var y = NewValue(seg.Length - 1, xv.Cols);
        Sparse.SegmentMean<T>(xv.Span, xv.Cols, seg, y.Span);
        Record(y, SegmentMeanBack, x).Index = segStart;
        return Last;
    }

    static readonly BackwardFn<T> SegmentMeanBack = SegmentMeanBackward;

    static void SegmentMeanBackward(Tape<T> t, in Node<T> n)
    {
        var dx = t.GradOf(n.A);
        Sparse.SegmentMeanBackward<T>(n.Grad.Span, dx.Cols, n.Index.Span, dx.Span);
    }
}
