using System.Numerics;

namespace Sure.Tensors;

/// <summary>Order of the k indices that <see cref="TopK"/> writes for a row.</summary>
public enum TopKOrder
{
    /// <summary>Largest value first; equal values: lower index first.</summary>
    ByValueDescending,
    /// <summary>The same chosen set, sorted by ascending index (SURE's anchors in time order, neighbours in slot order).</summary>
    ByIndexAscending,
}

/// <summary>
/// Indices of the k largest entries of each row, without allocating. Equal values: the lower index wins,
/// so the choice is deterministic. NaN ranks below every number (it is chosen only when nothing else is left).
/// Selection keeps the current best k in the output row, sorted, and inserts each entry that beats the
/// worst of them: O(cols * k) worst case, O(cols) typical, fine for the k &lt;= 32 of SURE.
/// When a row offers fewer than k candidates (k &gt; cols, or k &gt; valid), every candidate is chosen and
/// the remaining output slots are -1.
/// </summary>
public static class TopK
{
    // x: [rows, cols]  indices: [rows, k]
    public static void Indices<T>(ReadOnlySpan<T> x, int cols, int k, Span<int> indices)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Indices(x, cols, cols, k, TopKOrder.ByValueDescending, indices);

    // x: [rows, cols]  indices: [rows, k], each row's chosen indices in ascending order
    public static void IndicesAscending<T>(ReadOnlySpan<T> x, int cols, int k, Span<int> indices)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Indices(x, cols, cols, k, TopKOrder.ByIndexAscending, indices);

    // x: [rows, stride] (the last row may end after its first `valid` values)  indices: [rows, k];
    // only columns 0..valid-1 of each row are candidates, so padding past `valid` is never chosen.
    // rows = indices.Length / k.
    public static void Indices<T>(ReadOnlySpan<T> x, int stride, int valid, int k, TopKOrder order, Span<int> indices)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegative(valid);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(valid, stride);
        if (indices.Length % k != 0) throw new ArgumentException($"indices length {indices.Length} is not a multiple of k {k}", nameof(indices));
        int rows = indices.Length / k;
        if (rows > 0 && x.Length < (rows - 1) * stride + valid)
            throw new ArgumentException($"x holds {x.Length} values, needs {rows} rows of stride {stride}", nameof(x));
        for (int r = 0; r < rows; r++) Row(x.Slice(r * stride, valid), order, indices.Slice(r * k, k));
    }

    /// <summary>Chooses min(k, row.Length) indices of <paramref name="row"/> into <paramref name="indices"/> (k = its length); returns how many.</summary>
    // row: [cols]  indices: [k]
    public static int Row<T>(ReadOnlySpan<T> row, TopKOrder order, Span<int> indices)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int capacity = Math.Min(indices.Length, row.Length), count = 0;
        T worst = T.NaN;   // the value at indices[capacity - 1] once the buffer is full
        for (int c = 0; c < row.Length && capacity > 0; c++)
        {
            T v = row[c];
            // Entries arrive in index order, so a new entry must be strictly better to pass an equal one.
            if (count == capacity && !Beats(v, worst)) continue;
            int pos = count < capacity ? count++ : count - 1;
            while (pos > 0 && Beats(v, row[indices[pos - 1]])) { indices[pos] = indices[pos - 1]; pos--; }
            indices[pos] = c;
            if (count == capacity) worst = row[indices[capacity - 1]];
        }
        indices[count..].Fill(-1);
        if (order == TopKOrder.ByIndexAscending) indices[..count].Sort();
        return count;
    }

    // Strictly better: larger, with NaN below everything.
    static bool Beats<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T>
        => a > b || (T.IsNaN(b) && !T.IsNaN(a));
}
