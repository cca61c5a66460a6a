using System.Runtime.InteropServices;
using Sure.Sim;

namespace Sure.Models;

/// <summary>
/// The forward's input for a batch of decisions of one job: decision t's tasks are rows t*n .. t*n+n-1 of S, so a
/// whole rollout goes through one forward (the subgraphs are block diagonal, decisions never mix). Buffers are
/// allocated once; Fill overwrites one decision. The one builder of S and of its noise: training's rollouts and loss
/// passes and the evaluation's tape path (<see cref="SureAutoscaler"/>) fill it, with <see cref="DecisionNoise"/>'s
/// layout, the one the fast <see cref="SureDecider"/> draws from.
/// </summary>
public sealed class SpanBatch<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    readonly int[] _nbr;         // [n, K] of the job
    readonly float[] _noise;     // one decision's x [n, L, 1+K], y, and DecisionNoise.Draw's scratch

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
        _noise = new float[2 * n * L * (1 + K) + DecisionNoise.DrawScratch(L, K)];
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
    /// Decision t: S from snapshots [L, n, D] oldest first; x and y are decision <paramref name="decisionIndex"/>'s
    /// noise of <see cref="DecisionNoise"/> (seed, streams 2d and 2d + 1).
    /// </summary>
    public void Fill(int t, ReadOnlySpan<float> snapshots, ulong seed, ulong decisionIndex) => Fill(t, snapshots, 0, seed, decisionIndex);

    /// <summary>
    /// Decision t from the simulator's ring of snapshots ([L, n, D], snapshot l, 0 = oldest, at physical row
    /// (oldest + l) mod L): S[i, l, 0] = task i at snapshot l, S[i, l, 1 + s] = its neighbour slot s (zeros in
    /// padding); x and y as <see cref="DecisionNoise"/> draws decision <paramref name="decisionIndex"/>.
    /// </summary>
    public void Fill(int t, ReadOnlySpan<float> ring, int oldest, ulong seed, ulong decisionIndex)
    {
        int n = Tasks, slots = 1 + K, cells = n * L * slots, rowFloats = n * D;
        if (ring.Length != L * rowFloats) throw new ArgumentException($"snapshots hold {ring.Length} values, expected [{L}, {n}, {D}]");
        if ((uint)oldest >= (uint)L) throw new ArgumentOutOfRangeException(nameof(oldest), $"oldest snapshot {oldest} is outside [0, {L})");
        var s = S.Span.Slice(t * cells * D, cells * D);
        for (int l = 0; l < L; l++)
        {
            var snapshot = ring.Slice((oldest + l) % L * rowFloats, rowFloats);
            for (int i = 0; i < n; i++)
            {
                var row = s.Slice((i * L + l) * slots * D, slots * D);
                Copy(snapshot.Slice(i * D, D), row[..D]);
                for (int slot = 0; slot < K; slot++)
                {
                    int j = _nbr[i * K + slot];
                    var target = row.Slice((1 + slot) * D, D);
                    if (j < 0) target.Clear();
                    else Copy(snapshot.Slice(j * D, D), target);
                }
            }
        }
        var x = _noise.AsSpan(0, cells);
        var y = _noise.AsSpan(cells, cells);
        DecisionNoise.Draw(seed, decisionIndex, n, L, K, x, y, _noise.AsSpan(2 * cells));
        Copy(x, X.Span.Slice(t * cells, cells));
        Copy(y, Y.Span.Slice(t * cells, cells));
    }

    static void Copy(ReadOnlySpan<float> from, Span<T> to)
    {
        if (typeof(T) == typeof(float))
        {
            from.CopyTo(MemoryMarshal.Cast<T, float>(to));
            return;
        }
        for (int k = 0; k < from.Length; k++) to[k] = T.CreateTruncating(from[k]);
    }
}
