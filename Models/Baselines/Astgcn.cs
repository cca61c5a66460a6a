namespace Sure.Models.Baselines;

/// <summary>
/// ASTGCN (Guo et al., AAAI'19), its recent component, as SPEC 11 adapts it: 2 blocks of H channels, each with
/// temporal attention (L x L), spatial attention (n x n), a Chebyshev graph convolution of order 3 on the scaled
/// Laplacian of the undirected DAG weighted by the spatial attention, a temporal convolution of kernel 3 and a
/// residual; the per-task head reads the last block at the last snapshot. The daily and weekly components need weeks
/// of history that a span does not have (docs/baselines.md). Per decision, rows task-major (i*L + l):
/// <code>
///   block b (X [n*L, C_in], C_in = D for b = 0, else H):
///     Xt  = X in time-major order                          [L*n, C_in]
///     Z   = mean over tasks of Xt                          [L, C_in]
///     E   = softmax_rows((Z Wq)(Z Wk)^T / sqrt(A))          [L, L]     temporal attention (scaled dot product)
///     Xh  = E Xt  (Xt seen as [L, n*C_in])                  [L, n*C_in]
///     P   = mean over snapshots of Xh                       [n, C_in]
///     S   = softmax_rows((P Uq)(P Uk)^T / sqrt(A))          [n, n]     spatial attention
///     G   = relu(sum_k ((T_k(L~) * S) X) Theta_k)           [n*L, H]   X seen as [n, L*C_in]; T_0 = I, T_1 = L~, T_2 = 2 L~^2 - I
///     Y   = [G_(l-1) ; G_l ; G_(l+1)] Wt + bt               [n*L, H]   kernel 3 along the snapshots, zero padding
///     out = relu(X Wr + br + Y)                             [n*L, H]
///   m_i = out_2[i, L-1] . head.weight + head.bias
/// </code>
/// The attention is the scaled dot-product form rather than the paper's sigmoid bilinear form with [L]- and
/// [n]-sized weights, so one model fits any job and any L; there is no layer norm. A = <see cref="AttentionSize"/>.
/// Parameters astgcn.{b}.{temporal,spatial}.{query,key} [C_in, A], astgcn.{b}.cheb.{k}.weight [C_in, H],
/// astgcn.{b}.time.weight [3H, H], .time.bias [H], astgcn.{b}.residual.weight [C_in, H], .residual.bias [H], then the head.
/// </summary>
public sealed class Astgcn<T> : BaselineNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public const string Name = "astgcn";
    public const int Blocks = 2, Order = 3, AttentionSize = 16;
    readonly Block[] _blocks;

    sealed class Block
    {
        public required Parameter<T> TemporalQuery, TemporalKey, SpatialQuery, SpatialKey, TimeWeight, TimeBias, ResidualWeight, ResidualBias;
        public required Parameter<T>[] Cheb;
    }

    public Astgcn(SureConfig config) : base(config, 0, Shapes(config))
    {
        _blocks = new Block[Blocks];
        for (int b = 0; b < Blocks; b++)
        {
            string p = $"astgcn.{b}";
            _blocks[b] = new Block
            {
                TemporalQuery = Parameters[$"{p}.temporal.query"], TemporalKey = Parameters[$"{p}.temporal.key"],
                SpatialQuery = Parameters[$"{p}.spatial.query"], SpatialKey = Parameters[$"{p}.spatial.key"],
                Cheb = [.. Enumerable.Range(0, Order).Select(k => Parameters[$"{p}.cheb.{k}.weight"])],
                TimeWeight = Parameters[$"{p}.time.weight"], TimeBias = Parameters[$"{p}.time.bias"],
                ResidualWeight = Parameters[$"{p}.residual.weight"], ResidualBias = Parameters[$"{p}.residual.bias"],
            };
        }
    }

    public override string Architecture => Name;
    public override IPolicyNetwork<T> Replica() => new Astgcn<T>(Config);

    internal static IEnumerable<(string, int[])> Shapes(SureConfig c)
    {
        for (int b = 0; b < Blocks; b++)
        {
            int input = b == 0 ? c.D : c.H;
            string p = $"astgcn.{b}";
            yield return ($"{p}.temporal.query", [input, AttentionSize]);
            yield return ($"{p}.temporal.key", [input, AttentionSize]);
            yield return ($"{p}.spatial.query", [input, AttentionSize]);
            yield return ($"{p}.spatial.key", [input, AttentionSize]);
            for (int k = 0; k < Order; k++) yield return ($"{p}.cheb.{k}.weight", [input, c.H]);
            yield return ($"{p}.time.weight", [3 * c.H, c.H]);
            yield return ($"{p}.time.bias", [c.H]);
            yield return ($"{p}.residual.weight", [input, c.H]);
            yield return ($"{p}.residual.bias", [c.H]);
        }
    }

    sealed class State
    {
        public required int[] ToTaskMajor, ToTimeMajor, LastRows, TaskSegments, ToDecisionMajor;
        public required Tensor<T>[] Polynomials;    // T_k(L~) [n, n]
        public required Tensor<T> TimeMean;         // [1, L] of 1/L
        public required Csr Previous, Next;         // row i*L + l reads i*L + l - 1 / l + 1 when inside the span
        public required Tensor<T> PreviousWeights, NextWeights;
        public required Var<T>[] Last;              // per decision: the last block at the last snapshot [n, H]
    }

    public override Var<T> ActionMeans(Tape<T> tape, BaselineBatch<T> batch)
    {
        int n = batch.Tasks, B = batch.Decisions, L = batch.L, D = batch.D;
        var state = batch.State(Build);
        T scale = T.One / T.CreateChecked(Math.Sqrt(AttentionSize));
        for (int t = 0; t < B; t++)
        {
            var x = tape.GatherRows(tape.Constant(batch.Decision(t)), state.ToTaskMajor);     // [n*L, D]
            foreach (var block in _blocks) x = Forward(tape, block, state, x, n, L, scale);
            state.Last[t] = tape.GatherRows(x, state.LastRows);                                // [n, H]
        }
        // [n, B*H] side by side -> rows i*B + t -> rows t*n + i
        var stacked = tape.Reshape(ConcatColumns(tape, state.Last, 0, B), n * B, Config.H);
        return Head(tape, tape.GatherRows(stacked, state.ToDecisionMajor));
    }

    Var<T> Forward(Tape<T> tape, Block p, State s, Var<T> x, int n, int L, T scale)
    {
        int C = x.Shape[1];
        // Temporal attention.
        var xt = tape.GatherRows(x, s.ToTimeMajor);                                                // [L*n, C]
        var z = tape.SegmentMean(xt, s.TaskSegments);                                               // [L, C]
        var e = Attention(tape, z, p.TemporalQuery, p.TemporalKey, scale);                          // [L, L]
        var xh = tape.MatMul(e, tape.Reshape(xt, L, n * C));                                        // [L, n*C]
        // Spatial attention from the temporally attended input.
        var pooled = tape.Reshape(tape.MatMul(tape.Constant(s.TimeMean), xh), n, C);               // [n, C]
        var attention = Attention(tape, pooled, p.SpatialQuery, p.SpatialKey, scale);               // [n, n]
        // Chebyshev convolution weighted by the attention.
        var wide = tape.Reshape(x, n, L * C);
        Var<T> sum = default;
        for (int k = 0; k < Order; k++)
        {
            var mixed = tape.Reshape(tape.MatMul(tape.Mul(tape.Constant(s.Polynomials[k]), attention), wide), n * L, C);
            var term = tape.MatMul(mixed, tape.Param(p.Cheb[k]));
            sum = k == 0 ? term : sum + term;
        }
        var g = tape.Relu(sum);                                                                     // [n*L, H]
        // Temporal convolution, kernel 3, zero padding.
        var before = tape.CsrWeightedSum(g, s.Previous, tape.Constant(s.PreviousWeights));
        var after = tape.CsrWeightedSum(g, s.Next, tape.Constant(s.NextWeights));
        var y = Linear(tape, tape.Concat(tape.Concat(before, g), after), p.TimeWeight, p.TimeBias);
        return tape.Relu(Linear(tape, x, p.ResidualWeight, p.ResidualBias) + y);
    }

    // softmax_rows((x Wq)(x Wk)^T * scale): [rows, rows]
    static Var<T> Attention(Tape<T> tape, Var<T> x, Parameter<T> query, Parameter<T> key, T scale) =>
        tape.SoftmaxRows(tape.Scale(tape.MatMul(tape.MatMul(x, tape.Param(query)), tape.MatMul(x, tape.Param(key)), transB: true), scale));

    static Var<T> ConcatColumns(Tape<T> tape, Var<T>[] parts, int lo, int hi)
    {
        if (hi - lo == 1) return parts[lo];
        int mid = (lo + hi) / 2;
        return tape.Concat(ConcatColumns(tape, parts, lo, mid), ConcatColumns(tape, parts, mid, hi));
    }

    static State Build(BaselineBatch<T> batch)
    {
        int n = batch.Tasks, L = batch.L, B = batch.Decisions;
        var toTask = new int[n * L];
        var toTime = new int[n * L];
        for (int i = 0; i < n; i++)
            for (int l = 0; l < L; l++)
            {
                toTask[i * L + l] = l * n + i;    // snapshot rows are time-major
                toTime[l * n + i] = i * L + l;
            }
        var last = new int[n];
        for (int i = 0; i < n; i++) last[i] = i * L + L - 1;
        var segments = new int[L + 1];
        for (int l = 0; l <= L; l++) segments[l] = l * n;

        // T_0 = I, T_1 = L~, T_2 = 2 L~ L~ - I
        var laplacian = GraphStructures.ScaledLaplacianDense(batch.Job);
        var polynomials = new Tensor<T>[Order];
        var previous2 = new double[n * n];
        var previous1 = (double[])laplacian.Clone();
        for (int i = 0; i < n; i++) previous2[i * n + i] = 1;
        for (int k = 0; k < Order; k++)
        {
            double[] current;
            if (k == 0) current = previous2;
            else if (k == 1) current = previous1;
            else
            {
                current = new double[n * n];
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++)
                    {
                        double dot = 0;
                        for (int m = 0; m < n; m++) dot += laplacian[i * n + m] * previous1[m * n + j];
                        current[i * n + j] = 2 * dot - previous2[i * n + j];
                    }
                (previous2, previous1) = (previous1, current);
            }
            polynomials[k] = Tensor<T>.Zeros(n, n);
            for (int j = 0; j < n * n; j++) polynomials[k].Span[j] = T.CreateChecked(current[j]);
        }

        var (previous, previousWeights) = Shift(n, L, -1);
        var (next, nextWeights) = Shift(n, L, +1);
        var timeMean = Tensor<T>.Zeros(1, L);
        timeMean.Span.Fill(T.One / T.CreateChecked(L));
        return new State
        {
            ToTaskMajor = toTask, ToTimeMajor = toTime, LastRows = last, TaskSegments = segments,
            ToDecisionMajor = GraphStructures.TaskMajorToDecisionMajor(n, B),
            Polynomials = polynomials, TimeMean = timeMean, Previous = previous, Next = next,
            PreviousWeights = previousWeights, NextWeights = nextWeights, Last = new Var<T>[B],
        };
    }

    // Row i*L + l reads row i*L + l + offset when l + offset lies in [0, L), weight 1.
    static (Csr, Tensor<T>) Shift(int n, int L, int offset)
    {
        var src = new List<int>();
        var dst = new List<int>();
        for (int i = 0; i < n; i++)
            for (int l = 0; l < L; l++)
                if (l + offset >= 0 && l + offset < L)
                {
                    src.Add(i * L + l + offset);
                    dst.Add(i * L + l);
                }
        var graph = Csr.FromEdges(n * L, src.ToArray(), dst.ToArray(), undirected: false);
        var weights = Tensor<T>.Zeros(graph.NonZeros);
        weights.Span.Fill(T.One);
        return (graph, weights);
    }
}
