namespace Sure.Tensors.Devices;

/// <summary>Inverts a gather index so that its backward (a scatter-add) can run as a gather, without atomics.</summary>
public static class GatherIndex
{
    // index: [count], values in 0..rows-1
    // returns rowPtr: [rows + 1], positions: [count]; row u lists every i with index[i] == u, in ascending i
    public static (int[] RowPtr, int[] Positions) Invert(ReadOnlySpan<int> index, int rows)
    {
        var rowPtr = new int[rows + 1];
        var positions = new int[index.Length];
        Invert(index, rows, rowPtr, positions);
        return (rowPtr, positions);
    }

    // The same into the caller's rowPtr: [rows + 1] and positions: [count], allocating nothing.
    public static void Invert(ReadOnlySpan<int> index, int rows, Span<int> rowPtr, Span<int> positions)
    {
        rowPtr[..(rows + 1)].Clear();
        foreach (int u in index)
        {
            if ((uint)u >= (uint)rows) throw new ArgumentOutOfRangeException(nameof(index), $"index {u} is outside 0..{rows - 1}");
            rowPtr[u + 1]++;
        }
        for (int u = 0; u < rows; u++) rowPtr[u + 1] += rowPtr[u];
        // rowPtr[u] serves as row u's cursor while filling, then is moved back by one row.
        for (int i = 0; i < index.Length; i++) positions[rowPtr[index[i]]++] = i;
        for (int u = rows; u > 0; u--) rowPtr[u] = rowPtr[u - 1];
        rowPtr[0] = 0;
    }
}
