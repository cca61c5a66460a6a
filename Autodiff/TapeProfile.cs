using System.Diagnostics;

namespace Sure.Autodiff;

/// <summary>
/// Time per op on the tapes it is attached to (<c>tape.Profile = profile</c>), forward and backward, as llm.c prints
/// it. An op's forward time is the time from the tape's previous mark (the last op, leaf or Reset) to its Record, so it
/// includes any caller code between two ops; backward times are each node's backward step. Ops are told apart by their
/// backward step (one static delegate per op kind; custom ops share one row). Not thread-safe: one profile per thread,
/// or one thread (the trainer with Threads = 1). Off (null) costs one null check per op.
/// </summary>
public sealed class TapeProfile
{
    readonly Dictionary<Delegate, int> _rows = new(ReferenceEqualityComparer.Instance);
    readonly List<Delegate> _ops = [];
    readonly List<long> _forwardTicks = [], _backwardTicks = [];
    readonly List<int> _calls = [];
    long _mark;

    internal void Mark() => _mark = Stopwatch.GetTimestamp();

    internal void Forward(Delegate op)
    {
        long now = Stopwatch.GetTimestamp();
        int row = Row(op);
        _forwardTicks[row] += now - _mark;
        _calls[row]++;
        _mark = now;
    }

    internal void Backward(Delegate op, long ticks) => _backwardTicks[Row(op)] += ticks;

    int Row(Delegate op)
    {
        if (_rows.TryGetValue(op, out int row)) return row;
        _rows[op] = row = _ops.Count;
        _ops.Add(op);
        _forwardTicks.Add(0);
        _backwardTicks.Add(0);
        _calls.Add(0);
        return row;
    }

    /// <summary>Forgets every time measured so far.</summary>
    public void Clear()
    {
        for (int k = 0; k < _ops.Count; k++) _forwardTicks[k] = _backwardTicks[k] = _calls[k] = 0;
    }

    /// <summary>One row per op kind seen: its name (the backward step's, less "Backward"), calls, forward and backward seconds.</summary>
    public IReadOnlyList<(string Op, int Calls, double ForwardSeconds, double BackwardSeconds)> Rows() =>
        _ops.Select((op, k) => (Name(op), _calls[k], _forwardTicks[k] / (double)Stopwatch.Frequency, _backwardTicks[k] / (double)Stopwatch.Frequency))
            .Where(r => r.Item2 > 0 || r.Item4 > 0).ToList();

    static string Name(Delegate op)
    {
        string name = op.Method.Name;
        return name.EndsWith("Backward", StringComparison.Ordinal) ? name[..^"Backward".Length] : name;
    }
}
