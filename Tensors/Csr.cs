namespace Sure.Tensors;

/// <summary>
/// Compressed sparse rows: the neighbours of row v are Cols[RowPtr[v]..RowPtr[v+1]).
/// An edge (src, dst) makes src a neighbour of dst (messages flow src -> dst, as in PyG).
/// Undirected edge lists are symmetrised by also adding (dst, src), so a self loop (v, v) puts v twice in its own row.
/// Duplicate edges are kept: each copy is a separate neighbour entry (a weight of 2 in a mean).
/// Within a row, neighbours keep edge-list order (for undirected lists, each edge's two entries are placed as edge e is read),
/// so float sums over a row are reproducible for a given edge list.
/// </summary>
public sealed class Csr
{
    public int Rows { get; private set; }
    public int[] RowPtr { get; private set; } = [0];
    public int[] Cols { get; private set; } = [];
    public int NonZeros => RowPtr[Rows];

    // Per-row write cursors for the counting sort, kept so that a rebuild within capacity never allocates.
    int[] _cursor = [];

    public static Csr FromEdges(int rows, ReadOnlySpan<int> src, ReadOnlySpan<int> dst, bool undirected)
    {
        var csr = new Csr();
        csr.Rebuild(rows, src, dst, undirected);
        return csr;
    }

    /// <summary>Rebuilds in place, growing the arrays only when they are too small.</summary>
    public void Rebuild(int rows, ReadOnlySpan<int> src, ReadOnlySpan<int> dst, bool undirected)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (src.Length != dst.Length) throw new ArgumentException($"src has {src.Length} edges, dst {dst.Length}");
        for (int e = 0; e < src.Length; e++)
            if ((uint)src[e] >= (uint)rows || (uint)dst[e] >= (uint)rows)
                throw new ArgumentOutOfRangeException(nameof(src), $"edge {e} ({src[e]}, {dst[e]}) is outside 0..{rows - 1}");

        int nnz = undirected ? 2 * src.Length : src.Length;
        if (RowPtr.Length < rows + 1) RowPtr = new int[rows + 1];
        if (_cursor.Length < rows) _cursor = new int[rows];
        if (Cols.Length < nnz) Cols = new int[nnz];
        Rows = rows;

        var rowPtr = RowPtr.AsSpan(0, rows + 1);
        rowPtr.Clear();
        for (int e = 0; e < src.Length; e++)
        {
            rowPtr[dst[e] + 1]++;
            if (undirected) rowPtr[src[e] + 1]++;
        }
        for (int v = 0; v < rows; v++) rowPtr[v + 1] += rowPtr[v];

        var cursor = _cursor.AsSpan(0, rows);
        rowPtr[..rows].CopyTo(cursor);
        for (int e = 0; e < src.Length; e++)
        {
            Cols[cursor[dst[e]]++] = src[e];
            if (undirected) Cols[cursor[src[e]]++] = dst[e];
        }
    }

    /// <summary>Number of neighbours of row v.</summary>
    public int Degree(int v) => RowPtr[v + 1] - RowPtr[v];

    /// <summary>Neighbours of row v.</summary>
    public ReadOnlySpan<int> Neighbours(int v) => Cols.AsSpan(RowPtr[v], RowPtr[v + 1] - RowPtr[v]);
}
