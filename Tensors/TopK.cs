using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
/// Selection keeps the current best k values (next to their indices in the output row), sorted, and inserts each
/// entry that beats the worst of them: O(cols * k) worst case, O(cols) typical, fine for the k &lt;= 32 of SURE.
/// Once the worst kept value is a number, float/double rows are screened against it 8 or 4 at a time (SIMD).
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
        int capacity = Math.Min(indices.Length, row.Length);
        if (capacity > MaxBuffered) return RowGeneral(row, order, indices);
        if (capacity == 0) { indices.Fill(-1); return 0; }

        // The current best `capacity` values, sorted like their indices in `indices`, so that the hot loop
        // never reads row[indices[..]].
        Span<T> best = stackalloc T[capacity];
        ref T r0 = ref MemoryMarshal.GetReference(row);
        ref T b0 = ref MemoryMarshal.GetReference(best);
        ref int i0 = ref MemoryMarshal.GetReference(indices);
        int n = row.Length, last = capacity - 1;

        // Fill: the first `capacity` entries, insertion-sorted (a later entry passes only a strictly worse one).
        for (int c = 0; c < capacity; c++)
        {
            T v = Unsafe.Add(ref r0, c);
            int pos = c;
            while (pos > 0 && Beats(v, Unsafe.Add(ref b0, pos - 1)))
            {
                Unsafe.Add(ref b0, pos) = Unsafe.Add(ref b0, pos - 1);
                Unsafe.Add(ref i0, pos) = Unsafe.Add(ref i0, pos - 1);
                pos--;
            }
            Unsafe.Add(ref b0, pos) = v;
            Unsafe.Add(ref i0, pos) = c;
        }

        T worst = Unsafe.Add(ref b0, last);
        int col = capacity;
        // While the worst kept value is NaN, any number beats it (NaN never does).
        for (; col < n && T.IsNaN(worst); col++)
        {
            T v = Unsafe.Add(ref r0, col);
            if (!T.IsNaN(v)) worst = Insert<T, WithNaN>(ref b0, ref i0, last, v, col);
        }

        // From here on every kept value is a number, so "beats" is plain `>` (false for NaN).
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            for (; col <= n - Vector256<T>.Count; col += Vector256<T>.Count)
            {
                // Candidates against the worst value at the start of the chunk; it only rises within it.
                uint mask = Vector256.GreaterThan(Vector256.LoadUnsafe(ref r0, (nuint)col), Vector256.Create(worst)).ExtractMostSignificantBits();
                while (mask != 0)
                {
                    int c = col + BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                    T v = Unsafe.Add(ref r0, c);
                    if (v > worst) worst = Insert<T, NumbersOnly>(ref b0, ref i0, last, v, c);
                }
            }
        }
        for (; col < n; col++)
        {
            T v = Unsafe.Add(ref r0, col);
            if (v > worst) worst = Insert<T, NumbersOnly>(ref b0, ref i0, last, v, col);
        }

        if (capacity < indices.Length) indices[capacity..].Fill(-1);
        if (order == TopKOrder.ByIndexAscending) SortAscending(indices[..capacity], n);
        return capacity;
    }

    const int MaxBuffered = 256;

    interface INaNKept { static abstract bool Possible { get; } }
    struct WithNaN : INaNKept { public static bool Possible => true; }
    struct NumbersOnly : INaNKept { public static bool Possible => false; }

    // Puts v (index c, a number that beats the worst kept value) into the sorted buffer, dropping the worst; returns
    // the new worst. N says whether kept values may still be NaN (else "beats" is plain `>`).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static T Insert<T, N>(ref T b0, ref int i0, int last, T v, int c) where T : unmanaged, IFloatingPointIeee754<T> where N : struct, INaNKept
    {
        int pos = last;
        while (pos > 0 && (N.Possible ? Beats(v, Unsafe.Add(ref b0, pos - 1)) : v > Unsafe.Add(ref b0, pos - 1)))
        {
            Unsafe.Add(ref b0, pos) = Unsafe.Add(ref b0, pos - 1);
            Unsafe.Add(ref i0, pos) = Unsafe.Add(ref i0, pos - 1);
            pos--;
        }
        Unsafe.Add(ref b0, pos) = v;
        Unsafe.Add(ref i0, pos) = c;
        return Unsafe.Add(ref b0, last);
    }

    // Distinct indices in [0, cols) into ascending order: a bitmask over <= 64 columns, else insertion sort.
    static void SortAscending(Span<int> chosen, int cols)
    {
        if (cols <= 64)
        {
            ulong marks = 0;
            foreach (int c in chosen) marks |= 1UL << c;
            for (int i = 0; i < chosen.Length; i++)
            {
                chosen[i] = BitOperations.TrailingZeroCount(marks);
                marks &= marks - 1;
            }
        }
        else if (chosen.Length <= 32)
        {
            for (int i = 1; i < chosen.Length; i++)
            {
                int v = chosen[i], j = i - 1;
                while (j >= 0 && chosen[j] > v) { chosen[j + 1] = chosen[j]; j--; }
                chosen[j + 1] = v;
            }
        }
        else chosen.Sort();
    }

    // Large k: keeps the best entries in the output row itself.
    static int RowGeneral<T>(ReadOnlySpan<T> row, TopKOrder order, Span<int> indices)
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool Beats<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T>
        => a > b || (T.IsNaN(b) && !T.IsNaN(a));
}
