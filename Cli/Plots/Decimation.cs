namespace Sure.Cli.Plots;

/// <summary>
/// Thins a line to what one pixel column can show. A week of minutes is 10,080 points but a chart is under 1,000
/// pixels wide, so drawing every point only makes the file big. Averaging or sampling would hide a one-minute latency
/// spike; keeping the lowest and the highest point of each column (in their original order) draws the same
/// vertical extent the full line would, so spikes and dips survive while the file holds at most two points per column.
/// </summary>
public static class Decimation
{
    /// <summary>
    /// Points already in pixel space, one unbroken segment. Consecutive points falling in the same column
    /// (floor of x) are reduced to that run's minimum and maximum y; a column with one or two points is kept as it is.
    /// </summary>
    public static List<(double X, double Y)> MinMaxPerColumn(IReadOnlyList<(double X, double Y)> points)
    {
        var kept = new List<(double X, double Y)>();
        int start = 0;
        while (start < points.Count)
        {
            double column = Math.Floor(points[start].X);
            int end = start, low = start, high = start;
            while (end + 1 < points.Count && Math.Floor(points[end + 1].X) == column)
            {
                end++;
                if (points[end].Y < points[low].Y) low = end;
                if (points[end].Y > points[high].Y) high = end;
            }
            kept.Add(points[Math.Min(low, high)]);
            if (low != high) kept.Add(points[Math.Max(low, high)]);
            start = end + 1;
        }
        return kept;
    }
}
