using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Spectre.Console;
using Sure.Autodiff;
using Sure.Sim;

namespace Sure.Cli.Paper;

/// <summary>
/// `sure paper --out DIR [--quick] [--seeds N]`: the paper's Tables 1-2 and Figs. 4-5 regenerated from this code (issue
/// 20, docs/paper.md). Runs <see cref="PaperPlan"/>'s steps with one progress bar, skipping the steps whose output
/// exists (a stopped run resumes where it stopped), then writes DIR/README.md and one SVG per figure
/// (<see cref="PaperReport"/>).
/// </summary>
static class PaperCommand
{
    // Written with every step: a run spread over sessions says which build (the commit it was built from) made each file.
    static readonly string Version = typeof(PaperCommand).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder for README.md, the figures (SVG), models/ and raw/ (created; an existing run there is resumed)", Required = true };
        var quick = new Option<bool>("--quick") { Description = "One seed, 4 iterations per training and short benchmarks: the whole plan in minutes, to check it runs (not results)" };
        var seeds = new Option<int?>("--seeds") { Description = "Training seeds 1..N per learned method (default 3; --quick 1)" };
        var jobs = new Option<string>("--jobs") { Description = "Comma-separated paper jobs of Tables 1 and 2", DefaultValueFactory = _ => string.Join(',', JobCatalog.Named.Select(j => j.Name)) };
        var iterations = new Option<int?>("--iterations") { Description = "Iterations of every training (default: SURE's budget per job, 300 small, 150 medium, 100 large; --quick 4)" };
        var lambdas = new Option<string>("--lambdas") { Description = "Fig. 4(c)(d)'s lambdas", DefaultValueFactory = _ => string.Join(',', PaperPlan.PaperLambdas.Select(PaperPlan.Lambda)) };
        var k1s = new Option<string>("--k1s") { Description = "Fig. 4(a)(b)'s k1 values", DefaultValueFactory = _ => string.Join(',', PaperPlan.PaperK1s) };
        var sweepJob = new Option<string>("--sweep-job") { Description = "The job of Fig. 4's sweeps (one of --jobs)", DefaultValueFactory = _ => "large-1" };
        var threads = new Option<int>("--threads") { Description = "Worker threads of each training and evaluation", DefaultValueFactory = _ => Environment.ProcessorCount };
        var budget = new Option<double?>("--minutes") { Description = "Start no step after this many minutes (the running one finishes); the same command resumes" };
        var reuse = new Option<string?>("--reuse") { Description = "A folder of checkpoints named <job>.<method>.s<seed>.safetensors (scripts/results.sh's results/): each one the plan needs, trained for its planned iterations, is copied in instead of trained" };

        var command = new Command("paper", "Regenerate the paper's tables and figures (Tables 1-2, Figs. 4-5) into a folder, with the paper's numbers beside ours");
        foreach (var o in new Option[] { output, quick, seeds, jobs, iterations, lambdas, k1s, sweepJob, threads, reuse, budget }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            bool isQuick = parse.GetValue(quick);
            int seedCount = parse.GetValue(seeds) ?? (isQuick ? 1 : 3);
            if (seedCount is < 1 or > 10) throw new SimInputException($"bad seeds {seedCount}: need 1..10");
            var jobNames = parse.GetValue(jobs)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var name in jobNames)
                if (!JobCatalog.Named.Any(j => j.Name == name))
                    throw new SimInputException($"bad job '{name}' in --jobs: expected paper jobs ({string.Join(", ", JobCatalog.Named.Select(j => j.Name))})");
            if (jobNames.Length == 0 || jobNames.Distinct().Count() != jobNames.Length) throw new SimInputException("--jobs needs distinct paper jobs");
            string sweep = parse.GetValue(sweepJob)!;
            if (!jobNames.Contains(sweep)) throw new SimInputException($"bad sweep-job '{sweep}': it must be one of --jobs ({string.Join(", ", jobNames)})");
            if (!jobNames.Contains(PaperPlan.ProbeJob)) throw new SimInputException($"--jobs must include {PaperPlan.ProbeJob} (Fig. 5 probes its SURE model)");
            int? iterationCount = parse.GetValue(iterations);
            if (iterationCount is < 1) throw new SimInputException($"bad iterations {iterationCount}: need at least 1");
            double[] lambdaValues = Numbers(parse.GetValue(lambdas)!, "lambdas", s => double.Parse(s, CultureInfo.InvariantCulture));
            foreach (double l in lambdaValues) SimCli.CheckLambda(l);
            int[] k1Values = Numbers(parse.GetValue(k1s)!, "k1s", s => int.Parse(s, CultureInfo.InvariantCulture));
            if (k1Values.Any(k => k is < 1 or > 60)) throw new SimInputException("bad k1s: each in 1..60 (the span's snapshots)");
            int threadCount = parse.GetValue(threads);
            SimCli.CheckThreads(threadCount);
            double? minutes = parse.GetValue(budget);
            if (minutes is double m0 && !(m0 >= 0 && m0 <= 1e6)) throw new SimInputException($"bad minutes {m0}: need 0..1000000");
            bool outOfTime = false;
            string dir = parse.GetValue(output)!;
            if (File.Exists(dir)) throw new SimInputException($"--out {dir} is a file; give a folder");
            Directory.CreateDirectory(Path.Combine(dir, "models"));
            Directory.CreateDirectory(Path.Combine(dir, "raw"));

