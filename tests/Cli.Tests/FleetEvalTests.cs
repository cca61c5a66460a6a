using System.Text.Json;
using Sure.Sim;

namespace Sure.Cli.Tests;

/// <summary>`sure eval --jobs` (issue 19): the fleet evaluation against `sure eval --job`, job by job.</summary>
public sealed class FleetEvalTests
{
    static List<JsonElement> Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public void Each_job_of_a_fleet_evaluation_equals_its_own_eval_and_the_summary_adds_up()
    {
        var jobs = JobSplit.Jobs(SplitKind.Test).Where(j => j.TaskCount <= 8).Take(3).Select(j => j.Name).ToArray();
        const string policies = "hpa,hpa-tuned,oracle-static";
        var (code, output, error) = CliRunner.Invoke("eval", "--jobs", string.Join(',', jobs), "--policies", policies, "--threads", "2", "--json");
        Assert.True(code == 0, error);
        var lines = Lines(output);
        var rows = lines.Where(l => !l.TryGetProperty("summary", out _)).ToList();
        var single = new List<JsonElement>();
        foreach (string job in jobs)
        {
            var (c, o, e) = CliRunner.Invoke("eval", "--job", job, "--policies", policies, "--json");
            Assert.True(c == 0, e);
            single.AddRange(Lines(o));
        }
        Assert.Equal(single.Select(r => r.GetRawText()), rows.Select(r => r.GetRawText()));

        // The summary, recomputed from the rows: hpa's mean, worst, and the jobs where it beats the best tuned heuristic.
        var summaries = lines.Where(l => l.TryGetProperty("summary", out _)).ToDictionary(l => l.GetProperty("policy").GetString()!);
        Assert.Equal(3, summaries.Count);
        double Reward(string job, string policy) => rows.Single(r => r.GetProperty("job").GetString() == job && r.GetProperty("policy").GetString() == policy).GetProperty("reward").GetDouble();
        var hpa = summaries["hpa"];
        Assert.Equal(jobs.Average(j => Reward(j, "hpa")), hpa.GetProperty("mean_reward").GetDouble(), 1e-12);
        Assert.Equal(jobs.Min(j => Reward(j, "hpa")), hpa.GetProperty("worst_reward").GetDouble());
        Assert.Equal(jobs.Count(j => Reward(j, "hpa") > Math.Max(Reward(j, "hpa-tuned"), Reward(j, "oracle-static"))), hpa.GetProperty("jobs_won").GetInt32());
        Assert.False(summaries["hpa-tuned"].TryGetProperty("jobs_won", out _));
    }

    [Theory]
    [InlineData("give --job or --jobs, not both", "eval", "--job", "small-1", "--jobs", "test")]
    [InlineData("--limit goes with --jobs", "eval", "--limit", "3")]
    [InlineData("bad limit 0", "eval", "--jobs", "test", "--limit", "0")]
    [InlineData("a job is named twice", "eval", "--jobs", "j_1136,j_1136")]
    public void Bad_fleet_options_are_one_line(string message, params string[] args)
    {
        var (code, _, error) = CliRunner.Invoke(args);
        Assert.Equal(2, code);
        Assert.Contains(message, error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
