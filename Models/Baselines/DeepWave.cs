namespace Sure.Models.Baselines;

/// <summary>
/// DeepWave (Sun et al., IJCAI'20) as SPEC 11 adapts it: a 2-layer GCN over the job's undirected DAG on the span's
/// last snapshot, then the per-task Gaussian head; no temporal model.
/// <code>
///   X  = S[:, L-1]                                   [B*n, D]   the last snapshot of each decision
///   H1 = relu(P X  W0 + b0)                          [B*n, H]   P = D^-1/2 (A + I) D^-1/2, block diagonal over B
///   H2 = relu(P H1 W1 + b1)                          [B*n, H]
///   m  = H2 . head.weight + head.bias                [B*n]
/// </code>
/// Parameters: gcn.0.weight [D, H], gcn.0.bias [H], gcn.1.weight [H, H], gcn.1.bias [H], then the head.
/// </summary>
public sealed class DeepWave<T> : BaselineNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public const string Name = "deepwave";
    readonly Parameter<T>[] _weights, _biases;

    public DeepWave(SureConfig config) : base(config, 0, Shapes(config))
    {
        _weights = [Parameters["gcn.0.weight"], Parameters["gcn.1.weight"]];
        _biases = [Parameters["gcn.0.bias"], Parameters["gcn.1.bias"]];
    }

    public override string Architecture => Name;
    public override IPolicyNetwork<T> Replica() => new DeepWave<T>(Config);

    internal static IEnumerable<(string, int[])> Shapes(SureConfig c)
    {
        yield return ("gcn.0.weight", [c.D, c.H]);
        yield return ("gcn.0.bias", [c.H]);
        yield return ("gcn.1.weight", [c.H, c.H]);
        yield return ("gcn.1.bias", [c.H]);
    }

    sealed class State(Csr graph, Tensor<T> weights, int[] lastRows)
    {
        public readonly Csr Graph = graph;
        public readonly Tensor<T> Weights = weights;
        public readonly int[] LastRows = lastRows;   // row (t*L + L-1)*n + i of the snapshots for output row t*n + i
    }

    public override Var<T> ActionMeans(Tape<T> tape, BaselineBatch<T> batch)
    {
        var state = batch.State(static b =>
        {
            var (graph, weights) = GraphStructures.GcnPropagation<T>(b.Job, b.Decisions);
            int n = b.Tasks;
            var rows = new int[b.Decisions * n];
            for (int t = 0; t < b.Decisions; t++)
                for (int i = 0; i < n; i++) rows[t * n + i] = (t * b.L + b.L - 1) * n + i;
            return new State(graph, weights, rows);
        });
        var propagation = tape.Constant(state.Weights);
        var h = tape.GatherRows(tape.Constant(batch.Snapshots), state.LastRows);           // [B*n, D]
        for (int layer = 0; layer < 2; layer++)
            h = tape.Relu(Linear(tape, tape.CsrWeightedSum(h, state.Graph, propagation), _weights[layer], _biases[layer]));
        return Head(tape, h);
    }
}
