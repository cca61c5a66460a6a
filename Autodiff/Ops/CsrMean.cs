namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // x: [n, d]  graph: n rows, kept by reference until Backward
    // returns [n, d]: row v is the mean of x over v's neighbours in graph, 0 when it has none
    public Var<T> CsrMean(Var<T> x, Csr graph)
    {
        var xv = x.Value;
        if (graph.Rows != xv.Rows) throw new ArgumentException($"CsrMean: graph of {graph.Rows} rows for {xv.Shape}");
        var y = NewValue(xv.Shape);
        Sparse.MeanAggregate<T>(graph, xv.Span, xv.Cols, y.Span);
        Record(y, CsrMeanBack, x).Graph = graph;
        return Last;
    }

    static readonly BackwardFn<T> CsrMeanBack = CsrMeanBackward;

    static void CsrMeanBackward(Tape<T> t, in Node<T> n)
    {
        var dx = t.GradOf(n.A);
        Sparse.MeanAggregateBackward<T>(n.Graph!, n.Grad.Span, dx.Cols, dx.Span);
    }
}
