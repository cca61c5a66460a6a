using System.Numerics;
using System.Numerics.Tensors;

namespace Sure.Tensors;

/// <summary>
/// Graph kernels over CSR adjacency and index lists. Rows are d contiguous values. Outputs must not overlap inputs.
/// Backward kernels accumulate into their output (the caller zeroes it once per step).
/// Every mean sums its rows in list order per column and then multiplies by 1 / count, so results do not
/// depend on the vector width.
/// </summary>
public static class Sparse
{
    // x: [g.Rows, d]  y: [g.Rows, d]; y[v] = mean over neighbours u of x[u], 0 when v has none
    public static void MeanAggregate<T>(Csr g, ReadOnlySpan<T> x, int d, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckRows(x.Length, g.Rows, d, nameof(x)); CheckRows(y.Length, g.Rows, d, nameof(y));
        var rowPtr = g.RowPtr; var cols = g.Cols;
        for (int v = 0; v < g.Rows; v++)
            MeanOfRows(x, d, new ListedRows(cols.AsSpan(rowPtr[v], rowPtr[v + 1] - rowPtr[v])), y.Slice(v * d, d));
    }

    // dy: [g.Rows, d]  dx: [g.Rows, d], accumulated: dx[u] += dy[v] / deg(v) for each neighbour u of v
    public static void MeanAggregateBackward<T>(Csr g, ReadOnlySpan<T> dy, int d, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckRows(dy.Length, g.Rows, d, nameof(dy)); CheckRows(dx.Length, g.Rows, d, nameof(dx));
        var rowPtr = g.RowPtr; var cols = g.Cols;
        for (int v = 0; v < g.Rows; v++)
            SpreadMean(dy.Slice(v * d, d), new ListedRows(cols.AsSpan(rowPtr[v], rowPtr[v + 1] - rowPtr[v])), d, dx);
    }

    // x: [*, d]  index: [r]  y: [r, d]; y[i] = x[index[i]]
    public static void GatherRows<T>(ReadOnlySpan<T> x, int d, ReadOnlySpan<int> index, Span<T> y)
        where T : unmanaged
    {
        for (int i = 0; i < index.Length; i++) x.Slice(index[i] * d, d).CopyTo(y.Slice(i * d, d));
    }

