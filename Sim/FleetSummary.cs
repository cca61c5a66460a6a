namespace Sure.Sim;

/// <summary>One policy's rewards over many jobs: mean, median and worst, and against the per-job bar.</summary>
/// <param name="Won">Jobs where the policy's reward is above the best tuned heuristic's; null for the bar's own
/// policies, or when no tuned heuristic was evaluated.</param>
public sealed record PolicySummary(string Policy, int Jobs, double Mean, double Median, double Worst, int? Won);

/// <summary>
/// The fleet evaluation's aggregate (issue 19, docs/fleet.md). Per job the bar is the best of the tuned heuristics
/// evaluated with it (<see cref="Bar"/>: hpa-tuned, flink-tuned, max-tuned, oracle-static, each tuned on that job's first week), as
/// in RESULTS.md; a policy "wins" a job when its reward is strictly above that job's bar.
/// </summary>
public static class FleetSummary
{
    public static readonly IReadOnlyList<string> Bar = ["hpa-tuned", "flink-tuned", "max-tuned", "oracle-static"];

    /// <summary>Summaries in the order the policies first appear in <paramref name="rows"/>.</summary>
    public static IReadOnlyList<PolicySummary> Of(IReadOnlyList<(string Job, string Policy, double Reward)> rows)
    {
        var bar = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (job, policy, reward) in rows)
            if (Bar.Contains(policy)) bar[job] = bar.TryGetValue(job, out double best) ? Math.Max(best, reward) : reward;
        var summaries = new List<PolicySummary>();
        foreach (string policy in rows.Select(r => r.Policy).Distinct())
        {
            var mine = rows.Where(r => r.Policy == policy).ToList();
            var rewards = mine.Select(r => r.Reward).Order().ToArray();
            int m = rewards.Length;
            double median = m % 2 == 1 ? rewards[m / 2] : (rewards[m / 2 - 1] + rewards[m / 2]) / 2;
            int? won = Bar.Contains(policy) || bar.Count == 0
                ? null
                : mine.Count(r => bar.TryGetValue(r.Job, out double best) && r.Reward > best);
            summaries.Add(new PolicySummary(policy, m, rewards.Average(), median, rewards[0], won));
        }
        return summaries;
    }

    /// <summary>
    /// The jobs a fleet command names: a split of the embedded sample (train, validation, test) or comma-separated job
    /// ids; with <paramref name="limit"/>, only the first that many of a split in the order of the FNV-1a hash of
    /// "sample:" + id (a fixed pseudo-random subset that does not follow the split's own hash buckets).
    /// </summary>
    public static IReadOnlyList<JobGraph> Jobs(string spec, int? limit, string? jobsFile)
    {
        if (limit is < 1) throw new SimInputException($"bad limit {limit}: need at least 1");
        SplitKind? split = spec switch
        {
            "train" => SplitKind.Train,
            "validation" => SplitKind.Validation,
            "test" => SplitKind.Test,
            _ => null,
        };
        if (split is SplitKind kind)
        {
            if (jobsFile is not null) throw new SimInputException("the splits are of the embedded sample: --jobs train|validation|test takes no --jobs-file");
            var jobs = JobSplit.Jobs(kind);
            return limit is int n ? jobs.OrderBy(j => JobSplit.Fnv1a("sample:" + j.Name)).Take(n).ToList() : jobs;
        }
        var ids = spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ids.Length == 0) throw new SimInputException($"bad jobs '{spec}': expected train, validation, test or comma-separated job ids");
        if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Length) throw new SimInputException($"bad jobs '{spec}': a job is named twice");
        var graphs = ids.Select(id => JobCatalog.Load(id, jobsFile)).ToList();
        return limit is int count ? graphs.Take(count).ToList() : graphs;
    }
}
