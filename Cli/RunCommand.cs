using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Sure.Autodiff;
using Sure.Cli.Plots;
using Sure.Models;
using Sure.Models.Training;
using Sure.Sim;

namespace Sure.Cli;

/// <summary>
/// `sure run`: the whole story in one command with no arguments needed. Trains SURE on one job over the training
/// week for a few minutes, saves the weights and the training log, evaluates SURE against the heuristics on the
/// test week, prints the SPEC metrics and charts latency and instances per minute.
/// </summary>
static class RunCommand
{
    static readonly string[] Heuristics = ["static", "hpa", "ds2", "flink", "oracle-static", "hpa-tuned", "flink-tuned", "max-tuned"];
    const string Clairvoyant = "clairvoyant";

    sealed record Settings(string Job, double Minutes, int Iterations, int Bootstrap, ulong Seed, string OutDir, double Noise);

    /// <summary>One policy's test week: its metrics and the per-minute series the chart draws.</summary>
    sealed record PolicyRun(string Name, string Label, EvalMetrics Metrics, double[] LatencySeconds, double[] Instances);

    public static Command Create()
    {
        var job = new Option<string>("--job") { Description = "Job: small-1 … large-2, a sample job id or random:N[:SEED]", DefaultValueFactory = _ => "small-1" };
        var minutes = new Option<double>("--minutes") { Description = "Training time budget in minutes (wall clock)", DefaultValueFactory = _ => 3.0 };
        var iterations = new Option<int>("--iterations") { Description = "Most training iterations (whichever of this and --minutes comes first)", DefaultValueFactory = _ => TrainCommand.DefaultIterations };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Of those, iterations bootstrapped from the clairvoyant (DAgger) before REINFORCE", DefaultValueFactory = _ => TrainCommand.DefaultBootstrap };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the initial weights, the training and the evaluation noise", DefaultValueFactory = _ => 1UL };
        var outDir = new Option<string>("--out-dir") { Description = "Where the weights, training log and chart go", DefaultValueFactory = _ => "out" };
        var noise = new Option<double>("--noise") { Description = "sigma of the LogNormal capacity noise", DefaultValueFactory = _ => 0.05 };