    // dy: [r, d]  index: [r]  dx: [*, d], accumulated: dx[index[i]] += dy[i]; repeated indices add up
    public static void ScatterAddRows<T>(ReadOnlySpan<T> dy, int d, ReadOnlySpan<int> index, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < index.Length; i++)
        {
            var dst = dx.Slice(index[i] * d, d);
            TensorPrimitives.Add(dst, dy.Slice(i * d, d), dst);
        }
    }

    // x: [segStart[^1], d]  segStart: [s + 1]  y: [s, d]; y[j] = mean of rows segStart[j]..segStart[j+1], 0 if empty
    public static void SegmentMean<T>(ReadOnlySpan<T> x, int d, ReadOnlySpan<int> segStart, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j = 0; j + 1 < segStart.Length; j++)
            MeanOfRows(x, d, Segment(segStart, j), y.Slice(j * d, d));
    }

    // dy: [s, d]  segStart: [s + 1]  dx: [segStart[^1], d], accumulated: dx[r] += dy[j] / size(j) for r in segment j
    public static void SegmentMeanBackward<T>(ReadOnlySpan<T> dy, int d, ReadOnlySpan<int> segStart, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j = 0; j + 1 < segStart.Length; j++)
            SpreadMean(dy.Slice(j * d, d), Segment(segStart, j), d, dx);
    }

    // The rows a mean runs over: a neighbour list or a contiguous segment, so one driver serves both.
    interface IRowSet { int Count { get; } int this[int i] { get; } }

    readonly ref struct ListedRows(ReadOnlySpan<int> ids) : IRowSet
    {
        readonly ReadOnlySpan<int> _ids = ids;
        public int Count => _ids.Length;
        public int this[int i] => _ids[i];
    }

    readonly struct RowRange(int first, int count) : IRowSet
    {
        public int Count => count;
        public int this[int i] => first + i;
    }

    static RowRange Segment(ReadOnlySpan<int> segStart, int j)
    {
        int lo = segStart[j], hi = segStart[j + 1];
        if (hi < lo) throw new ArgumentException($"segment {j} starts at {lo} but ends at {hi}", nameof(segStart));
        return new RowRange(lo, hi - lo);
    }

    // x: [*, d]  y: [d]; y = mean of x[rows[i]], 0 when rows is empty.
    // Four vector accumulators per pass keep four independent add chains in flight and each output written once.
    static void MeanOfRows<T, TRows>(ReadOnlySpan<T> x, int d, TRows rows, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> where TRows : IRowSet, allows ref struct
    {
        int n = rows.Count;
        if (n == 0) { y.Clear(); return; }
        T inv = Reciprocal<T>(n);
        int w = Vector<T>.Count, c = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; c + 4 * w <= d; c += 4 * w)
            {
                Vector<T> a0 = Vector<T>.Zero, a1 = a0, a2 = a0, a3 = a0;
                for (int i = 0; i < n; i++)
                {
                    var src = x.Slice(rows[i] * d + c, 4 * w);
                    a0 += new Vector<T>(src); a1 += new Vector<T>(src[w..]);
                    a2 += new Vector<T>(src[(2 * w)..]); a3 += new Vector<T>(src[(3 * w)..]);
                }
                var dst = y.Slice(c, 4 * w);
                (a0 * inv).CopyTo(dst); (a1 * inv).CopyTo(dst[w..]);
                (a2 * inv).CopyTo(dst[(2 * w)..]); (a3 * inv).CopyTo(dst[(3 * w)..]);
            }
            for (; c + w <= d; c += w)
            {
                var a = Vector<T>.Zero;
                for (int i = 0; i < n; i++) a += new Vector<T>(x.Slice(rows[i] * d + c, w));
                (a * inv).CopyTo(y.Slice(c, w));
            }
        }
        for (; c < d; c++)
        {
            T s = T.Zero;
            for (int i = 0; i < n; i++) s += x[rows[i] * d + c];
            y[c] = s * inv;
        }
    }

    // grad: [d]  dx: [*, d], accumulated: dx[rows[i]] += grad * (1 / count) (the transpose of MeanOfRows).
    // The scaled gradient is held in four vector registers per pass and added into every listed row.
    static void SpreadMean<T, TRows>(ReadOnlySpan<T> grad, TRows rows, int d, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> where TRows : IRowSet, allows ref struct
    {
        int n = rows.Count;
        if (n == 0) return;
        T inv = Reciprocal<T>(n);
        int w = Vector<T>.Count, c = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; c + 4 * w <= d; c += 4 * w)
            {
                var g = grad.Slice(c, 4 * w);
                Vector<T> g0 = new Vector<T>(g) * inv, g1 = new Vector<T>(g[w..]) * inv;
                Vector<T> g2 = new Vector<T>(g[(2 * w)..]) * inv, g3 = new Vector<T>(g[(3 * w)..]) * inv;
                for (int i = 0; i < n; i++)
                {
                    var dst = dx.Slice(rows[i] * d + c, 4 * w);
                    (new Vector<T>(dst) + g0).CopyTo(dst); (new Vector<T>(dst[w..]) + g1).CopyTo(dst[w..]);
                    (new Vector<T>(dst[(2 * w)..]) + g2).CopyTo(dst[(2 * w)..]); (new Vector<T>(dst[(3 * w)..]) + g3).CopyTo(dst[(3 * w)..]);
                }
            }
            for (; c + w <= d; c += w)
            {
                var g0 = new Vector<T>(grad.Slice(c, w)) * inv;
                for (int i = 0; i < n; i++)
                {
                    var dst = dx.Slice(rows[i] * d + c, w);
                    (new Vector<T>(dst) + g0).CopyTo(dst);
                }
            }
        }
        for (; c < d; c++)
        {
            T g0 = grad[c] * inv;
            for (int i = 0; i < n; i++) dx[rows[i] * d + c] += g0;
        }
    }

    static T Reciprocal<T>(int count) where T : unmanaged, IFloatingPointIeee754<T> => T.One / T.CreateChecked(count);

    static void CheckRows(int length, int rows, int d, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(d);
        if (length < rows * d) throw new ArgumentException($"{name} holds {length} values, needs [{rows}, {d}]", name);
    }
}
