namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // x: [n, d]  graph: n rows (entry k of row v points at row graph.Cols[k] of x)  weights: [nnz], one per entry
    // returns [n, d]: y[v] = sum_k weights[k] * x[graph.Cols[k]] over v's entries, 0 when it has none.
    // A sparse matrix (CSR pattern + values) times a dense one: the normalised adjacency of a GCN, the scaled
    // Laplacian of a Chebyshev convolution, a shift along time. The weights may carry a gradient (e.g. attention on
    // the graph's pattern). The graph is kept by reference until Backward.
    public Var<T> CsrWeightedSum(Var<T> x, Csr graph, Var<T> weights)
    {
        var (xv, wv) = (x.Value, weights.Value);
        if (graph.Rows != xv.Rows) throw new ArgumentException($"CsrWeightedSum: graph of {graph.Rows} rows for {xv.Shape}");
        if (wv.Length != graph.NonZeros) throw new ArgumentException($"CsrWeightedSum: {wv.Length} weights for {graph.NonZeros} entries");
        int d = xv.Cols;
        var y = NewValue(xv.Shape);
        y.Clear();                                   // arena memory is not zeroed; a row with no entries stays 0
        Span<T> ys = y.Span;
        ReadOnlySpan<T> xs = xv.Span, ws = wv.Span;
        for (int v = 0; v < graph.Rows; v++)
        {
            var row = ys.Slice(v * d, d);
            for (int k = graph.RowPtr[v]; k < graph.RowPtr[v + 1]; k++)
            {
                var from = xs.Slice(graph.Cols[k] * d, d);
                T w = ws[k];
                for (int j = 0; j < d; j++) row[j] += w * from[j];
            }
        }
        Record(y, CsrWeightedSumBack, x, weights).Graph = graph;
        return Last;
    }

    static readonly BackwardFn<T> CsrWeightedSumBack = CsrWeightedSumBackward;

    // dx[Cols[k]] += w[k] dy[v];  dw[k] += dy[v] . x[Cols[k]]
    static void CsrWeightedSumBackward(Tape<T> t, in Node<T> n)
    {
        var graph = n.Graph!;
        var (x, w, dy) = (t.ValueOf(n.A), t.ValueOf(n.B), n.Grad);
        var (dx, dw) = (t.GradOf(n.A), t.GradOf(n.B));
        int d = x.Cols;
        ReadOnlySpan<T> xs = x.Span, ws = w.Span, dys = dy.Span;
        for (int v = 0; v < graph.Rows; v++)
        {
            var up = dys.Slice(v * d, d);
            for (int k = graph.RowPtr[v]; k < graph.RowPtr[v + 1]; k++)
            {
                int source = graph.Cols[k];
                if (!dx.IsNull)
                {
                    var into = dx.Span.Slice(source * d, d);
                    T wk = ws[k];
                    for (int j = 0; j < d; j++) into[j] += wk * up[j];
                }
                if (!dw.IsNull)
                {
                    var from = xs.Slice(source * d, d);
                    T dot = T.Zero;
                    for (int j = 0; j < d; j++) dot += up[j] * from[j];
                    dw.Span[k] += dot;
                }
            }
        }
    }
}
