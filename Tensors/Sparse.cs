using System.Numerics;
using System.Numerics.Tensors;

namespace Sure.Tensors;

/// <summary>
/// Graph kernels over CSR adjacency and index lists. Rows are d contiguous values; the inner row loops are
/// TensorPrimitives calls, so they vectorise for float and double. Outputs must not overlap inputs.
/// Backward kernels accumulate into their output (the caller zeroes it once per step).
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
        {
            var row = y.Slice(v * d, d);
            row.Clear();
            int lo = rowPtr[v], hi = rowPtr[v + 1];
            if (hi == lo) continue;
            for (int e = lo; e < hi; e++) TensorPrimitives.Add(row, x.Slice(cols[e] * d, d), row);
            TensorPrimitives.Multiply(row, Reciprocal<T>(hi - lo), row);
        }
    }

    // dy: [g.Rows, d]  dx: [g.Rows, d], accumulated: dx[u] += dy[v] / deg(v) for each neighbour u of v
    public static void MeanAggregateBackward<T>(Csr g, ReadOnlySpan<T> dy, int d, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckRows(dy.Length, g.Rows, d, nameof(dy)); CheckRows(dx.Length, g.Rows, d, nameof(dx));
        var rowPtr = g.RowPtr; var cols = g.Cols;
        for (int v = 0; v < g.Rows; v++)
        {
            int lo = rowPtr[v], hi = rowPtr[v + 1];
            if (hi == lo) continue;
            T inv = Reciprocal<T>(hi - lo);
            var grad = dy.Slice(v * d, d);
            for (int e = lo; e < hi; e++)
            {
                var dst = dx.Slice(cols[e] * d, d);
                TensorPrimitives.MultiplyAdd(grad, inv, dst, dst);
            }
        }
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
        {
            var row = y.Slice(j * d, d);
            row.Clear();
            int lo = segStart[j], hi = segStart[j + 1];
            if (hi <= lo) { CheckSegment(lo, hi, j); continue; }
            for (int r = lo; r < hi; r++) TensorPrimitives.Add(row, x.Slice(r * d, d), row);
            TensorPrimitives.Multiply(row, Reciprocal<T>(hi - lo), row);
        }
    }

    // dy: [s, d]  segStart: [s + 1]  dx: [segStart[^1], d], accumulated: dx[r] += dy[j] / size(j) for r in segment j
    public static void SegmentMeanBackward<T>(ReadOnlySpan<T> dy, int d, ReadOnlySpan<int> segStart, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j = 0; j + 1 < segStart.Length; j++)
        {
            int lo = segStart[j], hi = segStart[j + 1];
            if (hi <= lo) { CheckSegment(lo, hi, j); continue; }
            T inv = Reciprocal<T>(hi - lo);
            var grad = dy.Slice(j * d, d);
            for (int r = lo; r < hi; r++)
            {
                var dst = dx.Slice(r * d, d);
                TensorPrimitives.MultiplyAdd(grad, inv, dst, dst);
            }
        }
    }

    static T Reciprocal<T>(int count) where T : unmanaged, IFloatingPointIeee754<T> => T.One / T.CreateChecked(count);

    static void CheckRows(int length, int rows, int d, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(d);
        if (length < rows * d) throw new ArgumentException($"{name} holds {length} values, needs [{rows}, {d}]", name);
    }

    static void CheckSegment(int lo, int hi, int j)
    {
        if (hi < lo) throw new ArgumentException($"segment {j} starts at {lo} but ends at {hi}", "segStart");
    }
}
