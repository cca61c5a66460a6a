namespace Sure.Sim.Tests;

public class JobSplitTests
{
    static readonly IReadOnlyList<JobGraph> All = JobCatalog.Sample();

    [Theory]
    [InlineData("", 0xcbf29ce484222325UL)]          // FNV-1a 64 test vectors (Fowler, Noll, Vo: the FNV test suite)
    [InlineData("a", 0xaf63dc4c8601ec8cUL)]
    [InlineData("foobar", 0x85944171f73967e8UL)]
    public void Fnv1a_matches_the_published_vectors(string text, ulong expected) => Assert.Equal(expected, JobSplit.Fnv1a(text));

    [Fact]
    public void The_splits_are_disjoint_cover_every_eligible_job_and_keep_out_the_paper_jobs()
    {
        var splits = new[] { SplitKind.Train, SplitKind.Validation, SplitKind.Test }.ToDictionary(s => s, s => JobSplit.Jobs(s, All).Select(g => g.Name).ToList());
        var union = splits.Values.SelectMany(v => v).ToList();
        Assert.Equal(union.Count, union.Distinct().Count());                       // disjoint
        var paper = JobCatalog.Named.Select(j => j.JobId).ToHashSet();
        var eligible = All.Where(g => g.TaskCount is >= 2 and <= 100 && !paper.Contains(g.Name)).Select(g => g.Name).ToHashSet();
        Assert.Equal(eligible, union.ToHashSet());                                 // complete
        Assert.DoesNotContain(union, paper.Contains);
        // About 80 / 10 / 10 of some 12,000 jobs.
        Assert.InRange(splits[SplitKind.Train].Count / (double)union.Count, 0.78, 0.82);
        Assert.InRange(splits[SplitKind.Validation].Count / (double)union.Count, 0.09, 0.11);
        Assert.InRange(splits[SplitKind.Test].Count / (double)union.Count, 0.09, 0.11);
    }

    [Fact]
    public void A_jobs_split_depends_on_its_id_alone()
    {
        var shuffled = All.Reverse().ToList();
        Assert.Equal(JobSplit.Jobs(SplitKind.Test, All).Select(g => g.Name).Order(), JobSplit.Jobs(SplitKind.Test, shuffled).Select(g => g.Name).Order());
        foreach (var g in All.Take(200))
        {
            var kind = JobSplit.Of(g.Name);
            ulong bucket = JobSplit.Fnv1a(g.Name) % 100;
            Assert.Equal(bucket < 80 ? SplitKind.Train : bucket < 90 ? SplitKind.Validation : SplitKind.Test, kind);
        }
    }

    [Fact]
    public void Parsing_every_job_at_once_gives_the_graphs_of_parsing_each()
    {
        foreach (var g in All.Where((_, k) => k % 997 == 0).Concat(All.Where(g => g.Name == "j_4141453")))
        {
            var one = JobCatalog.Load(g.Name);
            Assert.Equal(one.TaskCount, g.TaskCount);
            Assert.Equal(one.Durations.ToArray(), g.Durations.ToArray());
            for (int i = 0; i < g.TaskCount; i++) Assert.Equal(one.Parents(i).ToArray(), g.Parents(i).ToArray());
        }
    }
}
