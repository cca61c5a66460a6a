using Sure.Tests;
using FsCheck;
using FsCheck.Fluent;

namespace Sure.Tensors.Tests;

public class TopKTests
{
    // Sort-based reference: all candidate indices ordered by value descending (NaN last), then index ascending.
    static int[] Reference(float[] row, int valid, int k, TopKOrder order)
    {
        var ranked = Enumerable.Range(0, valid)
            .OrderBy(i => float.IsNaN(row[i]) ? 1 : 0).ThenByDescending(i => float.IsNaN(row[i]) ? 0 : row[i]).ThenBy(i => i)
            .Take(k).ToArray();
        if (order == TopKOrder.ByIndexAscending) Array.Sort(ranked);
        return ranked.Concat(Enumerable.Repeat(-1, k - ranked.Length)).ToArray();
    }

    // Values from a small set so that ties are common.
    static float[] RandomTiedValues(Random rng, int count)
        => Enumerable.Range(0, count).Select(_ => rng.Next(8) switch { 0 => float.NaN, 1 => float.NegativeInfinity, var v => v * 0.5f }).ToArray();

    [Fact]
    public void MatchesSortReferenceIncludingTiesPaddingAndShortRows()
    {
        Prop.ForAll(Gen.Choose(0, 1 << 30).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            int rows = rng.Next(1, 5), stride = rng.Next(1, 50), valid = rng.Next(0, stride + 1), k = rng.Next(1, stride + 4);
            var order = rng.Next(2) == 0 ? TopKOrder.ByValueDescending : TopKOrder.ByIndexAscending;
            var x = RandomTiedValues(rng, rows * stride);
            var indices = Enumerable.Repeat(12345, rows * k).ToArray();
            TopK.Indices<float>(x, stride, valid, k, order, indices);
            for (int r = 0; r < rows; r++)
            {
                var expected = Reference(x.AsSpan(r * stride, stride).ToArray(), valid, k, order);
                if (!expected.SequenceEqual(indices.Skip(r * k).Take(k))) return false;
            }
            return true;
        }).QuickCheckThrowOnFailure();
    }

    // Wider rows and larger k than SURE's (the SIMD screen, the > 64-column and k > 32 index sorts), signed zeros as ties,
    // and k past the stack buffer (the general path).
    [Fact]
    public void MatchesSortReferenceOnWideRowsLargeKAndSignedZeros()
    {
        Prop.ForAll(Gen.Choose(0, 1 << 30).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            int cols = rng.Next(1, rng.Next(2) == 0 ? 80 : 400), k = rng.Next(1, Math.Min(cols, 300) + 3);
            var order = rng.Next(2) == 0 ? TopKOrder.ByValueDescending : TopKOrder.ByIndexAscending;
            var row = Enumerable.Range(0, cols).Select(_ => rng.Next(12) switch
            {
                0 => float.NaN, 1 => float.NegativeInfinity, 2 => float.PositiveInfinity, 3 => -0f, 4 => 0f,
                var v => rng.Next(3) == 0 ? (float)rng.NextDouble() : v * -0.25f,
            }).ToArray();
            var indices = Enumerable.Repeat(12345, k).ToArray();
            int chosen = TopK.Row<float>(row, order, indices);
            var expected = Reference(row, cols, k, order);
            var asDouble = Enumerable.Repeat(12345, k).ToArray();
            TopK.Row<double>(row.Select(v => (double)v).ToArray(), order, asDouble);
            return chosen == Math.Min(k, cols) && expected.SequenceEqual(indices) && expected.SequenceEqual(asDouble);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void TiesGoToTheLowerIndex()
    {
        float[] x = [1, 3, 3, 2, 3, 1];
        var top = new int[3];
        TopK.Indices<float>(x, 6, 3, top);
        Assert.Equal([1, 2, 4], top);
        var two = new int[2];
        TopK.Indices<float>(x, 6, 2, two);
        Assert.Equal([1, 2], two);
        float[] y = [5, 9, 7, 9];
        TopK.IndicesAscending<float>(y, 4, 3, top);
        Assert.Equal([1, 2, 3], top);
        TopK.Indices<float>(y, 4, 3, top);
        Assert.Equal([1, 3, 2], top);
    }

    [Fact]
    public void PaddingPastValidIsNeverChosenAndKBeyondColsFillsMinusOne()
    {
        // Rows of stride 5 whose last two slots are padding with huge values; the last row ends right after its valid part.
        double[] x = [1, 4, 2, 100, 100, 7, 3, 5, 100, 100, 0, 0, 9];
        var idx = new int[3 * 2];
        TopK.Indices<double>(x, 5, 3, 2, TopKOrder.ByIndexAscending, idx);
        Assert.Equal([1, 2, 0, 2, 0, 2], idx);   // last row: 9 then the tie 0, 0 goes to index 0
        var wide = new int[7];
        TopK.Indices<double>(x.AsSpan(0, 5), 5, 7, wide);
        Assert.Equal([3, 4, 1, 2, 0, -1, -1], wide);
        var none = new int[2];
        TopK.Indices<double>(x.AsSpan(0, 5), 5, 0, 2, TopKOrder.ByValueDescending, none);
        Assert.Equal([-1, -1], none);
    }

    [Fact]
    public void SelectionDoesNotAllocate()
    {
        var rng = new Random(9);
        var x = Enumerable.Range(0, 64 * 200).Select(_ => (float)rng.NextDouble()).ToArray();
        var idx = new int[64 * 10];
        Assert.Equal(0, Allocations.SteadyState(() =>
        {
            TopK.Indices<float>(x, 200, 200, 10, TopKOrder.ByIndexAscending, idx);
            TopK.Indices<float>(x, 200, 10, idx);
        }));
    }
}
