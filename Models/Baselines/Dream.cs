namespace Sure.Models.Baselines;

/// <summary>
/// DREAM (Ni et al., AAAI'20) as SPEC 11 adapts it: an encoder of 2 GraphSAGE layers (mean aggregation, SPEC 4.3) over
/// the undirected DAG on each task's span-mean features, a decoder GRU over the tasks in topological order (input: the
/// task's embedding), and the per-task head on the GRU's outputs.
/// <code>
///   X    = mean_l S[:, l]                                          [B*n, D]
///   E1   = relu([X ; mean_N(X)] W0 + b0),  E2 = relu([E1 ; mean_N(E1)] W1 + b1)     [B*n, H]
///   h_k  = GRU(E2[order[k]], h_{k-1}),  h_{-1} = 0,  k = 0..n-1     [B, H]  (all B decisions step together)
///   m_i  = h_{k(i)} . head.weight + head.bias                        [B*n]   k(i): task i's place in the order
/// </code>
/// Parameters: sage.0.weight [2D, H], sage.0.bias [H], sage.1.weight [2H, H], sage.1.bias [H],
/// gru.{weight,bias}_{ih,hh}.{r,z,n} (weight_ih [H, H]), then the head.
/// </summary>
public sealed class Dream<T> : BaselineNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public const string Name = "dream";
    readonly Parameter<T>[] _weights, _biases;
    readonly GruCell<T> _gru;

    public Dream(SureConfig config) : base(config, 0, Shapes(config))
    {
        _weights = [Parameters["sage.0.weight"], Parameters["sage.1.weight"]];
        _biases = [Parameters["sage.0.bias"], Parameters["sage.1.bias"]];
        _gru = new GruCell<T>(Parameters, "gru");
    }

    public override string Architecture => Name;
    public override IPolicyNetwork<T> Replica() => new Dream<T>(Config);

    internal static IEnumerable<(string, int[])> Shapes(SureConfig c)
    {
        yield return ("sage.0.weight", [2 * c.D, c.H]);
        yield return ("sage.0.bias", [c.H]);
        yield return ("sage.1.weight", [2 * c.H, c.H]);
        yield return ("sage.1.bias", [c.H]);
        foreach (var shape in GruCell<T>.Shapes("gru", c.H, c.H)) yield return shape;
    }

    sealed class State(Csr graph, Tensor<T> spanMean, int[][] stepRows, int[] toDecisionMajor, Tensor<T> zeros, Var<T>[] outputs)
    {
        public readonly Csr Graph = graph;
        public readonly Tensor<T> SpanMean = spanMean;        // [B*n, D], refilled every forward
        public readonly int[][] StepRows = stepRows;          // step k: rows t*n + order[k] for t = 0..B-1
        public readonly int[] ToDecisionMajor = toDecisionMajor; // output row t*n + i <- row t*n + k(i) of the stacked steps
        public readonly Tensor<T> Zeros = zeros;              // [B, H]
        public readonly Var<T>[] Outputs = outputs;           // the n step outputs of the current forward
    }

    public override Var<T> ActionMeans(Tape<T> tape, BaselineBatch<T> batch)
    {
        int n = batch.Tasks, B = batch.Decisions, L = batch.L, D = batch.D;
        var state = batch.State(b => Build(b, Config.H));

        // Span means (constants).
        var snapshots = batch.Snapshots.Span;
        var mean = state.SpanMean.Span;
        mean.Clear();
        T perSnapshot = T.One / T.CreateChecked(L);
        for (int t = 0; t < B; t++)
            for (int l = 0; l < L; l++)
                for (int i = 0; i < n; i++)
                {
                    var row = snapshots.Slice(((t * L + l) * n + i) * D, D);
                    var into = mean.Slice((t * n + i) * D, D);
                    for (int k = 0; k < D; k++) into[k] += row[k] * perSnapshot;
                }

        var e = tape.Constant(state.SpanMean);
        for (int layer = 0; layer < 2; layer++)
            e = tape.Relu(Linear(tape, tape.Concat(e, tape.CsrMean(e, state.Graph)), _weights[layer], _biases[layer]));

        var h = tape.Constant(state.Zeros);
        for (int k = 0; k < n; k++)
        {
            h = _gru.Step(tape, tape.GatherRows(e, state.StepRows[k]), h);
            state.Outputs[k] = h;
        }
        var stacked = tape.Reshape(ConcatColumns(tape, state.Outputs, 0, n), B * n, Config.H);   // row t*n + k = h_k[t]
        return Head(tape, tape.GatherRows(stacked, state.ToDecisionMajor));
    }

    // [rows, (hi - lo) * H]: parts[lo..hi) side by side, as a balanced tree of Concat so that each value is copied
    // log2(n) times, not n times.
    static Var<T> ConcatColumns(Tape<T> tape, Var<T>[] parts, int lo, int hi)
    {
        if (hi - lo == 1) return parts[lo];
        int mid = (lo + hi) / 2;
        return tape.Concat(ConcatColumns(tape, parts, lo, mid), ConcatColumns(tape, parts, mid, hi));
    }

    static State Build(BaselineBatch<T> b, int hidden)
    {
        int n = b.Tasks, B = b.Decisions;
        var order = b.Job.TopologicalOrder;
        var place = new int[n];
        var steps = new int[n][];
        for (int k = 0; k < n; k++)
        {
            place[order[k]] = k;
            steps[k] = new int[B];
            for (int t = 0; t < B; t++) steps[k][t] = t * n + order[k];
        }
        var toDecisionMajor = new int[B * n];
        for (int t = 0; t < B; t++)
            for (int i = 0; i < n; i++) toDecisionMajor[t * n + i] = t * n + place[i];
        return new State(GraphStructures.Undirected(b.Job, B), Tensor<T>.Zeros(B * n, b.D), steps, toDecisionMajor,
            Tensor<T>.Zeros(B, hidden), new Var<T>[n]);
    }
}
