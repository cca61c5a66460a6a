using Sure.Sim;

namespace Sure.Models.Training;

/// <summary>
/// The forward's input for a batch of decisions of one job: decision t's tasks are rows t*n .. t*n+n-1 of S, so a
/// whole rollout goes through one forward (the subgraphs are block diagonal, decisions never mix). Buffers are
/// allocated once; Fill overwrites one decision.
/// </summary>
public sealed class SpanBatch<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    readonly int[] _nbr;         // [n, K] of the job

    public SpanBatch(NeighbourIndex neighbours, ReadOnlySpan<int> dagEdges, int decisions, int spanMinutes, int features)
    {
        Tasks = neighbours.TaskCount;
        K = neighbours.Width;
        Decisions = decisions;
        L = spanMinutes;
        D = features;
        _nbr = neighbours.Slots;
        int n = Tasks, N = decisions * n;
        // Task ids of decision t are offset by t*n so that neighbour-neighbour edges stay inside a decision.
        var nbr = new int[N * K];
        var edges = new int[decisions * dagEdges.Length];
        for (int t = 0; t < decisions; t++)
        {
            for (int j = 0; j < n * K; j++) nbr[t * n * K + j] = _nbr[j] < 0 ? -1 : _nbr[j] + t * n;
            for (int e = 0; e < dagEdges.Length; e++) edges[t * dagEdges.Length + e] = dagEdges[e] + t * n;
        }
        Table = new NeighbourTable(N, K, nbr, edges);
        S = Tensor<T>.Zeros(N, L, 1 + K, D);
        X = Tensor<T>.Zeros(N, L, 1 + K);
        Y = Tensor<T>.Zeros(N, L, 1 + K);
        Input = new SureInput<T>(S, X, Y, Table);
        ValidMask = Tensor<T>.Zeros(N * L * (1 + K), 1);
        var mask = ValidMask.Span;
        for (int i = 0; i < N; i++)
            for (int l = 0; l < L; l++)
                for (int s = 0; s <= Table.Valid[i]; s++) mask[(i * L + l) * (1 + K) + s] = T.One;
        ValidCount = 0;
        foreach (var v in mask) if (v != T.Zero) ValidCount++;
    }

    public int Tasks { get; }
    public int K { get; }
    public int Decisions { get; }
    public int L { get; }
    public int D { get; }
    public NeighbourTable Table { get; }
    /// <summary>[Decisions*n, L, 1+K, D]</summary>
    public Tensor<T> S { get; }
    /// <summary>[Decisions*n, L, 1+K] standard normal / Gumbel noise of SPEC 4.1.</summary>
    public Tensor<T> X { get; }
    public Tensor<T> Y { get; }
    public SureInput<T> Input { get; }
    /// <summary>[Decisions*n*L*(1+K), 1]: 1 for the task itself and its valid neighbour slots, 0 on padding.</summary>
    public Tensor<T> ValidMask { get; }
    public int ValidCount { get; }

    /// <summary>
    /// Decision t: S from the snapshots [L, n, D] (oldest first), x and y from Philox(seed, noiseStream) and
    /// Philox(seed, noiseStream + 1) at element index (i*L + l)*(1+K) + slot.
    /// </summary>
    public void Fill(int t, ReadOnlySpan<float> snapshots, ulong seed, ulong noiseStream)
    {
        int n = Tasks, slots = 1 + K, cells = n * L * slots;
        if (snapshots.Length != L * n * D) throw new ArgumentException($"snapshots hold {snapshots.Length} values, expected [{L}, {n}, {D}]");
        var s = S.Span.Slice(t * cells * D, cells * D);
        for (int i = 0; i < n; i++)
            for (int l = 0; l < L; l++)
            {
                var row = s.Slice((i * L + l) * slots * D, slots * D);
                Copy(snapshots.Slice((l * n + i) * D, D), row[..D]);
                for (int slot = 0; slot < K; slot++)
                {
                    int j = _nbr[i * K + slot];
                    var target = row.Slice((1 + slot) * D, D);
                    if (j < 0) target.Clear();
                    else Copy(snapshots.Slice((l * n + j) * D, D), target);
                }
            }
        Philox.FillNormal(seed, noiseStream, 0, X.Span.Slice(t * cells, cells));
        Philox.FillGumbel(seed, noiseStream + 1, 0, Y.Span.Slice(t * cells, cells));
    }

    static void Copy(ReadOnlySpan<float> from, Span<T> to)
    {
        for (int k = 0; k < from.Length; k++) to[k] = T.CreateTruncating(from[k]);
    }
}