            var plan = new PaperPlan
            {
                Dir = dir, Quick = isQuick, Seeds = seedCount, Jobs = jobNames, Iterations = iterationCount,
                Lambdas = lambdaValues, K1s = k1Values, SweepJob = sweep, Threads = threadCount,
                CommandLine = "sure paper " + string.Join(' ', parse.Tokens.Select(t => t.Value).SkipWhile(t => t == "paper")),
            };
            var steps = plan.Steps();
            if (parse.GetValue(reuse) is string reused)
            {
                if (!Directory.Exists(reused)) throw new SimInputException($"--reuse {reused}: no such folder");
                int copied = 0;
                foreach (var step in steps.Where(s => s.Iterations is not null && !s.Done()))
                {
                    string candidate = Path.Combine(reused, Path.GetFileName(step.Output));
                    if (!File.Exists(candidate) || !(step with { Output = candidate }).Done()) continue;
                    File.Copy(candidate, step.Output, overwrite: true);
                    copied++;
                }
                Console.Error.WriteLine($"sure paper: reused {copied} checkpoints from {reused}");
            }
            // Whether a step is done is asked again just before it runs: a model trained in this run makes its
            // evaluations (planned as done against the older file) due again.
            int pending = steps.Count(s => !s.Done()), started = 0, ran = 0;
            // Outputs another `sure paper` on this folder is producing (its claim held), and the steps that read them.
            var elsewhere = new HashSet<string>();
            string stepLog = Path.Combine(dir, "raw", "steps.jsonl");
            // Ctrl+C or SIGTERM: the running command stops as it would alone (a training saves its best checkpoint,
            // which, short of its iterations, is trained again on resume), then no further step starts.
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler stop = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += stop;
            using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM,
                context => { context.Cancel = true; cancel.Cancel(); });
            var total = Stopwatch.StartNew();
            void RunAll(Action<PaperStep>? starting, Action<PaperStep>? finished)
            {
                foreach (var step in steps)
                {
                    if (cancel.IsCancellationRequested) return;
                    if (step.Done()) continue;
                    if (minutes is double m && total.Elapsed.TotalMinutes >= m)
                    {
                        outOfTime = true;
                        return;
                    }
                    if (step.Inputs.Any(elsewhere.Contains))
                    {
                        elsewhere.Add(step.Output);
                        continue;
                    }
                    using var claim = PaperClaim.TryTake(step.Output);
                    if (claim is null)
                    {
                        elsewhere.Add(step.Output);
                        continue;
                    }
                    if (step.Done()) continue; // finished by another run between the two looks
                    started++;
                    starting?.Invoke(step);
                    var clock = Stopwatch.StartNew();
                    step.Run();
                    File.AppendAllText(stepLog, JsonSerializer.Serialize(new Dictionary<string, object?>
                    {
                        ["step"] = step.Title, ["output"] = Path.GetRelativePath(dir, step.Output), ["command"] = step.CommandLine, ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
                        ["version"] = Version,
                    }) + "\n");
                    ran++;
                    finished?.Invoke(step);
                }
            }
            try
            {
                if (!SimCli.ShowProgress)
                    RunAll(step => Console.Error.WriteLine($"[{started}/{Math.Max(started, pending)}] {step.Title} ({total.Elapsed:hh\\:mm\\:ss})"), null);
                else
                    SimCli.ErrorConsole().Progress().AutoClear(false)
                        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                        .Start(ctx =>
                        {
                            // The bar advances by each step's rough cost, so the ETA weighs a CCRNN training above an evaluation.
                            var bar = ctx.AddTask("sure paper", maxValue: Math.Max(1, steps.Where(s => !s.Done()).Sum(s => s.Cost)));
                            RunAll(step => bar.Description = Markup.Escape($"[{started}/{Math.Max(started, pending)}] {step.Title}"),
                                step => { bar.MaxValue = Math.Max(bar.MaxValue, bar.Value + step.Cost); bar.Increment(step.Cost); });
                            bar.Description = $"{ran} steps run";
                        });
            }
            finally { Console.CancelKeyPress -= stop; }
            var report = PaperReport.Write(plan);
            if (outOfTime)
            {
                Console.Out.WriteLine($"sure paper: --minutes {minutes} reached after {ran} steps ({total.Elapsed.TotalMinutes:F1} min; {steps.Count(s => !s.Done())} steps to go); the same command resumes; {report} (so far)");
                return 0;
            }
            if (cancel.IsCancellationRequested)
            {
                Console.Out.WriteLine($"sure paper: stopped after {ran} steps ({total.Elapsed.TotalMinutes:F1} min); the same command resumes; {report} (so far)");
                return 130;
            }
            if (elsewhere.Count > 0)
            {
                Console.Out.WriteLine($"sure paper: ran {ran} steps ({total.Elapsed.TotalMinutes:F1} min); {elsewhere.Count} left to another `sure paper` on {dir} (the same command, run after it, finishes what it does not); {report} (so far)");
                return 0;
            }
            Console.Out.WriteLine($"sure paper: {steps.Count} steps ({steps.Count - ran} already done) in {total.Elapsed.TotalMinutes:F1} min; {report}");
            return 0;
        });
        return command;
    }

    static T[] Numbers<T>(string text, string option, Func<string, T> parse)
    {
        try
        {
            var values = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(parse).ToArray();
            return values.Length > 0 ? values : throw new SimInputException($"bad {option}: empty");
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new SimInputException($"bad {option} '{text}': expected comma-separated numbers");
        }
    }
}

