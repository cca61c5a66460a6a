using System.Globalization;
using System.Text.Json;
using Sure.Models;

namespace Sure.Cli.Tests;

/// <summary>`sure decide` on the files `sure simulate --plan-out --metrics-out` writes gives the simulator's decisions.</summary>
public sealed class DecideCommandTests : IDisposable
{
    readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    // The default recipe's shape (D = 11, a residual on hpa-tuned with a dead band), untrained, so that it rescales.
    string Model()
    {
        var model = SureModel<float>.Create(new SureConfig { D = 11, H = 16 }, seed: 7);
        model.Metadata[ResidualBase.BaseKey] = ResidualBase.HpaTunedBase;
        model.Metadata[ResidualBase.BaseTargetKey] = "0.6";
        model.Metadata[ResidualBase.DeadBandKey] = "0.05";
        string path = _scratch.PathOf("m.safetensors");
        model.Save(path);
        return path;
    }

    static JsonElement[] JsonLines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();

    [Theory]
    [InlineData("small-1", "1")]
    [InlineData("medium-2", "4")]
    public void Decide_on_a_simulated_runs_files_gives_the_simulators_decisions(string job, string seed)
    {
        string model = Model(), plan = _scratch.PathOf("plan.json"), metrics = _scratch.PathOf("metrics.jsonl");
        var (code, _, error) = CliRunner.Invoke("simulate", "--job", job, "--policy", "sure", "--model", model, "--minutes", "300",
            "--seed", seed, "--plan-out", plan, "--metrics-out", metrics, "--json");
        Assert.True(code == 0, error);
        var minutes = File.ReadAllLines(metrics).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
        Assert.Equal(300, minutes.Length);

        (code, var output, error) = CliRunner.Invoke("decide", "--model", model, "--plan", plan, "--metrics", metrics, "--seed", seed, "--json");
        Assert.True(code == 0, error);
        var decisions = JsonLines(output);
        Assert.Equal(5, decisions.Length);
        int changes = 0;
        // The simulator applied decision k from minute 60 (k + 1): its vertices' parallelism there is the reference.
        for (int k = 0; k < 4; k++)
        {
            var applied = minutes[60 * (k + 1)].GetProperty("vertices");
            foreach (var vertex in decisions[k].GetProperty("vertices").EnumerateArray())
            {
                int expected = applied.GetProperty(vertex.GetProperty("id").GetString()!).GetProperty("parallelism").GetInt32();
                Assert.Equal(expected, vertex.GetProperty("new_parallelism").GetInt32());
                Assert.Equal("policy", vertex.GetProperty("reason").GetString());
                if (vertex.GetProperty("parallelism").GetInt32() != expected) changes++;
            }
        }
        Assert.True(changes > 0, "no decision changed anything: the test could not tell a wrong decision from a right one");
    }

    [Fact]
    public void A_span_with_too_many_minutes_without_a_metric_falls_back_to_hpa()
    {
        string plan = _scratch.Text("plan.json", """{"plan":{"nodes":[{"id":"src","parallelism":4,"inputs":[]},{"id":"map","parallelism":4,"inputs":[{"id":"src"}]}]}}""");
        var lines = Enumerable.Range(0, 60).Select(m =>
        {
            string busy = m % 2 == 0 ? "null" : "950";                 // 30 minutes without map's busy time
            string time = new DateTimeOffset(2026, 12, 1, 10, m, 0, TimeSpan.FromHours(1)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
            return "{\"timestamp\":\"" + time + "\",\"vertices\":{\"src\":{\"numRecordsInPerSecond\":100,\"busyTimeMsPerSecond\":950,\"pendingRecords\":0},"
                + "\"map\":{\"numRecordsInPerSecond\":100,\"busyTimeMsPerSecond\":" + busy + ",\"pendingRecords\":0}}}";
        });
        string metrics = _scratch.Text("metrics.jsonl", string.Join("\n", lines) + "\n");
        var (code, output, error) = CliRunner.Invoke("decide", "--model", _scratch.Weights(), "--plan", plan, "--metrics", metrics, "--json");
        Assert.True(code == 0, error);
        var decision = Assert.Single(JsonLines(output));
        Assert.True(decision.GetProperty("fell_back").GetBoolean());
        Assert.Equal(30, decision.GetProperty("refused_minutes").GetInt32());
        // HPA at 0.7 on the last accepted minute, busy 0.95: ceil(4 x 0.95 / 0.7) = 6 for both vertices.
        foreach (var vertex in decision.GetProperty("vertices").EnumerateArray())
        {
            Assert.Equal(6, vertex.GetProperty("new_parallelism").GetInt32());
            Assert.Equal("fallback", vertex.GetProperty("reason").GetString());
        }
    }
}
