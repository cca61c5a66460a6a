namespace Sure.Models.Training;

/// <summary>
/// f(G) of SPEC 5: the policy's GraphSAGE layers over the whole spatio-temporal graph of a span (all n*L task-
/// snapshots; DAG edges, undirected, inside each snapshot; v_{i,l} - v_{i,l+1} between consecutive snapshots), mean
/// readout. A batch of B spans is one block-diagonal graph; node (b, l, i) is row (b*L + l)*n + i, which is the
/// layout of B snapshot buffers [L, n, D] laid end to end.
/// </summary>
public sealed class StgEncoder
{
    readonly int[] _segments;

    public StgEncoder(int tasks, ReadOnlySpan<int> dagEdges, int spanMinutes, int spans)
    {
        int n = tasks, L = spanMinutes, edgesPerSnapshot = dagEdges.Length / 2;
        Nodes = spans * L * n;
        var src = new List<int>();
        var dst = new List<int>();
        for (int b = 0; b < spans; b++)
            for (int l = 0; l < L; l++)
            {
                int first = (b * L + l) * n;
                for (int e = 0; e < edgesPerSnapshot; e++)
                {
                    src.Add(first + dagEdges[2 * e]);
                    dst.Add(first + dagEdges[2 * e + 1]);
                }
                if (l + 1 < L)
                    for (int i = 0; i < n; i++)
                    {
                        src.Add(first + i);
                        dst.Add(first + n + i);
                    }
            }
        Graph = Csr.FromEdges(Nodes, src.ToArray(), dst.ToArray(), undirected: true);
        _segments = new int[spans + 1];
        for (int b = 0; b <= spans; b++) _segments[b] = b * L * n;
    }

    public int Nodes { get; }
    public Csr Graph { get; }

    // features: [spans*L*n, D]; returns [spans, H]
    public TVar Encode<TVar, T>(IDiffTape<TVar, T> tape, SureModel<T> model, TVar features)
        where TVar : struct where T : unmanaged, IFloatingPointIeee754<T>
    {
        var h = features;
        for (int e = 0; e < model.Config.E; e++)
        {
            var neighbourMean = tape.CsrMean(h, Graph);
            h = tape.Relu(tape.AddBias(tape.MatMul(tape.Concat(h, neighbourMean), tape.Param(model.SageWeights[e])), tape.Param(model.SageBiases[e])));
        }
        return tape.SegmentMean(h, _segments);
    }
}
