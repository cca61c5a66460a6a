using System.Globalization;
using Sure.Sim;

namespace Sure.Cli.Paper;

/// <summary>One learned method of the paper's tables: its row label, the architecture it trains, and its training flags.</summary>
sealed record PaperMethod(string Id, string Label, string Architecture, string[] TrainFlags)
{
    public static readonly PaperMethod Sure = new("sure", "SURE", "sure", []);

    /// <summary>Table 1's learned rows in the paper's order, SURE last.</summary>
    public static readonly PaperMethod[] Table1 =
    [
        new("deepwave", "DeepWave", "deepwave", []), new("dream", "DREAM", "dream", []), new("tvw-rl", "TVW-RL", "tvw-rl", []),
        new("astgcn", "ASTGCN", "astgcn", []), new("ccrnn", "CCRNN", "ccrnn", []), Sure,
    ];

    /// <summary>Table 2's ablations of SPEC 5 (SURE itself is Table 1's row).</summary>
    public static readonly PaperMethod[] Ablations =
    [
        new("uniform", "w/o NVSS", "sure", ["--sampler", "uniform"]), new("nomi", "w/o MI", "sure", ["--mi", "0"]),
    ];

    public static PaperMethod Ccrnn => Table1.Single(m => m.Id == "ccrnn");
}

/// <summary>
/// A step of the plan, cost in rough seconds for the ETA. It is done when its output exists and is not older than any
/// input that exists (a retrained model re-runs its evaluations), and for a training when the checkpoint ran the
/// planned iterations (one stopped early, by Ctrl+C, is trained again), so a stopped or changed run resumes where it
/// must. A step whose output is gone is done when every step that reads that output is done: the models (git-ignored)
/// need not outlive the evaluations that used them, so a run kept as its raw/ files resumes in another checkout
/// without training again what it has already measured.
/// </summary>
sealed record PaperStep(string Title, string Output, double Cost, Action Run, string? CommandLine = null)
{
    public string[] Inputs { get; init; } = [];
    public int? Iterations { get; init; }
    /// <summary>The steps that read <see cref="Output"/> (set by <see cref="PaperPlan.Steps"/>).</summary>
    public IReadOnlyList<PaperStep> Consumers { get; set; } = [];

