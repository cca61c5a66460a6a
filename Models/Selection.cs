namespace Sure.Models;

// Stand-in with the semantics of Tensors/TopK.cs (TopK.Row, ByIndexAscending) until that kernel reaches main;
// then the two calls in SubgraphSampler switch to it and this file goes.
static class Selection
{
    // row: [cols]  chosen: [k]; writes the min(k, cols) largest (ties: lower index) in ascending index order, -1 after
    public static void LargestAscending<T>(ReadOnlySpan<T> row, Span<int> chosen) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = Math.Min(chosen.Length, row.Length);
        chosen.Fill(-1);
        for (int c = 0; c < count; c++)
        {
            int best = -1;
            for (int j = 0; j < row.Length; j++)
                if (chosen[..c].IndexOf(j) < 0 && (best < 0 || row[j] > row[best])) best = j;
            chosen[c] = best;
        }
        chosen[..count].Sort();
    }
}
