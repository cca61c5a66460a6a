using System.Xml.Linq;
using Sure.Cli.Paper;

namespace Sure.Cli.Tests;

/// <summary>
/// `sure paper`: a small plan (one job, one iteration per training) runs end to end and its output has every table
/// row, job column and figure; a rerun resumes (runs nothing); the standardisation against hand-worked numbers.
/// With SURE_PAPER_DIR set (.ci/run sets it after `sure paper --quick`), the same checks read that folder instead.
/// </summary>
public class PaperCommandTests
{
    static readonly string[] Figures =
        ["fig4a-reward-k1.svg", "fig4b-time-k1.svg", "fig4c-latency-lambda.svg", "fig4d-utilisation-lambda.svg", "fig5a-sampling-heatmap.svg", "fig5b-embeddings-tsne.svg"];
    static readonly string[] Rows =
        ["| HPA |", "| HPA, tuned |", "| Flink, tuned |", "| DeepWave |", "| DREAM |", "| TVW-RL |", "| ASTGCN |", "| CCRNN |", "| SURE |", "| clairvoyant", "| w/o NVSS |", "| w/o MI |"];

    /// <summary>Every table row and job column, every figure parses as SVG with a title, and no cell of Table 1 is missing.</summary>
    static void CheckOutput(string dir, string[] jobs)
    {
        string readme = File.ReadAllText(Path.Combine(dir, "README.md"));
        foreach (var row in Rows) Assert.Contains(row, readme);
        foreach (var job in jobs) Assert.Contains($"| {job} |", readme);
        var table1 = readme[readme.IndexOf("## Table 1:", StringComparison.Ordinal)..readme.IndexOf("## Table 1, standardised", StringComparison.Ordinal)];
        Assert.DoesNotContain("n/a", table1);
        Assert.Contains("the paper", readme);
        XNamespace svg = "http://www.w3.org/2000/svg";
        foreach (var figure in Figures)
        {
            var doc = XDocument.Load(Path.Combine(dir, figure));
            Assert.Equal(svg + "svg", doc.Root!.Name);
            Assert.Contains(doc.Descendants(svg + "text"), t => t.Value.StartsWith("Fig. ", StringComparison.Ordinal));
            Assert.Contains($"]({figure})", readme);
        }
        // Fig. 5(b): one point per task and decision plus f(G) per decision.
        var tsne = XDocument.Load(Path.Combine(dir, "fig5b-embeddings-tsne.svg"));
        Assert.Equal(PaperProbe.EmbeddedDecisions * (6 + 1), tsne.Descendants(svg + "circle").Count(c => c.Attribute("class")?.Value == "point"));
    }

