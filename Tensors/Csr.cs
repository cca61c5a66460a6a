namespace Sure.Tensors;

/// <summary>Compressed sparse rows: the neighbours of row v are Cols[RowPtr[v]..RowPtr[v+1]).</summary>
public sealed class Csr
{
    public int Rows { get; private set; }
    public int[] RowPtr { get; private set; } = [0];
    public int[] Cols { get; private set; } = [];
    public int NonZeros => RowPtr[Rows];

    public static Csr FromEdges(int rows, ReadOnlySpan<int> src, ReadOnlySpan<int> dst, bool undirected)
    {
        var csr = new Csr();
        csr.Rebuild(rows, src, dst, undirected);
        return csr;
    }

    /// <summary>Rebuilds in place, growing the arrays only when they are too small.</summary>
    public void Rebuild(int rows, ReadOnlySpan<int> src, ReadOnlySpan<int> dst, bool undirected)
    {
        int nnz = undirected ? 2 * src.Length : src.Length;
        if (RowPtr.Length < rows + 1) RowPtr = new int[rows + 1];
        if (Cols.Length < nnz) Cols = new int[nnz];
        Rows = rows;
        RowPtr.AsSpan(0, rows + 1).Clear();
        for (int e = 0; e < src.Length; e++)
        {
            RowPtr[dst[e] + 1]++;
            if (undirected) RowPtr[src[e] + 1]++;
        }
        for (int v = 0; v < rows; v++) RowPtr[v + 1] += RowPtr[v];
        Span<int> fill = rows <= 1024 ? stackalloc int[rows] : new int[rows];
        RowPtr.AsSpan(0, rows).CopyTo(fill);
        for (int e = 0; e < src.Length; e++)
        {
            Cols[fill[dst[e]]++] = src[e];
            if (undirected) Cols[fill[src[e]]++] = dst[e];
        }
    }
}