    public bool Done()
    {
        if (!File.Exists(Output)) return Consumers.Count > 0 && Consumers.All(c => c.Done());
        var written = File.GetLastWriteTimeUtc(Output);
        if (Inputs.Any(input => File.Exists(input) && File.GetLastWriteTimeUtc(input) > written)) return false;
        return Iterations is not int planned
            || Sure.Autodiff.SafetensorsFile.Read(Output).Metadata.GetValueOrDefault("iterations") == planned.ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// What `sure paper` runs: the sizes of the experiment and the steps that produce every file the report reads. Every
/// step is a `sure` command run in process (train, eval, bench infer) whose JSON lands under raw/, or a small
/// in-process step (k1 variants of a checkpoint, the Fig. 5 probe). Models go to models/&lt;job&gt;.&lt;method&gt;.s&lt;seed&gt;.safetensors,
/// the names scripts/results.sh uses, with the same commands, so RESULTS.md's runs can be copied in and reused.
/// </summary>
sealed class PaperPlan
{
    public static readonly double[] PaperLambdas = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
    public static readonly int[] PaperK1s = [2, 4, 6, 8, 10, 15, 20, 30];
    /// <summary>The heuristics and the reference of Table 1 (SPEC 7), in their row order.</summary>
    public static readonly string[] Heuristics = ["hpa", "hpa-tuned", "flink-tuned", "max-tuned", "clairvoyant"];
    /// <summary>The tuned heuristics of the bar (SPEC 6, docs/simulator.md): the best of them per job.</summary>
    public static readonly string[] TunedHeuristics = ["hpa-tuned", "flink-tuned", "max-tuned"];
    public const string ProbeJob = "small-1";

    public required string Dir { get; init; }
    public required bool Quick { get; init; }
    public required int Seeds { get; init; }
    public required string[] Jobs { get; init; }
    public int? Iterations { get; init; }
    public required double[] Lambdas { get; init; }
    public required int[] K1s { get; init; }
    public required string SweepJob { get; init; }
    public required int Threads { get; init; }
    /// <summary>How the run was started, for the report.</summary>
    public string CommandLine { get; init; } = "sure paper";

    /// <summary>SURE's budget per job (RESULTS.md, scripts/results.sh): 300 iterations small, 150 medium, 100 large; --quick 4.</summary>
    public int IterationsFor(string job) => Iterations ?? (Quick ? 4 : job.StartsWith("small", StringComparison.Ordinal) ? 300 : job.StartsWith("medium", StringComparison.Ordinal) ? 150 : 100);

    public IEnumerable<int> SeedList => Enumerable.Range(1, Seeds);
    public string ModelPath(string job, string method, int seed) => Path.Combine(Dir, "models", $"{job}.{method}.s{seed}.safetensors");
    public string RawPath(string name) => Path.Combine(Dir, "raw", name + ".jsonl");
    public static string Lambda(double lambda) => lambda.ToString("0.0##", CultureInfo.InvariantCulture);
    public string ModelPath(string job, PaperMethod method, int seed, double lambda) =>
        lambda == SimOptions.Default.LatencyWeight ? ModelPath(job, method.Id, seed) : ModelPath(job, $"{method.Id}.lambda{Lambda(lambda)}", seed);

    public IEnumerable<PaperMethod> TrainedMethods => PaperMethod.Table1.Concat(PaperMethod.Ablations);

    /// <summary>Every step in order: the heuristics, Table 1 and 2's trainings and evaluations, Fig. 4's sweeps, Fig. 5's probe.</summary>
    public List<PaperStep> Steps()
    {
        var steps = new List<PaperStep>();
        string threads = Threads.ToString(CultureInfo.InvariantCulture);
        foreach (var job in Jobs)
            steps.Add(Command($"heuristics on {job}", RawPath($"heuristics.{job}"), 5,
                ["eval", "--job", job, "--policies", string.Join(',', Heuristics), "--json", "--threads", threads]));
        foreach (var job in Jobs)
            foreach (var method in TrainedMethods)
                foreach (int seed in SeedList)
                    AddTraining(steps, job, method, seed, SimOptions.Default.LatencyWeight);

        // Fig. 4(a): the trained SURE models of the sweep job, evaluated with k1 snapshots per task (the weights do not depend on k1).
        foreach (int seed in SeedList)
            foreach (int k1 in K1s)
            {
                string model = ModelPath(SweepJob, "sure", seed), variant = ModelPath(SweepJob, $"sure.k1-{k1}", seed);
                steps.Add(new PaperStep($"k1 = {k1} variant of {Path.GetFileName(model)}", variant, 0.1, () => K1Variant(model, variant, k1)) { Inputs = [model] });
                steps.Add(Command($"SURE seed {seed} with k1 = {k1} on {SweepJob}", RawPath($"k1.{k1}.s{seed}"), 3,
                    ["eval", "--job", SweepJob, "--policies", "sure", "--model", variant, "--json"]) with { Inputs = [variant] });
            }
        // Fig. 4(b): decision time against k1, and CCRNN's (it samples nothing: one line).
        int tasks = JobCatalog.Named.Single(j => j.Name == SweepJob).Tasks;
        string seconds = Quick ? "0.3" : "2";
        foreach (int k1 in K1s)
            steps.Add(Command($"decision time with k1 = {k1}", RawPath($"time.k1-{k1}"), 6,
                ["bench", "infer", "--tasks", tasks.ToString(CultureInfo.InvariantCulture), "--k1", k1.ToString(CultureInfo.InvariantCulture), "--seconds", seconds, "--json"]));
        steps.Add(Command("CCRNN's decision time", RawPath("time.ccrnn"), 6,
            ["bench", "infer", "--model", "ccrnn", "--tasks", tasks.ToString(CultureInfo.InvariantCulture), "--seconds", seconds, "--json"]));
        // Fig. 4(c)(d): SURE and CCRNN trained and evaluated for each lambda (lambda = 0.5 is Table 1's run).
        foreach (double lambda in Lambdas)
            foreach (var method in new[] { PaperMethod.Sure, PaperMethod.Ccrnn })
                foreach (int seed in SeedList)
                    AddTraining(steps, SweepJob, method, seed, lambda);
        // Fig. 5: the sampling distribution and the embeddings of small-1's SURE model, seed 1.
        string probed = ModelPath(ProbeJob, "sure", 1);
        steps.Add(new PaperStep("Fig. 5 probe", RawPath("probe"), 5, () => PaperProbe.Write(probed, RawPath("probe"))) { Inputs = [probed] });
        foreach (var step in steps) step.Consumers = steps.Where(c => c.Inputs.Contains(step.Output)).ToList();
        return steps;
    }

    void AddTraining(List<PaperStep> steps, string job, PaperMethod method, int seed, double lambda)
    {
        bool table = lambda == SimOptions.Default.LatencyWeight;
        string model = ModelPath(job, method, seed, lambda), seedText = seed.ToString(CultureInfo.InvariantCulture);
        int iterations = IterationsFor(job);
        string[] lambdaFlags = table ? [] : ["--lambda", Lambda(lambda)];
        string what = $"{method.Label} on {job}, seed {seed}{(table ? "" : $", lambda {Lambda(lambda)}")}";
        // Same flags as scripts/results.sh: the recipe's default options, half the iterations bootstrapped.
        if (!steps.Any(s => s.Output == model))
            steps.Add(Command($"train {what}", model, TrainCost(job, method, iterations),
                ["train", "--model", method.Architecture, "--job", job, "--iterations", iterations.ToString(CultureInfo.InvariantCulture),
                 "--bootstrap", (iterations / 2).ToString(CultureInfo.InvariantCulture), "--seed", seedText, .. method.TrainFlags, .. lambdaFlags,
                 "--threads", Threads.ToString(CultureInfo.InvariantCulture), "--out", model]) with { Iterations = iterations });
        string raw = table ? RawPath($"{job}.{method.Id}.s{seed}") : RawPath($"lambda.{Lambda(lambda)}.{method.Id}.s{seed}");
        if (!steps.Any(s => s.Output == raw))
            steps.Add(Command($"evaluate {what}", raw, 3,
                ["eval", "--job", job, "--policies", method.Architecture, "--model", model, .. lambdaFlags, "--json"]) with { Inputs = [model] });
    }

    // Seconds per iteration measured on one core (docs/paper.md): about n/13 for SURE, n/8 ASTGCN, n/6 CCRNN, under n/80 the rest.
    static double TrainCost(string job, PaperMethod method, int iterations)
    {
        int n = JobCatalog.Named.Single(j => j.Name == job).Tasks;
        double perTask = method.Architecture switch { "sure" => 0.08, "astgcn" => 0.12, "ccrnn" => 0.17, _ => 0.012 };
        return 2 + iterations * n * perTask;
    }

    static PaperStep Command(string title, string output, double cost, string[] args) =>
        new(title, output, cost, () => PaperRunner.Sure(args, output), "sure " + string.Join(' ', args));

    // A copy of a SURE checkpoint that samples k1 snapshots per task: the weights are k1's free (SPEC 8).
    static void K1Variant(string model, string variant, int k1)
    {
        var file = Sure.Autodiff.SafetensorsFile.Read(model);
        var config = Sure.Policy.SureConfig.Of(file) with { K1 = k1 };
        file.Metadata["config"] = config.ToJson();
        file.Write(variant);
    }
}
