using System.Globalization;
using System.Text;
using System.Text.Json;
using Sure.Autodiff;
using Sure.Cli.Plots;

namespace Sure.Cli.Paper;

/// <summary>
/// DIR/README.md and the figures of `sure paper` from the files its plan wrote under raw/: Tables 1 and 2 (raw reward,
/// mean ± std over the seeds, and standardised beside the paper's numbers), Fig. 4(a)-(d) and Fig. 5(a)(b) as SVG, the
/// commands with their wall times, and a reading generated from the numbers.
/// </summary>
static class PaperReport
{
    // The paper's Table 1 and Table 2 (sure-ijcai22.txt), standardised rewards, columns small-1 ... large-2.
    static readonly Dictionary<string, double[]> PaperTable1 = new()
    {
        ["hpa"] = [-0.17, 1.16, -2.69, -0.90, -1.28, -2.35], ["deepwave"] = [-2.77, -1.23, 0.16, -0.97, 0.69, 0.32],
        ["dream"] = [0.50, -0.23, 0.23, -0.11, 0.92, -1.14], ["tvw-rl"] = [0.26, 0.66, 0.08, -0.40, 0.95, 0.85],
        ["astgcn"] = [0.26, -0.66, 0.36, 1.09, -1.24, 0.29], ["ccrnn"] = [0.48, 0.97, 0.24, 1.12, -0.57, 0.46],
        ["sure"] = [0.52, 1.41, 1.19, 1.81, 1.02, 0.95],
    };
    static readonly Dictionary<string, double[]> PaperTable2 = new()
    {
        ["uniform"] = [0.46, -1.30, 0.21, -0.82, -1.27, 0.29], ["nomi"] = [0.47, -0.78, 0.22, -0.82, 0.78, 0.33],
        ["sure"] = [0.52, 1.41, 1.19, 1.81, 1.02, 0.95],
    };
    static readonly string[] PaperJobs = ["small-1", "small-2", "medium-1", "medium-2", "large-1", "large-2"];
    static readonly Dictionary<string, string> HeuristicLabels = new()
    {
        ["hpa"] = "HPA", ["hpa-tuned"] = "HPA, tuned", ["flink-tuned"] = "Flink, tuned", ["max-tuned"] = "larger of HPA and Flink, tuned", ["clairvoyant"] = "clairvoyant (reads the future)",
    };

    public sealed record Metrics(double Reward, double Latency, double Utilisation, string? Setting);

