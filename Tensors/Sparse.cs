using System.Numerics;

namespace Sure.Tensors;

/// <summary>Graph kernels over CSR adjacency and index lists.</summary>
public static class Sparse
{
    // x: [g.Rows, d]  y: [g.Rows, d]; y[v] = mean over neighbours u of x[u], 0 when v has none
    public static void MeanAggregate<T>(Csr g, ReadOnlySpan<T> x, int d, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int v = 0; v < g.Rows; v++)
        {
            var row = y.Slice(v * d, d);
            row.Clear();
            int lo = g.RowPtr[v], hi = g.RowPtr[v + 1];
            if (hi == lo) continue;
            for (int e = lo; e < hi; e++)
            {
                var src = x.Slice(g.Cols[e] * d, d);
                for (int c = 0; c < d; c++) row[c] += src[c];
            }
            T inv = T.One / T.CreateChecked(hi - lo);
            for (int c = 0; c < d; c++) row[c] *= inv;
        }
    }

    // dy: [g.Rows, d]  dx: [g.Rows, d], accumulated: dx[u] += dy[v] / deg(v) for each neighbour u of v
    public static void MeanAggregateBackward<T>(Csr g, ReadOnlySpan<T> dy, int d, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int v = 0; v < g.Rows; v++)
        {
            int lo = g.RowPtr[v], hi = g.RowPtr[v + 1];
            if (hi == lo) continue;
            T inv = T.One / T.CreateChecked(hi - lo);
            var grad = dy.Slice(v * d, d);
            for (int e = lo; e < hi; e++)
            {
                var dst = dx.Slice(g.Cols[e] * d, d);
                for (int c = 0; c < d; c++) dst[c] += grad[c] * inv;
            }
        }
    }

    // x: [*, d]  index: [r]  y: [r, d]; y[i] = x[index[i]]
    public static void GatherRows<T>(ReadOnlySpan<T> x, int d, ReadOnlySpan<int> index, Span<T> y)
        where T : unmanaged
    {
        for (int i = 0; i < index.Length; i++) x.Slice(index[i] * d, d).CopyTo(y.Slice(i * d, d));
    }

    // dy: [r, d]  index: [r]  dx: [*, d], accumulated: dx[index[i]] += dy[i]
    public static void ScatterAddRows<T>(ReadOnlySpan<T> dy, int d, ReadOnlySpan<int> index, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < index.Length; i++)
        {
            var dst = dx.Slice(index[i] * d, d);
            var src = dy.Slice(i * d, d);
            for (int c = 0; c < d; c++) dst[c] += src[c];
        }
    }

    // x: [segStart[^1], d]  segStart: [s + 1]  y: [s, d]; y[j] = mean of rows segStart[j]..segStart[j+1], 0 if empty
    public static void SegmentMean<T>(ReadOnlySpan<T> x, int d, ReadOnlySpan<int> segStart, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j = 0; j + 1 < segStart.Length; j++)
        {
            var row = y.Slice(j * d, d);
            row.Clear();
            int lo = segStart[j], hi = segStart[j + 1];
            if (hi == lo) continue;
            for (int r = lo; r < hi; r++)
                for (int c = 0; c < d; c++) row[c] += x[r * d + c];
            T inv = T.One / T.CreateChecked(hi - lo);
            for (int c = 0; c < d; c++) row[c] *= inv;
        }
    }

    // dy: [s, d]  segStart: [s + 1]  dx: [segStart[^1], d], accumulated
    public static void SegmentMeanBackward<T>(ReadOnlySpan<T> dy, int d, ReadOnlySpan<int> segStart, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j = 0; j + 1 < segStart.Length; j++)
        {
            int lo = segStart[j], hi = segStart[j + 1];
            if (hi == lo) continue;
            T inv = T.One / T.CreateChecked(hi - lo);
            for (int r = lo; r < hi; r++)
                for (int c = 0; c < d; c++) dx[r * d + c] += dy[j * d + c] * inv;
        }
    }
}