        var command = new Command("run", "Train SURE on a job, evaluate it against the heuristics on the test week, chart the result");
        foreach (var o in new Option[] { job, minutes, iterations, bootstrap, seed, outDir, noise }) command.Options.Add(o);
        command.SetAction(parse => Run(new Settings(parse.GetValue(job)!, parse.GetValue(minutes),
            parse.GetValue(iterations), parse.GetValue(bootstrap), parse.GetValue(seed), parse.GetValue(outDir)!, parse.GetValue(noise))));
        return command;
    }

    static int Run(Settings settings)
    {
        if (!(settings.Minutes > 0) || !double.IsFinite(settings.Minutes)) throw new SimInputException($"bad --minutes {settings.Minutes}: a positive number");
        if (settings.Bootstrap < 0) throw new SimInputException($"bad --bootstrap {settings.Bootstrap}: at least 0");
        if (settings.Iterations < 1) throw new SimInputException($"bad --iterations {settings.Iterations}: at least 1");
        SimCli.CheckNoise(settings.Noise);
        var graph = JobCatalog.Load(settings.Job);
        var trace = WorkloadTrace.ClarkNet();
        var split = DataSplit.For(trace.Length);
        var test = split.Test;
        var workload = trace.Workload();
        var sim = new SimOptions { NoiseSigma = settings.Noise };

        string stem = FileStem(graph.Name);
        string modelPath = Path.Combine(settings.OutDir, $"sure-{stem}.safetensors");
        string logPath = Path.Combine(settings.OutDir, $"sure-{stem}-training.csv");
        string chartPath = Path.Combine(settings.OutDir, $"{stem}-test-week.svg");
        Writing(settings.OutDir, () => Directory.CreateDirectory(settings.OutDir));
        foreach (var path in new[] { modelPath, logPath, chartPath }) SimCli.CheckOutput("--out-dir", path);

        var model = SureTrainer.CreateModel(new SureConfig { D = TrainCommand.FeatureCount(TrainCommand.DefaultFeatures) }, settings.Seed);
        var trainer = new SureTrainer(model, graph, workload, sim, split.Apply(new TrainOptions
        {
            Iterations = settings.Iterations,
            BootstrapIterations = settings.Bootstrap,
            MaxMinutes = settings.Minutes,
            Seed = settings.Seed,
            Teacher = TrainCommand.ParseTeacher(TrainCommand.DefaultTeacher),
            Dagger = TrainCommand.DefaultDagger,
            Base = TrainCommand.ParseBase(TrainCommand.DefaultBase),
            DeadBand = TrainCommand.DefaultDeadBand,
        }));
        var log = Train(trainer, graph.Name, settings);
        Writing(modelPath, () => trainer.SaveCheckpoint(modelPath));
        Writing(logPath, () => WriteTrainingLog(logPath, log));

        var env = new StreamEnvironment(graph, workload, SureAutoscaler.Fit(sim, model.Config));
        var runs = Evaluate(model, env, test, settings.Seed);
        var best = runs.Where(r => r.Name is not (SimCli.SurePolicy or Clairvoyant)).MaxBy(r => r.Metrics.Reward)!;
        PrintTable(runs, graph, trace, test, settings);
        Console.Out.WriteLine($"best heuristic by reward: {best.Label}");

        Writing(chartPath, () => WriteChart(chartPath, runs.Single(r => r.Name == SimCli.SurePolicy), best, graph, 60 * env.SloLatency));

        Console.Out.WriteLine();
        Console.Out.WriteLine($"model         {modelPath}");
        Console.Out.WriteLine($"training log  {logPath}");
        Console.Out.WriteLine($"chart         {chartPath}");
        return 0;
    }

    static IReadOnlyList<IterationLog> Train(SureTrainer trainer, string jobName, Settings settings)
    {
        // Ctrl-C ends training early; what was learned so far is still saved and evaluated.
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler stop = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += stop;
        using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM,
            context => { context.Cancel = true; cancel.Cancel(); });
        IReadOnlyList<IterationLog> log;
        try
        {
            string title = $"training SURE on {jobName}";
            // Done is whichever budget runs out first: iterations or minutes.
            double Fraction(IterationLog l) => Math.Min(1, Math.Max((double)l.Iteration / settings.Iterations, l.Elapsed.TotalMinutes / settings.Minutes));
            if (!SimCli.ShowProgress)
            {
                Console.Error.WriteLine($"{title} (at most {settings.Iterations} iterations or {settings.Minutes:0.##} minutes)");
                var nextReport = TimeSpan.Zero;
                log = trainer.Run(l =>
                {
                    if (l.Elapsed < nextReport) return;
                    Console.Error.WriteLine(Describe(l));
                    nextReport = l.Elapsed + TimeSpan.FromSeconds(10);
                }, cancel.Token);
            }
            else
                log = SimCli.ErrorConsole().Progress().AutoClear(true)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .Start(ctx =>
                    {
                        var bar = ctx.AddTask(Markup.Escape(title), maxValue: 1);
                        var result = trainer.Run(l =>
                        {
                            bar.Value = Fraction(l);
                            bar.Description = Markup.Escape($"{title}: {Describe(l)}");
                        }, cancel.Token);
                        bar.Value = 1;
                        return result;
                    });
        }
        finally { Console.CancelKeyPress -= stop; }

        if (log.Count == 0) Console.Error.WriteLine($"trained 0 iterations: the model keeps its seeded initial weights");
        else Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trained {log.Count} iterations in {log[^1].Elapsed.TotalSeconds:0} s; last {Describe(log[^1])}; saving the best on the validation day: iteration {trainer.BestIteration}, reward {trainer.BestValidationReward:0.0000}"));
        return log;
    }

    static string Describe(IterationLog l) => string.Create(CultureInfo.InvariantCulture,
        $"iteration {l.Iteration} ({(l.Phase == TrainPhase.Bootstrap ? "bootstrap" : "reinforce")}), mean reward {l.MeanReward:0.0000}, validation {l.ValidationReward:0.0000}, loss {l.Loss:0.0000}, std {Math.Exp(l.LogStd):0.000}");

    static void WriteTrainingLog(string path, IReadOnlyList<IterationLog> log)
    {
        using var file = new AtomicFile(path);
        file.Text.WriteLine(IterationLog.CsvHeader);
        foreach (var l in log) file.Text.WriteLine(l.ToCsv());
        file.Commit();
    }

    static List<PolicyRun> Evaluate(SureModel<float> model, StreamEnvironment env, (int Start, int Minutes) test, ulong seed)
    {
        string[] names = [SimCli.SurePolicy, .. Heuristics, Clairvoyant];
        var runs = new List<PolicyRun>();
        void RunAll(Action<string> starting, Action? finished)
        {
            foreach (var name in names)
            {
                starting(name);
                var policy = SimCli.CreatePolicy(name, env, (0, test.Start), seed, model);
                var latency = new double[test.Minutes];
                var instances = new double[test.Minutes];
                var metrics = Episode.Run(env, policy, test.Start, test.Minutes, seed, (e, _) =>
                {
                    var span = e.LastSpan;
                    for (int m = 0; m < span.Minutes; m++)
                    {
                        int t = span.StartMinute - test.Start + m;
                        latency[t] = 60 * span.JobLatency[m];
                        instances[t] = span.Instances;
                    }
                });
                runs.Add(new PolicyRun(name, SimCli.PolicyLabel(name, policy.Setting), metrics, latency, instances));
                finished?.Invoke();
            }
        }

        if (!SimCli.ShowProgress) RunAll(name => Console.Error.WriteLine($"evaluating {name} on the test week"), null);
        else
            SimCli.ErrorConsole().Progress().AutoClear(true).Start(ctx =>
            {
                var bar = ctx.AddTask("evaluating", maxValue: names.Length);
                RunAll(name => bar.Description = Markup.Escape($"evaluating {name} on the test week"), () => bar.Increment(1));
            });
        return runs;
    }

    static void PrintTable(List<PolicyRun> runs, JobGraph graph, WorkloadTrace trace, (int Start, int Minutes) test, Settings settings)
    {
        var table = new Table().AddColumn("policy");
        foreach (var column in SimCli.MetricColumns) table.AddColumn(new TableColumn(column).RightAligned());
        table.Title = new TableTitle(Markup.Escape(
            $"{graph.Name} ({graph.TaskCount} tasks), test week: minutes [{test.Start}, {test.Start + test.Minutes}) of {trace.Source}, noise {settings.Noise}, seed {settings.Seed}"));
        foreach (var run in runs) table.AddRow([Markup.Escape(run.Label), .. SimCli.MetricCells(run.Metrics)]);
        SimCli.WriteTable(table);
    }

    static void WriteChart(string path, PolicyRun sure, PolicyRun heuristic, JobGraph graph, double sloSeconds)
    {
        // The chart has no log scale and an untrained or backlogged policy reaches days of latency, which would
        // flatten every other line: latency is clipped at ten times the SLO, and the title says so.
        double clip = 10 * sloSeconds;
        var minutes = new double[sure.LatencySeconds.Length];
        for (int m = 0; m < minutes.Length; m++) minutes[m] = m;
        double[] Clipped(double[] values) => values.Select(v => Math.Min(v, clip)).ToArray();

        var figure = new Figure { Title = $"{graph.Name}: the test week, SURE and {heuristic.Label}", XLabel = "minute of the test week" };
        figure.AddPanel(string.Create(CultureInfo.InvariantCulture, $"critical-path latency (clipped at 10 × SLO = {clip:0.#} s)"), "seconds")
            .Add(sure.Name, minutes, Clipped(sure.LatencySeconds))
            .Add(heuristic.Label, minutes, Clipped(heuristic.LatencySeconds))
            .ReferenceLine(sloSeconds, string.Create(CultureInfo.InvariantCulture, $"SLO {sloSeconds:0.##} s"));
        var instances = figure.AddPanel("total instances", "instances")
            .Add(sure.Name, minutes, sure.Instances)
            .Add(heuristic.Label, minutes, heuristic.Instances);
        instances.IncludeZero = true;
        figure.Save(path);
    }

    // Job names like random:10:7 are not file names everywhere.
    static string FileStem(string jobName) =>
        string.Concat(jobName.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-'));

    static void Writing(string path, Action write)
    {
        try { write(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SimInputException($"{path}: cannot write: {e.Message}");
        }
    }
}