    [Fact]
    public void SmallPlanRunsResumesAndReportsEveryMethod()
    {
        string? ciDir = Environment.GetEnvironmentVariable("SURE_PAPER_DIR");
        if (ciDir is not null)
        {
            CheckOutput(ciDir, Sure.Sim.JobCatalog.Named.Select(j => j.Name).ToArray());
            return;
        }
        using var scratch = new Scratch();
        string dir = scratch.PathOf("paper");
        string[] args = ["paper", "--out", dir, "--jobs", "small-1", "--sweep-job", "small-1", "--iterations", "1", "--seeds", "1",
            "--lambdas", "0.5,0.7", "--k1s", "2,10", "--threads", "1"];
        var (code, output, error) = CliRunner.Invoke(args);
        Assert.True(code == 0, error);
        Assert.Contains("(0 already done)", output);
        CheckOutput(dir, ["small-1"]);
        int steps = File.ReadLines(Path.Combine(dir, "raw", "steps.jsonl")).Count();
        // Every step names the build that ran it (a run spread over sessions may mix builds).
        string version = typeof(Sure.Models.SureModel<float>).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion;
        Assert.All(File.ReadLines(Path.Combine(dir, "raw", "steps.jsonl")),
            line => Assert.Equal(version, System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("version").GetString()));

        // A rerun finds every output and runs nothing.
        (code, output, error) = CliRunner.Invoke(args);
        Assert.True(code == 0, error);
        Assert.Contains($"{steps} steps ({steps} already done)", output);
        Assert.Equal(steps, File.ReadLines(Path.Combine(dir, "raw", "steps.jsonl")).Count());

        // A training that stopped short of its iterations (as Ctrl+C leaves it) is trained again, and its evaluation,
        // now older than the model, runs again too: two steps, nothing else.
        string model = Path.Combine(dir, "models", "small-1.deepwave.s1.safetensors");
        var file = Sure.Autodiff.SafetensorsFile.Read(model);
        file.Metadata["iterations"] = "0";
        file.Write(model);
        (code, output, error) = CliRunner.Invoke(args);
        Assert.True(code == 0, error);
        Assert.Contains($"{steps} steps ({steps - 2} already done)", output);
        Assert.Equal("1", Sure.Autodiff.SafetensorsFile.Read(model).Metadata["iterations"]);

        // Another folder reusing these checkpoints trains nothing (the same names and iterations), and evaluates them.
        string again = scratch.PathOf("again");
        (code, output, error) = CliRunner.Invoke([.. args.Select(a => a == dir ? again : a), "--reuse", Path.Combine(dir, "models")]);
        Assert.True(code == 0, error);
        Assert.Contains($"reused {SmallPlanTrainings} checkpoints", error);
        Assert.DoesNotContain(File.ReadLines(Path.Combine(again, "raw", "steps.jsonl")), l => l.Contains("\"sure train ", StringComparison.Ordinal));
        CheckOutput(again, ["small-1"]);

        // Kept as its raw/ files alone (models/ is git-ignored), the run is complete: nothing trains again.
        Directory.Delete(Path.Combine(dir, "models"), recursive: true);
        (code, output, error) = CliRunner.Invoke(args);
        Assert.True(code == 0, error);
        Assert.Contains($"{steps} steps ({steps} already done)", output);
        // But an evaluation that is gone brings its model back: the training and that evaluation run, nothing else.
        File.Delete(Path.Combine(dir, "raw", "small-1.dream.s1.jsonl"));
        (code, output, error) = CliRunner.Invoke(args);
        Assert.True(code == 0, error);
        Assert.Contains($"{steps} steps ({steps - 2} already done)", output);

        // Two runs on one folder share the plan: a training another run has claimed is left to it, and so is the
        // evaluation that reads its model; once the claim is released the same command runs those two.
        string dream = Path.Combine(dir, "models", "small-1.dream.s1.safetensors"), dreamRaw = Path.Combine(dir, "raw", "small-1.dream.s1.jsonl");
        File.Delete(dream);
        File.Delete(dreamRaw);
        using (var held = PaperClaim.TryTake(dream))
        {
            Assert.NotNull(held);
            Assert.Null(PaperClaim.TryTake(dream));
            (code, output, error) = CliRunner.Invoke(args);
            Assert.True(code == 0, error);
            Assert.Contains("ran 0 steps", output);
            Assert.Contains("2 left to another `sure paper`", output);
            Assert.False(File.Exists(dream));
            Assert.False(File.Exists(dreamRaw));
        }
        (code, output, error) = CliRunner.Invoke(args);
        Assert.True(code == 0, error);
        Assert.Contains($"{steps} steps ({steps - 2} already done)", output);
        Assert.Empty(Directory.GetFiles(dir, "*.claim", SearchOption.AllDirectories));
    }

    [Fact]
    public void ABudgetStartsNoStepAfterIt()
    {
        using var scratch = new Scratch();
        var (code, output, error) = CliRunner.Invoke(["paper", "--out", scratch.PathOf("p"), "--jobs", "small-1", "--sweep-job", "small-1",
            "--iterations", "1", "--seeds", "1", "--lambdas", "0.5", "--k1s", "2", "--minutes", "0"]);
        Assert.True(code == 0, error);
        Assert.Contains("--minutes 0 reached after 0 steps", output);
        Assert.Contains("the same command resumes", output);
        Assert.False(File.Exists(scratch.PathOf("p/raw/steps.jsonl")));
    }

    // Trainings of the small plan: 8 methods (Table 1's six and two ablations) at lambda 0.5, SURE and CCRNN at 0.7.
    const int SmallPlanTrainings = 8 + 2;

