using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Sure.Tensors;

/// <summary>
/// Means of gathered rows, the aggregation step of GraphSAGE on a sampled subgraph (Models/Decision/SureDecider.cs).
/// Row j of the gather is x[(rows[j] - firstRow) * stride + column ..], for `width` = y.Length columns. Every mean sums
/// its rows in list order per column and then multiplies by 1 / count (0 rows: the mean is 0), the same order in the
/// Vector256 path and the scalar one (<c>...Scalar</c>), so the two agree bit for bit; the tests hold them to that on
/// every width 1..256.
/// </summary>
public static class RowGather
{
    /// <summary>y = mean_j x[row j, column .. column + y.Length).</summary>
    public static void Mean(ReadOnlySpan<float> x, int stride, int column, ReadOnlySpan<int> rows, int firstRow, Span<float> y)
    {
        int width = y.Length, c = 0;
        CheckRows(x.Length, stride, column, rows, firstRow, width);
        float inv = rows.Length > 0 ? 1f / rows.Length : 0f;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float x0 = ref MemoryMarshal.GetReference(x);
            ref float y0 = ref MemoryMarshal.GetReference(y);
            for (; c + Vector256<float>.Count <= width; c += Vector256<float>.Count)
            {
                var sum = Vector256<float>.Zero;
                foreach (int row in rows) sum += Vector256.LoadUnsafe(ref x0, (nuint)((row - firstRow) * stride + column + c));
                (sum * inv).StoreUnsafe(ref y0, (nuint)c);
            }
        }
        MeanColumns(x, stride, column, rows, firstRow, y, c, inv);
    }

    /// <summary>The scalar path of <see cref="Mean"/>.</summary>
    public static void MeanScalar(ReadOnlySpan<float> x, int stride, int column, ReadOnlySpan<int> rows, int firstRow, Span<float> y)
    {
        CheckRows(x.Length, stride, column, rows, firstRow, y.Length);
        MeanColumns(x, stride, column, rows, firstRow, y, 0, rows.Length > 0 ? 1f / rows.Length : 0f);
    }

    static void MeanColumns(ReadOnlySpan<float> x, int stride, int column, ReadOnlySpan<int> rows, int firstRow, Span<float> y, int from, float inv)
    {
        for (int c = from; c < y.Length; c++)
        {
            float sum = 0f;
            foreach (int row in rows) sum += x[(row - firstRow) * stride + column + c];
            y[c] = sum * inv;
        }
    }

    /// <summary>
    /// y = relu(mean_j x[row j, column ..] + self + bias), or y += that when <paramref name="accumulate"/> (a readout
    /// summing its nodes). self, bias, y: [width].
    /// </summary>
    public static void MeanAddRelu(ReadOnlySpan<float> x, int stride, int column, ReadOnlySpan<int> rows, int firstRow,
        ReadOnlySpan<float> self, ReadOnlySpan<float> bias, Span<float> y, bool accumulate)
    {
        int width = y.Length, c = 0, lanes = Vector256<float>.Count;
        if (self.Length < width || bias.Length < width) throw new ArgumentException($"self ({self.Length}) and bias ({bias.Length}) need {width} values");
        CheckRows(x.Length, stride, column, rows, firstRow, width);
        float inv = rows.Length > 0 ? 1f / rows.Length : 0f;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float x0 = ref MemoryMarshal.GetReference(x);
            // 32 columns at a time in four registers: one pass over the rows for four vectors of sums.
            for (; c + 4 * lanes <= width; c += 4 * lanes)
            {
                Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
                foreach (int row in rows)
                {
                    nuint at = (nuint)((row - firstRow) * stride + column + c);
                    s0 += Vector256.LoadUnsafe(ref x0, at);
                    s1 += Vector256.LoadUnsafe(ref x0, at + (nuint)lanes);
                    s2 += Vector256.LoadUnsafe(ref x0, at + (nuint)(2 * lanes));
                    s3 += Vector256.LoadUnsafe(ref x0, at + (nuint)(3 * lanes));
                }
                Finish(s0, inv, self, bias, y, c, accumulate);
                Finish(s1, inv, self, bias, y, c + lanes, accumulate);
                Finish(s2, inv, self, bias, y, c + 2 * lanes, accumulate);
                Finish(s3, inv, self, bias, y, c + 3 * lanes, accumulate);
            }
            for (; c + lanes <= width; c += lanes)
            {
                var sum = Vector256<float>.Zero;
                foreach (int row in rows) sum += Vector256.LoadUnsafe(ref x0, (nuint)((row - firstRow) * stride + column + c));
                Finish(sum, inv, self, bias, y, c, accumulate);
            }
        }
        MeanAddReluColumns(x, stride, column, rows, firstRow, self, bias, y, accumulate, c, inv);
    }

    /// <summary>The scalar path of <see cref="MeanAddRelu"/>.</summary>
    public static void MeanAddReluScalar(ReadOnlySpan<float> x, int stride, int column, ReadOnlySpan<int> rows, int firstRow,
        ReadOnlySpan<float> self, ReadOnlySpan<float> bias, Span<float> y, bool accumulate)
    {
        CheckRows(x.Length, stride, column, rows, firstRow, y.Length);
        MeanAddReluColumns(x, stride, column, rows, firstRow, self, bias, y, accumulate, 0, rows.Length > 0 ? 1f / rows.Length : 0f);
    }

    static void MeanAddReluColumns(ReadOnlySpan<float> x, int stride, int column, ReadOnlySpan<int> rows, int firstRow,
        ReadOnlySpan<float> self, ReadOnlySpan<float> bias, Span<float> y, bool accumulate, int from, float inv)
    {
        for (int c = from; c < y.Length; c++)
        {
            float sum = 0f;
            foreach (int row in rows) sum += x[(row - firstRow) * stride + column + c];
            float value = MathF.Max(sum * inv + self[c] + bias[c], 0f);
            y[c] = accumulate ? y[c] + value : value;
        }
    }

    static void Finish(Vector256<float> sum, float inv, ReadOnlySpan<float> self, ReadOnlySpan<float> bias, Span<float> y, int c, bool accumulate)
    {
        var value = Vector256.Max(sum * inv + Vector256.Create(self.Slice(c, Vector256<float>.Count)) + Vector256.Create(bias.Slice(c, Vector256<float>.Count)), Vector256<float>.Zero);
        if (accumulate) value += Vector256.Create((ReadOnlySpan<float>)y.Slice(c, Vector256<float>.Count));
        value.CopyTo(y.Slice(c, Vector256<float>.Count));
    }

    // Every gathered row lies inside x (checked once per call, so the vector loads need no check of their own).
    static void CheckRows(int length, int stride, int column, ReadOnlySpan<int> rows, int firstRow, int width)
    {
        foreach (int row in rows)
            if (row < firstRow || (long)(row - firstRow) * stride + column + width > length)
                throw new ArgumentOutOfRangeException(nameof(rows), $"row {row} (first {firstRow}, stride {stride}, columns {column}..{column + width}) lies outside x's {length} values");
    }
}