    /// <summary>Mean and sample standard deviation (0 for one value) of the finite values; NaN when there are none.</summary>
    public static (double Mean, double Std, int Count) Stats(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).ToArray();
        if (v.Length == 0) return (double.NaN, double.NaN, 0);
        double mean = v.Average();
        double std = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return (mean, std, v.Length);
    }

    /// <summary>Per job, (r - mean) / std over the methods' mean rewards (population std): each column averages 0.</summary>
    public static Dictionary<string, double> Standardise(IReadOnlyDictionary<string, double> rewards) =>
        rewards.ToDictionary(r => r.Key, r => ZScore(rewards.Values, r.Value));

    /// <summary>(value - mean) / std, mean and population std of the finite values of <paramref name="scale"/>; NaN
    /// with fewer than two of them, 0 when they are all equal.</summary>
    public static double ZScore(IEnumerable<double> scale, double value)
    {
        var finite = scale.Where(double.IsFinite).ToArray();
        if (finite.Length < 2) return double.NaN;
        double mean = finite.Average(), std = Math.Sqrt(finite.Average(v => (v - mean) * (v - mean)));
        return std > 0 ? (value - mean) / std : 0;
    }

    static Metrics? Read(string path, string policy)
    {
        if (!File.Exists(path)) return null;
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (!root.TryGetProperty("policy", out var p) || p.GetString() != policy) continue;
            return new Metrics(root.GetProperty("reward").GetDouble(), root.GetProperty("latency_mean_s").GetDouble(),
                root.GetProperty("utilization").GetDouble(), root.TryGetProperty("setting", out var s) ? s.GetString() : null);
        }
        return null;
    }

    static double Median(string path) =>
        File.Exists(path) ? JsonDocument.Parse(File.ReadLines(path).First(l => l.Length > 0)).RootElement.GetProperty("median_us").GetDouble() : double.NaN;

    static string F(double v, string format = "0.0000") => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";
    static string Cell((double Mean, double Std, int Count) s) => s.Count == 0 ? "n/a" : s.Count == 1 ? F(s.Mean) : $"{F(s.Mean)} ± {F(s.Std)}";

    public static string Write(PaperPlan plan)
    {
        string dir = plan.Dir;
        var jobs = plan.Jobs;
        var seeds = plan.SeedList.ToArray();
        // Per (method, job): the seeds' test-week metrics.
        Metrics?[] Runs(string job, string method, string architecture) =>
            seeds.Select(s => Read(plan.RawPath($"{job}.{method}.s{s}"), architecture)).ToArray();
        var heuristics = jobs.ToDictionary(j => j, j => PaperPlan.Heuristics.ToDictionary(h => h, h => Read(plan.RawPath($"heuristics.{j}"), h)));
        var learned = plan.TrainedMethods.ToDictionary(m => m.Id, m => jobs.ToDictionary(j => j, j => Runs(j, m.Id, m.Architecture)));
        (double Mean, double Std, int Count) Learned(string method, string job) => Stats(learned[method][job].Select(r => r?.Reward ?? double.NaN));

        var md = new StringBuilder();
        md.AppendLine("# The SURE paper's tables and figures, regenerated").AppendLine();
        md.AppendLine($"Written by `{plan.CommandLine}` ({seeds.Length} training seed{(seeds.Length > 1 ? "s" : "")}, " +
            $"iterations per training: {string.Join(", ", jobs.Select(j => $"{j} {plan.IterationsFor(j)}"))}; half of them bootstrapped, the recipe of RESULTS.md). " +
            "Rewards are SPEC 2's (higher is better) on ClarkNet's test week, noise seed 1, of the checkpoint chosen on the validation day; " +
            "a learned cell is the mean ± standard deviation over the training seeds. docs/paper.md says how each piece is made and where it differs from the paper.");
        if (plan.Quick) md.AppendLine().AppendLine("**A --quick run: a handful of iterations per training, one seed. It checks that the plan runs; its numbers are not results.**");
        md.AppendLine();

        // Table 1, raw.
        md.AppendLine("## Table 1: learned baselines, heuristics and SURE (raw reward)").AppendLine();
        md.AppendLine($"| method | {string.Join(" | ", jobs)} | average |").AppendLine($"|---|{string.Concat(jobs.Select(_ => "---|"))}---|");
        foreach (var h in PaperPlan.Heuristics.Where(h => h != "clairvoyant"))
            md.AppendLine($"| {HeuristicLabels[h]} | {string.Join(" | ", jobs.Select(j => HeuristicCell(heuristics[j][h])))} | {F(jobs.Average(j => heuristics[j][h]?.Reward ?? double.NaN))} |");
        foreach (var m in PaperMethod.Table1)
            md.AppendLine($"| {m.Label} | {string.Join(" | ", jobs.Select(j => Cell(Learned(m.Id, j))))} | {F(jobs.Average(j => Learned(m.Id, j).Mean))} |");
        md.AppendLine($"| {HeuristicLabels["clairvoyant"]} | {string.Join(" | ", jobs.Select(j => HeuristicCell(heuristics[j]["clairvoyant"])))} | {F(jobs.Average(j => heuristics[j]["clairvoyant"]?.Reward ?? double.NaN))} |");
        // The bar: the best tuned heuristic's reward on the job (LINQ's Max passes over a missing one's NaN).
        double BestTuned(string j) => PaperPlan.TunedHeuristics.Max(h => heuristics[j][h]?.Reward ?? double.NaN);
        // SPEC 6's headroom captured by SURE: 0 = the best tuned heuristic, 1 = the clairvoyant.
        double Headroom(string j)
        {
            double best = BestTuned(j);
            return (Learned("sure", j).Mean - best) / ((heuristics[j]["clairvoyant"]?.Reward ?? double.NaN) - best);
        }
        md.AppendLine($"| SURE's headroom captured (SPEC 6) | {string.Join(" | ", jobs.Select(j => F(Headroom(j), "0.00")))} | |").AppendLine();

        // Table 1 and 2, standardised beside the paper.
        var paperMethods = new[] { "hpa" }.Concat(PaperMethod.Table1.Select(m => m.Id)).ToArray();
        var paperRewards = jobs.ToDictionary(j => j, j => paperMethods.ToDictionary(m => m, m => m == "hpa" ? heuristics[j]["hpa"]?.Reward ?? double.NaN : Learned(m, j).Mean));
        var zScores = jobs.ToDictionary(j => j, j => Standardise(paperRewards[j]));
        md.AppendLine("## Table 1, standardised: ours (the paper's)").AppendLine();
        md.AppendLine("Standardised here per job over the seven methods the paper compares (HPA at 0.7, the five baselines, SURE): " +
            "z = (r - mean) / std of their mean rewards, so each column averages 0. The paper does not say how it standardised (its columns do not average 0), " +
            "so only the order within a column compares.").AppendLine();
        md.AppendLine($"| method | {string.Join(" | ", jobs)} |").AppendLine($"|---|{string.Concat(jobs.Select(_ => "---|"))}");
        foreach (var m in paperMethods)
            md.AppendLine($"| {(m == "hpa" ? "HPA" : PaperMethod.Table1.Single(x => x.Id == m).Label)} | {string.Join(" | ", jobs.Select(j => $"{F(zScores[j][m], "0.00")} ({Paper(PaperTable1, m, j)})"))} |");
        md.AppendLine();

        md.AppendLine("## Table 2: ablations (raw reward; standardised with Table 1's per-job mean and std, the paper's in brackets)").AppendLine();
        md.AppendLine($"| variant | {string.Join(" | ", jobs)} |").AppendLine($"|---|{string.Concat(jobs.Select(_ => "---|"))}");
        foreach (var m in PaperMethod.Ablations.Append(PaperMethod.Sure))
            md.AppendLine($"| {m.Label} | {string.Join(" | ", jobs.Select(j => $"{Cell(Learned(m.Id, j))}; z {F(TableZ(j, Learned(m.Id, j).Mean), "0.00")} ({Paper(PaperTable2, m.Id, j)})"))} |");
        md.AppendLine();
        double TableZ(string job, double reward) => ZScore(paperRewards[job].Values, reward);

        // Fig. 4.
        string sweep = plan.SweepJob;
        var k1x = plan.K1s.Select(k => (double)k).ToArray();
        var k1Rewards = plan.K1s.Select(k => Stats(seeds.Select(s => Read(plan.RawPath($"k1.{k}.s{s}"), "sure")?.Reward ?? double.NaN))).ToArray();
        var ccrnnReward = Learned("ccrnn", sweep);
        var fig4a = new ChartFigure { Title = $"Fig. 4(a): reward against k1 on {sweep}", XLabel = "k1 (snapshots sampled per task)", YLabel = "test-week reward" };
        fig4a.AddLine("SURE", k1x, k1Rewards.Select(s => s.Mean).ToArray(), k1Rewards.Select(s => s.Std).ToArray());
        if (double.IsFinite(ccrnnReward.Mean)) fig4a.ReferenceLine(ccrnnReward.Mean, $"CCRNN {F(ccrnnReward.Mean)}");
        var times = plan.K1s.Select(k => Median(plan.RawPath($"time.k1-{k}")) / 1000).ToArray();
        double ccrnnTime = Median(plan.RawPath("time.ccrnn")) / 1000;
        var fig4b = new ChartFigure { Title = $"Fig. 4(b): decision time against k1 on {sweep} (one thread)", XLabel = "k1 (snapshots sampled per task)", YLabel = "median time per decision (ms)", IncludeZero = true };
        fig4b.AddLine("SURE", k1x, times);
        if (double.IsFinite(ccrnnTime)) fig4b.ReferenceLine(ccrnnTime, $"CCRNN {F(ccrnnTime, "0.00")} ms");
        var lambdaX = plan.Lambdas;
        ChartFigure LambdaFigure(string title, string yLabel, Func<Metrics, double> pick, bool logY = false)
        {
            var chart = new ChartFigure { Title = title, XLabel = "lambda (weight of the latency penalty)", YLabel = yLabel, LogY = logY };
            foreach (var m in new[] { PaperMethod.Sure, PaperMethod.Ccrnn })
            {
                var stats = lambdaX.Select(l => Stats(seeds.Select(s => Read(LambdaRaw(plan, l, m.Id, s), m.Architecture) is { } r ? pick(r) : double.NaN))).ToArray();
                chart.AddLine(m.Label, lambdaX, stats.Select(s => s.Mean).ToArray(), stats.Select(s => s.Std).ToArray());
            }
            return chart;
        }
        var figures = new List<(string File, string Caption, SvgFigure Figure)>
        {
            ("fig4a-reward-k1.svg", "Fig. 4(a): SURE's reward against k1 (the seeds' models evaluated with k1 snapshots), CCRNN as a line", fig4a),
            ("fig4b-time-k1.svg", "Fig. 4(b): SURE's decision time against k1 (`sure bench infer --k1`), CCRNN's as a line", fig4b),
            ("fig4c-latency-lambda.svg", "Fig. 4(c): mean latency against lambda, each trained for its lambda", LambdaFigure($"Fig. 4(c): latency against lambda on {sweep}", "mean latency (s, log scale)", r => r.Latency, logY: true)),
            ("fig4d-utilisation-lambda.svg", "Fig. 4(d): utilisation against lambda", LambdaFigure($"Fig. 4(d): utilisation against lambda on {sweep}", "mean utilisation (fraction of capacity)", r => r.Utilisation)),
        };
        var (fig5a, fig5b, probeNote) = Fig5(plan.RawPath("probe"));
        if (fig5a is not null) figures.Add(("fig5a-sampling-heatmap.svg", "Fig. 5(a): small-1's task v1, its mean sampling probabilities over the test week's decisions relative to a uniform draw (p_t x 60 in the theta column, p_n x the valid slots in the neighbours'); framed: the 5 newest snapshots and the 1-hop neighbours", fig5a));
        if (fig5b is not null) figures.Add(("fig5b-embeddings-tsne.svg", "Fig. 5(b): t-SNE of h_g per task and f(G) over ten decisions", fig5b));
        md.AppendLine("## Figures").AppendLine();
        foreach (var (file, caption, figure) in figures)
        {
            figure.Save(Path.Combine(dir, file));
            md.AppendLine($"**{caption}**").AppendLine().AppendLine($"![{caption}]({file})").AppendLine();
        }
        if (probeNote is not null) md.AppendLine(probeNote).AppendLine();

        // The reading, from the numbers.
        md.AppendLine("## What the numbers say").AppendLine();
        int beatsBaselines = jobs.Count(j => PaperMethod.Table1.Where(m => m.Id != "sure").All(m => !(Learned(m.Id, j).Mean >= Learned("sure", j).Mean)));
        int beatsTuned = jobs.Count(j => Learned("sure", j).Mean > BestTuned(j));
        md.AppendLine($"- SURE has the best mean reward of the six learned methods on {beatsBaselines} of {jobs.Length} jobs (the paper: 6 of 6), " +
            $"and beats the best tuned heuristic on {beatsTuned} of {jobs.Length}.");
        int tenIndex = Array.IndexOf(plan.K1s, 10);
        if (tenIndex >= 0 && double.IsFinite(ccrnnTime) && double.IsFinite(times[tenIndex]))
            md.AppendLine($"- A SURE decision on {sweep} at k1 = 10 takes {F(times[tenIndex], "0.00")} ms against CCRNN's {F(ccrnnTime, "0.00")} ms ({F(ccrnnTime / times[tenIndex], "0.0")}x); " +
                $"from k1 = {plan.K1s[0]} to {plan.K1s[^1]} SURE's time goes {F(times[0], "0.00")} to {F(times[^1], "0.00")} ms (the paper: faster than CCRNN at every k1, rising with k1).");
        // Table 2: does each piece SURE adds help? Above means a higher mean; "clearly" means by more than the larger seed spread.
        foreach (var ablation in PaperMethod.Ablations)
        {
            var compared = jobs.Where(j => Learned(ablation.Id, j).Count > 0 && Learned("sure", j).Count > 0).ToArray();
            if (compared.Length == 0) continue;
            int above = compared.Count(j => Learned("sure", j).Mean > Learned(ablation.Id, j).Mean);
            int clearly = compared.Count(j => Learned("sure", j).Mean - Learned(ablation.Id, j).Mean > Math.Max(Learned("sure", j).Std, Learned(ablation.Id, j).Std));
            int below = compared.Count(j => Learned(ablation.Id, j).Mean - Learned("sure", j).Mean > Math.Max(Learned("sure", j).Std, Learned(ablation.Id, j).Std));
            md.AppendLine($"- SURE against {ablation.Label}: a higher mean on {above} of {compared.Length} jobs, higher by more than the larger seed spread on {clearly}, " +
                $"lower by more than it on {below} (the paper: SURE above on all six).");
        }
        // Fig. 4(c)(d): SURE against CCRNN at each lambda both have.
        var lambdaStats = new[] { PaperMethod.Sure, PaperMethod.Ccrnn }.ToDictionary(m => m.Id, m => lambdaX.Select(l =>
            seeds.Select(s => Read(LambdaRaw(plan, l, m.Id, s), m.Architecture)).Where(r => r is not null).Select(r => r!).ToArray()).ToArray());
        var bothLambdas = Enumerable.Range(0, lambdaX.Length).Where(i => lambdaStats["sure"][i].Length > 0 && lambdaStats["ccrnn"][i].Length > 0).ToArray();
        if (bothLambdas.Length > 0)
        {
            double MeanOf(string m, int i, Func<Metrics, double> pick) => lambdaStats[m][i].Average(pick);
            int lowerLatency = bothLambdas.Count(i => MeanOf("sure", i, r => r.Latency) < MeanOf("ccrnn", i, r => r.Latency));
            int higherUtilisation = bothLambdas.Count(i => MeanOf("sure", i, r => r.Utilisation) > MeanOf("ccrnn", i, r => r.Utilisation));
            int higherReward = bothLambdas.Count(i => MeanOf("sure", i, r => r.Reward) > MeanOf("ccrnn", i, r => r.Reward));
            md.AppendLine($"- Against lambda on {sweep} (seed means, {bothLambdas.Length} of {lambdaX.Length} lambdas run for both): SURE's latency is below CCRNN's at {lowerLatency}, " +
                $"its utilisation above at {higherUtilisation}, its reward above at {higherReward} (the paper: lower latency at most lambdas, competitive utilisation); " +
                $"SURE's latency from lambda {PaperPlan.Lambda(lambdaX[bothLambdas[0]])} to {PaperPlan.Lambda(lambdaX[bothLambdas[^1]])}: " +
                $"{F(MeanOf("sure", bothLambdas[0], r => r.Latency), "0.0")} to {F(MeanOf("sure", bothLambdas[^1], r => r.Latency), "0.0")} s, " +
                $"utilisation {F(MeanOf("sure", bothLambdas[0], r => r.Utilisation), "0.000")} to {F(MeanOf("sure", bothLambdas[^1], r => r.Utilisation), "0.000")}.");
        }
        if (k1Rewards.Length > 1 && double.IsFinite(k1Rewards[0].Mean))
            md.AppendLine($"- Reward against k1 (models trained at k1 = 10): {string.Join(", ", plan.K1s.Select((k, i) => $"{k}: {F(k1Rewards[i].Mean)}"))} (the paper: declining with k1 on large-1).");
        md.AppendLine();

        // Commands and wall times.
        md.AppendLine("## Commands and wall times").AppendLine();
        md.AppendLine("Each step is a `sure` command run in process (or a small in-process step); a rerun skips the steps whose output exists. Seconds are this run's, on the machine it ran on.").AppendLine();
        var log = Path.Combine(dir, "raw", "steps.jsonl");
        if (File.Exists(log))
        {
            var logged = File.ReadLines(log).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            // A step run more than once (its model trained again after an interruption or a reset) is shown as its
            // last run, the one whose output the tables read; raw/steps.jsonl keeps every run.
            var rows = logged.Select((r, i) => (Row: r, Index: i)).GroupBy(x => x.Row.GetProperty("output").GetString())
                .Select(g => g.Last()).OrderBy(x => x.Index).Select(x => x.Row).ToList();
            static double Minutes(IEnumerable<JsonElement> runs) => runs.Sum(r => r.GetProperty("seconds").GetDouble()) / 60;
            md.AppendLine($"{rows.Count} steps, {F(Minutes(rows), "0.0")} minutes in all" + (logged.Count > rows.Count
                ? $"; `raw/steps.jsonl` logs {logged.Count} runs ({F(Minutes(logged), "0.0")} minutes): {logged.Count - rows.Count} earlier run{(logged.Count - rows.Count == 1 ? "" : "s")} of steps run again, each shown here as its last run."
                : ".")).AppendLine();
            md.AppendLine("| seconds | command |").AppendLine("|---:|---|");
            foreach (var r in rows)
                md.AppendLine($"| {F(r.GetProperty("seconds").GetDouble(), "0.0")} | {(r.GetProperty("command").GetString() is { } c ? $"`{c}`" : r.GetProperty("step").GetString())} |");
        }
        using (var file = new AtomicFile(Path.Combine(dir, "README.md")))
        {
            file.Text.Write(md.ToString());
            file.Commit();
        }
        return $"wrote {Path.Combine(dir, "README.md")} and {figures.Count} figures";
    }

    static string LambdaRaw(PaperPlan plan, double lambda, string method, int seed) =>
        lambda == Sure.Sim.SimOptions.Default.LatencyWeight ? plan.RawPath($"{plan.SweepJob}.{method}.s{seed}") : plan.RawPath($"lambda.{PaperPlan.Lambda(lambda)}.{method}.s{seed}");

    static string HeuristicCell(Metrics? m) => m is null ? "n/a" : m.Setting is null ? F(m.Reward) : $"{F(m.Reward)} ({m.Setting})";

    static string Paper(Dictionary<string, double[]> table, string method, string job) =>
        table.TryGetValue(method, out var row) && Array.IndexOf(PaperJobs, job) is int i and >= 0 ? F(row[i], "0.00") : "n/a";

    // Fig. 5(a) and (b) from the probe's JSON lines.
    static (HeatmapFigure?, ChartFigure?, string?) Fig5(string path)
    {
        if (!File.Exists(path)) return (null, null, null);
        var lines = File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var head = lines[0];
        var rows = head.GetProperty("heatmap").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        // Relative to uniform (p_t x L, p_n x the valid slots), so that theta's column, whose 60 values share one
        // unit of probability, reads on the same scale as the neighbour slots': 1 is "as likely as a uniform draw".
        var values = new double[rows.Length, rows[0].Length];
        for (int l = 0; l < rows.Length; l++)
            for (int c = 0; c < rows[l].Length; c++) values[l, c] = rows[l][c] * (c == 0 ? rows.Length : rows[l].Length - 1);
        var neighbours = head.GetProperty("neighbours").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var hops = head.GetProperty("hops").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var heatmap = new HeatmapFigure(values)
        {
            Title = $"Fig. 5(a): {head.GetProperty("job").GetString()}'s task v1, sampling vs uniform",
            RowLabel = "snapshot (1 = oldest, 60 = newest)", ColumnLabel = "theta (time), then neighbour slots",
            RowTicks = Enumerable.Range(1, rows.Length).Select(l => l.ToString(CultureInfo.InvariantCulture)).ToArray(),
            ColumnTicks = new[] { "theta" }.Concat(neighbours.Select((t, s) => $"v{t + 1} ({hops[s]} hop)")).ToArray(),
        };
        // The paper frames the newest snapshots and the 1-hop neighbours.
        heatmap.Frame(Math.Max(0, rows.Length - 5), 0, Math.Min(5, rows.Length), 1, "#009E73");
        for (int s = 0; s < hops.Length; s++)
            if (hops[s] == 1) heatmap.Frame(0, 1 + s, rows.Length, 1, "#0072B2");

        var points = lines.Skip(1).Select(p => (Task: p.GetProperty("task").GetInt32(), Embedding: p.GetProperty("embedding").EnumerateArray().Select(v => v.GetDouble()).ToArray())).ToList();
        if (points.Count < 4) return (heatmap, null, null);
        var embedded = Tsne.Embed(points.Select(p => p.Embedding).ToArray(), seed: 1);
        var scatter = new ChartFigure { Title = "Fig. 5(b): t-SNE of h_g per task and f(G), ten decisions", XLabel = "t-SNE 1", YLabel = "t-SNE 2" };
        foreach (var group in points.Select((p, k) => (p.Task, k)).GroupBy(p => p.Task).OrderBy(g => g.Key < 0 ? int.MaxValue : g.Key))
            scatter.AddScatter(group.Key < 0 ? "f(G)" : $"v{group.Key + 1}", group.Select(p => embedded[p.k, 0]).ToArray(), group.Select(p => embedded[p.k, 1]).ToArray());
        return (heatmap, scatter, null);
    }
}
