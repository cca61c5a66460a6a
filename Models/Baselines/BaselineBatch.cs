using Sure.Sim;

namespace Sure.Models.Baselines;

/// <summary>
/// The input of a baseline's forward for B decisions of one job: the snapshots [B, L, n, D] (decision t, snapshot l
/// oldest first, task i is row (t*L + l)*n + i of a [B*L*n, D] tensor), and the job's graph. A network builds what it
/// derives from the graph (normalised adjacencies, Laplacians, index tables) once per batch and keeps it in
/// <see cref="State{TState}"/>, so a warm forward allocates nothing for it. One batch per thread.
/// </summary>
public sealed class BaselineBatch<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    object? _state;
    readonly T[] _values;

    public BaselineBatch(JobGraph job, int decisions, int spanMinutes, int features)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (decisions < 1 || spanMinutes < 1 || features < 1)
            throw new ArgumentException($"a batch needs decisions, snapshots and features, got {decisions}, {spanMinutes}, {features}");
        Job = job;
        Tasks = job.TaskCount;
        Decisions = decisions;
        L = spanMinutes;
        D = features;
        _values = new T[decisions * spanMinutes * Tasks * features];
        Snapshots = new Tensor<T>(_values, 0, new Shape(decisions * spanMinutes * Tasks, features));
    }

    public JobGraph Job { get; }
    public int Tasks { get; }
    public int Decisions { get; }
    public int L { get; }
    public int D { get; }
    /// <summary>[B*L*n, D]: row (t*L + l)*n + i = decision t, snapshot l, task i.</summary>
    public Tensor<T> Snapshots { get; }

    /// <summary>Decision t's rows of <see cref="Snapshots"/>: [L*n, D], row l*n + i (a view).</summary>
    public Tensor<T> Decision(int t) => new(_values, t * L * Tasks * D, new Shape(L * Tasks, D));

    /// <summary>Decision t's snapshots [L, n, D], oldest first (as the monitor and the trainer store them).</summary>
    public void Fill(int t, ReadOnlySpan<float> snapshots)
    {
        int span = L * Tasks * D;
        if (snapshots.Length != span) throw new ArgumentException($"snapshots hold {snapshots.Length} values, expected [{L}, {Tasks}, {D}]");
        var target = Snapshots.Span.Slice(t * span, span);
        for (int k = 0; k < span; k++) target[k] = T.CreateTruncating(snapshots[k]);
    }

    /// <summary>The network's derived structures for this batch: built on the first call, the same object after. A batch
    /// serves one architecture (a different one rebuilds).</summary>
    public TState State<TState>(Func<BaselineBatch<T>, TState> build) where TState : class
    {
        if (_state is TState state) return state;
        state = build(this);
        _state = state;
        return state;
    }
}
