namespace Sure.Autodiff;

/// <summary>The argument checks of ops that both tapes (CPU and device) record, written once.</summary>
internal static class OpChecks
{
    // index: rows of a [rows, *] value, each in 0..rows-1
    public static void Rows(ReadOnlySpan<int> index, Shape shape)
    {
        foreach (int i in index)
            if ((uint)i >= (uint)shape.Rows) throw new ArgumentOutOfRangeException(nameof(index), $"row {i} of {shape}");
    }

    // segStart: [s + 1], from 0 to rows, non-decreasing
    public static void Segments(ReadOnlySpan<int> seg, int rows)
    {
        if (seg.Length < 1 || seg[0] != 0 || seg[^1] != rows)
            throw new ArgumentException($"SegmentMean: segment starts must run from 0 to {rows}");
        for (int j = 1; j < seg.Length; j++)
            if (seg[j] < seg[j - 1]) throw new ArgumentException("SegmentMean: segment starts decrease");
    }
}
