namespace Sure.Models.Baselines;

/// <summary>
/// TVW-RL (Mondal et al., AAAI'21) as SPEC 11 adapts it: job-level. An LSTM reads the L snapshots of the job-level
/// features and one action mean serves every task.
/// <code>
///   g[t, l]   = [mean_i S[t, l, i, :] ; mean over sources of S[t, l, i, 0]]   [D + 1]  (feature 0 of a source is ln(1 + W))
///   (h, c)_l  = LSTM(g[:, l], (h, c)_{l-1}),  (h, c)_{-1} = 0                  [B, H]
///   m[t, i]   = h_{L-1}[t] . head.weight + head.bias   for every task i          [B*n]
/// </code>
/// Parameters: lstm.{weight,bias}_{ih,hh}.{i,f,g,o} (weight_ih [D + 1, H]), then the head.
/// </summary>
public sealed class TvwRl<T> : BaselineNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public const string Name = "tvw-rl";
    readonly LstmCell<T> _lstm;

    public TvwRl(SureConfig config) : base(config, 0, LstmCell<T>.Shapes("lstm", config.D + 1, config.H)) =>
        _lstm = new LstmCell<T>(Parameters, "lstm");

    public override string Architecture => Name;
    public override IPolicyNetwork<T> Replica() => new TvwRl<T>(Config);

    sealed class State(T[] features, Tensor<T> zeros, int[] broadcast)
    {
        public readonly T[] Features = features;    // [L, B, D + 1], refilled every forward
        public readonly Tensor<T> Zeros = zeros;    // [B, H] initial h and c
        public readonly int[] Broadcast = broadcast; // output row t*n + i reads decision t
    }

    public override Var<T> ActionMeans(Tape<T> tape, BaselineBatch<T> batch)
    {
        int n = batch.Tasks, B = batch.Decisions, L = batch.L, D = batch.D, G = D + 1, H = Config.H;
        var state = batch.State(b => new State(new T[b.L * b.Decisions * (b.D + 1)], Tensor<T>.Zeros(b.Decisions, Config.H),
            [.. Enumerable.Range(0, b.Decisions * b.Tasks).Select(row => row / b.Tasks)]));

        // Job-level features (constants: no gradient reaches the input).
        var snapshots = batch.Snapshots.Span;
        var features = state.Features.AsSpan();
        features.Clear();
        int sources = 0;
        for (int i = 0; i < n; i++) if (batch.Job.IsSource(i)) sources++;
        T perTask = T.One / T.CreateChecked(n), perSource = T.One / T.CreateChecked(Math.Max(1, sources));
        for (int t = 0; t < B; t++)
            for (int l = 0; l < L; l++)
            {
                var g = features.Slice((l * B + t) * G, G);
                for (int i = 0; i < n; i++)
                {
                    var row = snapshots.Slice(((t * L + l) * n + i) * D, D);
                    for (int k = 0; k < D; k++) g[k] += row[k] * perTask;
                    if (batch.Job.IsSource(i)) g[D] += row[0] * perSource;
                }
            }

        var h = tape.Constant(state.Zeros);
        var c = h;
        for (int l = 0; l < L; l++)
        {
            var x = tape.Constant(new Tensor<T>(state.Features, l * B * G, new Shape(B, G)));
            (h, c) = _lstm.Step(tape, x, h, c);
        }
        var jobMean = tape.Reshape(Head(tape, h), B, 1);                     // [B, 1]
        return tape.Reshape(tape.GatherRows(jobMean, state.Broadcast), B * n);
    }
}