    [Fact]
    public void TheReadingCountsFromTheNumbers()
    {
        // Hand-set evaluations of one job, two seeds: SURE 0.210 +- 0.001, w/o NVSS 0.200 +- 0.001 (clearly below),
        // w/o MI 0.2105 +- 0.004 (above SURE, within the spread); lambda 0.5 (Table 1's runs) and 0.7, SURE's latency
        // below CCRNN's at both, its utilisation above at 0.7 only.
        using var scratch = new Scratch();
        var plan = new PaperPlan
        {
            Dir = scratch.Dir, Quick = false, Seeds = 2, Jobs = ["small-1"], Lambdas = [0.5, 0.7], K1s = [10], SweepJob = "small-1", Threads = 1,
        };
        Directory.CreateDirectory(Path.Combine(scratch.Dir, "raw"));
        void Eval(string name, string policy, double reward, double latency, double utilisation) =>
            File.WriteAllText(plan.RawPath(name), System.FormattableString.Invariant(
                $"{{\"job\":\"small-1\",\"policy\":\"{policy}\",\"reward\":{reward},\"latency_mean_s\":{latency},\"utilization\":{utilisation}}}\n"));
        Eval("small-1.sure.s1", "sure", 0.209, 2.0, 0.50);
        Eval("small-1.sure.s2", "sure", 0.211, 2.0, 0.50);
        Eval("small-1.uniform.s1", "sure", 0.199, 2.0, 0.5);
        Eval("small-1.uniform.s2", "sure", 0.201, 2.0, 0.5);
        Eval("small-1.nomi.s1", "sure", 0.2075, 2.0, 0.5);
        Eval("small-1.nomi.s2", "sure", 0.2135, 2.0, 0.5);
        Eval("small-1.ccrnn.s1", "ccrnn", 0.205, 3.0, 0.60);
        Eval("lambda.0.7.sure.s1", "sure", 0.19, 1.0, 0.45);
        Eval("lambda.0.7.ccrnn.s1", "ccrnn", 0.18, 1.5, 0.40);
        // A log where one step ran twice (interrupted at 30 s, then 90 s): the table shows its last run only.
        File.WriteAllLines(Path.Combine(scratch.Dir, "raw", "steps.jsonl"),
        [
            "{\"step\":\"train\",\"output\":\"models/a\",\"command\":\"sure train --seed 1\",\"seconds\":30}",
            "{\"step\":\"eval\",\"output\":\"raw/b\",\"command\":\"sure eval\",\"seconds\":60}",
            "{\"step\":\"train\",\"output\":\"models/a\",\"command\":\"sure train --seed 1 --threads 1\",\"seconds\":90}",
        ]);
        PaperReport.Write(plan);
        string readme = File.ReadAllText(Path.Combine(scratch.Dir, "README.md"));
        Assert.Contains("- SURE against w/o NVSS: a higher mean on 1 of 1 jobs, higher by more than the larger seed spread on 1, lower by more than it on 0", readme);
        Assert.Contains("- SURE against w/o MI: a higher mean on 0 of 1 jobs, higher by more than the larger seed spread on 0, lower by more than it on 0", readme);
        Assert.Contains("(seed means, 2 of 2 lambdas run for both): SURE's latency is below CCRNN's at 2, its utilisation above at 1, its reward above at 2", readme);
        Assert.Contains("SURE's latency from lambda 0.5 to 0.7: 2.0 to 1.0 s, utilisation 0.500 to 0.450.", readme);
        Assert.Contains("2 steps, 2.5 minutes in all; `raw/steps.jsonl` logs 3 runs (3.0 minutes): 1 earlier run of steps run again", readme);
        var table = readme[readme.IndexOf("| seconds | command |", StringComparison.Ordinal)..];
        Assert.Contains("| 60.0 | `sure eval` |\n| 90.0 | `sure train --seed 1 --threads 1` |", table.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("| 30.0 |", table);
    }

    [Fact]
    public void StandardisationIsAZScorePerJob()
    {
        // Rewards 1, 2, 3, 6: mean 3, population std sqrt((4 + 1 + 0 + 9) / 4) = sqrt(3.5).
        var z = PaperReport.Standardise(new Dictionary<string, double> { ["a"] = 1, ["b"] = 2, ["c"] = 3, ["d"] = 6 });
        Assert.Equal(-2 / Math.Sqrt(3.5), z["a"], 12);
        Assert.Equal(0, z["c"], 12);
        Assert.Equal(3 / Math.Sqrt(3.5), z["d"], 12);
        // A missing method (NaN) is left out of the mean and std, and stays missing.
        var partial = PaperReport.Standardise(new Dictionary<string, double> { ["a"] = 1, ["b"] = 3, ["c"] = double.NaN });
        Assert.Equal(-1, partial["a"], 12);
        Assert.Equal(1, partial["b"], 12);
        Assert.True(double.IsNaN(partial["c"]));
        var (mean, std, count) = PaperReport.Stats([0.2, 0.4, double.NaN]);
        Assert.Equal(0.3, mean, 12);
        Assert.Equal(Math.Sqrt(0.02), std, 12);
        Assert.Equal(2, count);
    }

    [Theory]
    [InlineData("--jobs", "small-1,nope", "bad job 'nope'")]
    [InlineData("--sweep-job", "large-2", "bad sweep-job 'large-2'")]
    [InlineData("--lambdas", "0.5,x", "bad lambdas")]
    [InlineData("--lambdas", "1.5", "bad lambda 1.5")]
    [InlineData("--k1s", "0", "bad k1s")]
    [InlineData("--seeds", "0", "bad seeds 0")]
    public void BadOptionsAreOneClearError(string option, string value, string message)
    {
        using var scratch = new Scratch();
        var options = new Dictionary<string, string> { ["--jobs"] = "small-1", ["--sweep-job"] = "small-1", [option] = value };
        var (code, _, error) = CliRunner.Invoke(["paper", "--out", scratch.PathOf("p"), .. options.SelectMany(o => new[] { o.Key, o.Value })]);
        Assert.Equal(2, code);
        Assert.Contains(message, error);
    }
}
