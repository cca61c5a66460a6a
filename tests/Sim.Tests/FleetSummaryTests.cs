namespace Sure.Sim.Tests;

public sealed class FleetSummaryTests
{
    [Fact]
    public void Summary_matches_a_hand_computed_example()
    {
        // Job a: bar = max(hpa-tuned 0.20, flink-tuned 0.22) = 0.22, sure 0.25 wins. Job b: bar 0.18, sure 0.17 loses.
        // Job c: bar 0.30 (hpa-tuned only), sure 0.30 ties, which is not a win. sure: mean 0.24, median 0.25, worst 0.17.
        // Job d: bar = max-tuned's 0.27 (part of the bar too), sure 0.26 loses.
        var rows = new List<(string, string, double)>
        {
            ("a", "hpa-tuned", 0.20), ("a", "flink-tuned", 0.22), ("a", "sure", 0.25),
            ("b", "hpa-tuned", 0.18), ("b", "flink-tuned", 0.10), ("b", "sure", 0.17),
            ("c", "hpa-tuned", 0.30), ("c", "sure", 0.30),
        };
        Assert.Equal(1, FleetSummary.Of([.. rows, ("d", "hpa-tuned", 0.20), ("d", "max-tuned", 0.27), ("d", "sure", 0.26)]).Single(s => s.Policy == "sure").Won);
        var summaries = FleetSummary.Of(rows);
        Assert.Equal(["hpa-tuned", "flink-tuned", "sure"], summaries.Select(s => s.Policy));
        var sure = summaries[2];
        Assert.Equal(3, sure.Jobs);
        Assert.Equal(0.24, sure.Mean, 1e-12);
        Assert.Equal(0.25, sure.Median);
        Assert.Equal(0.17, sure.Worst);
        Assert.Equal(1, sure.Won);
        Assert.Null(summaries[0].Won);
        Assert.Equal((0.18 + 0.20) / 2 + 0.0, FleetSummary.Of(rows.Where(r => r.Item1 != "c").ToList())[0].Median, 1e-12);
    }

    [Fact]
    public void No_tuned_heuristic_means_no_wins_are_counted() =>
        Assert.Null(FleetSummary.Of([("a", "hpa", 0.1), ("a", "sure", 0.2)])[1].Won);

    [Fact]
    public void A_limited_split_is_a_fixed_subset_of_that_split()
    {
        var all = FleetSummary.Jobs("validation", null, null).Select(j => j.Name).ToHashSet();
        var some = FleetSummary.Jobs("validation", 25, null).Select(j => j.Name).ToList();
        Assert.Equal(25, some.Count);
        Assert.Equal(25, some.Distinct().Count());
        Assert.All(some, id => Assert.Contains(id, all));
        Assert.Equal(some, FleetSummary.Jobs("validation", 25, null).Select(j => j.Name));
        // Not simply the split's first jobs in the sample's order.
        Assert.NotEqual(JobSplit.Jobs(SplitKind.Validation).Take(25).Select(j => j.Name), some);
    }
}
