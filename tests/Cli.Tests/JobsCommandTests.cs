using System.Text.Json;
using Sure.Sim;

namespace Sure.Cli.Tests;

public sealed class JobsCommandTests
{
    [Fact]
    public void Jobs_lists_the_split_as_json_lines()
    {
        var (code, output, error) = CliRunner.Invoke("jobs", "--split", "validation", "--json");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var expected = JobSplit.Jobs(SplitKind.Validation);
        Assert.Equal(expected.Select(g => (g.Name, g.TaskCount)), rows.Select(r => (r.GetProperty("job").GetString()!, r.GetProperty("tasks").GetInt32())));
        Assert.All(rows, r => Assert.Equal("validation", r.GetProperty("split").GetString()));
    }

    [Fact]
    public void A_bad_split_is_one_line()
    {
        var (code, _, error) = CliRunner.Invoke("jobs", "--split", "everything");
        Assert.Equal(2, code);
        Assert.Contains("bad split 'everything'", error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