/// <summary>
/// A step's claim, so that two `sure paper` runs on one folder (one per core, each with --threads 1) share the plan
/// rather than repeat it: an exclusive lock on OUTPUT.claim (FileShare.None is an flock on Unix, released when its
/// holder closes or dies), deleted when the step ends.
/// </summary>
static class PaperClaim
{
    /// <summary>The claim of <paramref name="output"/>, or null when another run holds it.</summary>
    public static FileStream? TryTake(string output)
    {
        try { return new FileStream(output + ".claim", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose); }
        catch (IOException) { return null; }
    }
}

/// <summary>Runs a `sure` command in this process (its output captured, no progress bar of its own).</summary>
static class PaperRunner
{
    /// <summary>Runs `sure args`; a .jsonl <paramref name="output"/> receives its standard output (written only on success).</summary>
    public static void Sure(string[] args, string output)
    {
        var (stdout, stderr) = (new StringWriter(CultureInfo.InvariantCulture), new StringWriter(CultureInfo.InvariantCulture));
        var (oldOut, oldError) = (Console.Out, Console.Error);
        int code;
        Console.SetOut(stdout);
        Console.SetError(stderr);
        SimCli.Nested = true;
        try { code = SureCli.Invoke(args); }
        finally
        {
            SimCli.Nested = false;
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
        if (code != 0) throw new InvalidOperationException($"sure paper: `sure {string.Join(' ', args)}` failed (exit {code}): {stderr.ToString().Trim()}");
        if (!output.EndsWith(".jsonl", StringComparison.Ordinal)) return;
        using var file = new AtomicFile(output);
        file.Text.Write(stdout.ToString());
        file.Commit();
    }
}
