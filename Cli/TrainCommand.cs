using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Sure.Autodiff;
using Sure.Models;
using Sure.Models.Baselines;
using Sure.Models.Training;
using Sure.Sim;

namespace Sure.Cli;

/// <summary>
/// `sure train`: REINFORCE (SPEC 6) of a fresh SURE model (or, with --model, one of the paper's baselines of SPEC 11)
/// on one job's training week; writes the weights (with job,
/// seed, iterations and options in the metadata) and a CSV log of every iteration. Live progress goes to stderr.
/// </summary>
static class TrainCommand
{
    /// <summary>The recipe measured in RESULTS.md: 150 iterations bootstrapped from HPA, then 150 of REINFORCE.</summary>
    public const int DefaultIterations = 300, DefaultBootstrap = 150;

    public static Command Create()
    {
        var architecture = new Option<string>("--model") { Description = $"Architecture: {string.Join(", ", PolicyNetworks.Names)} (the baselines of SPEC 11 share SURE's head, trainer and recipe; --sampler and --mi apply to sure only)", DefaultValueFactory = _ => PolicyArchitecture.Sure };
        var job = new Option<string?>("--job") { Description = "Job name (small-1 ... large-2), sample job id, or random:N[:SEED]" };
        var fleetJobs = new Option<string?>("--jobs") { Description = "One model across many jobs (instead of --job): fleet (the training split, docs/fleet.md) or comma-separated job ids; the checkpoint is chosen on the validation jobs' validation day" };
        var jobsPerIteration = new Option<int>("--jobs-per-iteration") { Description = "With --jobs: jobs drawn per iteration (each one window of R rollouts)", DefaultValueFactory = _ => 4 };
        var validationJobs = new Option<int>("--validation-jobs") { Description = "With --jobs: validation-split jobs whose validation day chooses the checkpoint (a fixed subset)", DefaultValueFactory = _ => 8 };
        var iterations = new Option<int?>("--iterations") { Description = $"Iterations (default {DefaultIterations}; unbounded when only --minutes is given)" };
        var minutes = new Option<double?>("--minutes") { Description = "Wall-clock budget in minutes: stop after the iteration that crosses it" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the initial weights, windows and all noise", DefaultValueFactory = _ => 1UL };
        var sampler = new Option<string>("--sampler") { Description = "nvss, or uniform (the w/o NVSS ablation)", DefaultValueFactory = _ => "nvss" };
        var mi = new Option<double>("--mi") { Description = "beta_mi, weight of the mutual-information term (0 = the w/o MI ablation)", DefaultValueFactory = _ => 0.1 };
        var threads = new Option<int>("--threads") { Description = "Worker threads for the rollouts (with --jobs: for the jobs of an iteration, one job per thread)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var start = new Option<string>("--start") { Description = "Parallelism each training window starts from: random (log-uniform in [1, p_max] per task) or p0", DefaultValueFactory = _ => "random" };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Iterations of bootstrapping from HPA before REINFORCE (they count towards --iterations; 0 = REINFORCE only)", DefaultValueFactory = _ => DefaultBootstrap };
        var teacher = new Option<string>("--teacher") { Description = "Who the bootstrap imitates: hpa, hpa-tuned (target tuned on the training range) or clairvoyant (sees the coming hour; rho tuned on the training range)", DefaultValueFactory = _ => DefaultTeacher };
        var dagger = new Option<bool>("--dagger") { Description = "In the bootstrap's second half, half the rollouts are the policy's own, labelled by the teacher (DAgger); --dagger false turns it off", DefaultValueFactory = _ => DefaultDagger };
        var features = new Option<string>("--features") { Description = "spec (SPEC 3's eight, D = 8) or forecast (plus time of day and place in the span, D = 11)", DefaultValueFactory = _ => DefaultFeatures };
        var bootstrapRate = new Option<double>("--bootstrap-lr") { Description = "Adam's learning rate in the bootstrap phase", DefaultValueFactory = _ => 1e-3 };
        var actionBase = new Option<string>("--base") { Description = "What the ratio multiplies: current (SPEC 4.4's p), hpa-tuned (a residual on HPA's recommendation at a target tuned on the training range), max-tuned (on the larger of hpa-tuned's and flink-tuned's recommendations, both tuned on the training range) or best-tuned (hpa-tuned or max-tuned, whichever scores higher on the job's training range; with --jobs chosen per job where the model runs)", DefaultValueFactory = _ => DefaultBase };
        var deadBand = new Option<double>("--dead-band") { Description = "A ratio within this of 1 keeps the parallelism (no restart); 0 = SPEC 4.4", DefaultValueFactory = _ => DefaultDeadBand };
        var rollouts = new Option<int>("--rollouts") { Description = "R, rollouts of each training window per iteration", DefaultValueFactory = _ => 8 };
        var epochs = new Option<int>("--epochs") { Description = "Gradient steps per batch of rollouts in the REINFORCE phase: 1 = REINFORCE, more = PPO's clipped surrogate", DefaultValueFactory = _ => 1 };
        var clip = new Option<double>("--clip") { Description = "PPO's clip range (with --epochs > 1)", DefaultValueFactory = _ => 0.2 };
        var schedule = new Option<string>("--lr-schedule") { Description = "constant, or linear (the REINFORCE rate falls linearly to lr / J over its J iterations)", DefaultValueFactory = _ => "constant" };
        var credit = new Option<double>("--task-credit") { Description = "Per-task credit w in [0, 1]: a task's advantage is (1 - w) the job's plus w its own, from its share of the span reward (0 = SPEC 6)", DefaultValueFactory = _ => 0 };
        var rate = new Option<double>("--lr") { Description = "Adam's learning rate in the REINFORCE phase", DefaultValueFactory = _ => 1e-3 };
        var hidden = new Option<int>("--hidden") { Description = "H, the hidden width", DefaultValueFactory = _ => 64 };
        var output = new Option<string>("--out") { Description = "Weights file to write (safetensors)", Required = true };
        var log = new Option<string?>("--log") { Description = "CSV log of every iteration (default: --out with extension .csv)" };
        var trace = new Option<string?>("--trace") { Description = "Workload trace (default: ClarkNet): the last week is the test week, the day before it the validation day, everything before that trains" };
        var jobs = new Option<string?>("--jobs-file") { Description = "Alibaba batch_task CSV (default: the embedded sample)" };
        var lambda = SimCli.LambdaOption();
        var device = new Option<string>("--device") { Description = SimCli.TrainingDevices, DefaultValueFactory = _ => "cpu" };
        var evaluate = new Option<bool>("--eval") { Description = "Also print the deterministic policy's test-week reward before and after training" };

        var command = new Command("train", "Train the SURE policy (or a baseline, --model) with REINFORCE on one job");
        foreach (var o in new Option[] { architecture, job, fleetJobs, jobsPerIteration, validationJobs, iterations, minutes, seed, sampler, mi, start, bootstrap, teacher, dagger, features, actionBase, deadBand, bootstrapRate, rate, rollouts, epochs, clip, schedule, credit, threads, hidden, output, log, trace, jobs, lambda, evaluate, device })
            command.Options.Add(o);
        command.SetAction(parse =>
        {
            string architectureName = parse.GetValue(architecture)!;
            if (!PolicyNetworks.Names.Contains(architectureName))
                throw new SimInputException($"bad model '{architectureName}': expected {string.Join(", ", PolicyNetworks.Names)}");
            string samplerName = parse.GetValue(sampler)!;
            var kind = samplerName switch
            {
                "nvss" => SamplerKind.Nvss,
                "uniform" => SamplerKind.Uniform,
                _ => throw new SimInputException($"bad sampler '{samplerName}': expected nvss or uniform"),
            };
            string startName = parse.GetValue(start)!;
            var startKind = startName switch
            {
                "random" => StartKind.Random,
                "p0" => StartKind.Initial,
                _ => throw new SimInputException($"bad start '{startName}': expected random or p0"),
            };
            var teacherKind = ParseTeacher(parse.GetValue(teacher)!);
            int bootstrapCount = parse.GetValue(bootstrap);
            if (bootstrapCount < 0) throw new SimInputException($"bad bootstrap {bootstrapCount}: need at least 0");
            int? iterationCount = parse.GetValue(iterations);
            double? budget = parse.GetValue(minutes);
            if (iterationCount is < 1) throw new SimInputException($"bad iterations {iterationCount}: need at least 1");
            if (budget is double b && !(b > 0)) throw new SimInputException($"bad minutes {b}: need a positive budget");
            int threadCount = parse.GetValue(threads);
            SimCli.CheckThreads(threadCount);
            double betaMi = parse.GetValue(mi);
            if (!(betaMi >= 0) || !double.IsFinite(betaMi)) throw new SimInputException($"bad mi {betaMi}: need a finite number >= 0");
            double learningRate = parse.GetValue(rate);
            if (!(learningRate > 0) || !double.IsFinite(learningRate)) throw new SimInputException($"bad lr {learningRate}: need a finite number > 0");
            double band = parse.GetValue(deadBand);
            if (!(band >= 0 && band < 1)) throw new SimInputException($"bad dead-band {band}: need a number in [0, 1)");
            double bootstrapLearningRate = parse.GetValue(bootstrapRate);
            if (!(bootstrapLearningRate > 0) || !double.IsFinite(bootstrapLearningRate)) throw new SimInputException($"bad bootstrap-lr {bootstrapLearningRate}: need a finite number > 0");
            int rolloutCount = parse.GetValue(rollouts), epochCount = parse.GetValue(epochs);
            if (rolloutCount < 1) throw new SimInputException($"bad rollouts {rolloutCount}: need at least 1");
            if (epochCount < 1) throw new SimInputException($"bad epochs {epochCount}: need at least 1");
            double clipRange = parse.GetValue(clip);
            if (!(clipRange > 0 && clipRange < 1)) throw new SimInputException($"bad clip {clipRange}: need a number in (0, 1)");
            string scheduleName = parse.GetValue(schedule)!;
            var rateSchedule = scheduleName switch
            {
                "constant" => RateSchedule.Constant,
                "linear" => RateSchedule.Linear,
                _ => throw new SimInputException($"bad lr-schedule '{scheduleName}': expected constant or linear"),
            };
            double taskCredit = parse.GetValue(credit);
            if (!(taskCredit >= 0 && taskCredit <= 1)) throw new SimInputException($"bad task-credit {taskCredit}: need a number in [0, 1]");
            int h = parse.GetValue(hidden);
            if (h is < 1 or > SureConfig.MaxH) throw new SimInputException($"bad hidden {h}: need 1..{SureConfig.MaxH}");

            string? jobName = parse.GetValue(job), fleetSpec = parse.GetValue(fleetJobs);
            if ((jobName is null) == (fleetSpec is null)) throw new SimInputException("give --job NAME (one job) or --jobs fleet|ids (many), one of them");
            int perIteration = parse.GetValue(jobsPerIteration), validationCount = parse.GetValue(validationJobs);
            IReadOnlyList<JobGraph>? fleet = null, fleetValidation = null;
            if (fleetSpec is not null)
            {
                if (architectureName != PolicyArchitecture.Sure) throw new SimInputException($"--jobs trains the sure model only, not '{architectureName}'");
                if (parse.GetValue(evaluate)) throw new SimInputException("--eval is for one job; evaluate a fleet model with sure eval --jobs");
                if (perIteration < 1) throw new SimInputException($"bad jobs-per-iteration {perIteration}: need at least 1");
                if (validationCount < 1) throw new SimInputException($"bad validation-jobs {validationCount}: need at least 1");
                if (epochCount != 1) throw new SimInputException("--jobs trains with REINFORCE: --epochs 1");
                fleet = FleetSummary.Jobs(fleetSpec == "fleet" ? "train" : fleetSpec, null, parse.GetValue(jobs));
                fleetValidation = FleetSummary.Jobs("validation", validationCount, null);
            }
            string deviceName = parse.GetValue(device)!;
            if (deviceName != "cpu" && fleet is not null) throw new SimInputException("--device trains one job (--job); a fleet trains on the CPU tape");
            if (deviceName != "cpu" && architectureName != PolicyArchitecture.Sure)
                throw new SimInputException($"--device runs SURE's loss; {architectureName} trains on the CPU tape only");
            var graph = fleet is null ? JobCatalog.Load(jobName!, parse.GetValue(jobs)) : fleet[0];
            var workloadTrace = WorkloadTrace.Load(parse.GetValue(trace));
            var split = DataSplit.For(workloadTrace.Length);
            var test = split.Test;
            var workload = workloadTrace.Workload();
            string outPath = parse.GetValue(output)!;
            string logPath = parse.GetValue(log) ?? Path.ChangeExtension(outPath, ".csv");
            // Before any training: a missing folder or an output that is an input would otherwise lose the run at the end.
            SimCli.CheckOutput("--out", outPath, ("--trace", parse.GetValue(trace)), ("--jobs-file", parse.GetValue(jobs)));
            SimCli.CheckOutput("--log", logPath, ("--trace", parse.GetValue(trace)), ("--jobs-file", parse.GetValue(jobs)), ("--out", outPath));
            var options = split.Apply(new TrainOptions
            {
                Iterations = iterationCount ?? (budget is null ? DefaultIterations : int.MaxValue),
                MaxMinutes = budget,
                Seed = parse.GetValue(seed),
                Sampler = kind,
                Start = startKind,
                BootstrapIterations = bootstrapCount,
                BetaMi = betaMi,
                LearningRate = learningRate,
                BootstrapLearningRate = bootstrapLearningRate,
                Threads = threadCount,
                Teacher = teacherKind,
                Base = ParseBase(parse.GetValue(actionBase)!),
                DeadBand = band,
                Dagger = parse.GetValue(dagger),
                Rollouts = rolloutCount,
                Epochs = epochCount,
                Clip = clipRange,
                Schedule = rateSchedule,
                TaskCredit = taskCredit,
            });
            double latencyWeight = SimCli.CheckLambda(parse.GetValue(lambda));
            var sim = SimOptions.Default with { LatencyWeight = latencyWeight };
            var model = PolicyNetworks.Create(architectureName, new SureConfig { H = h, D = FeatureCount(parse.GetValue(features)!) }, graph, options.Seed);
            // The reward it was trained for (the residual base was tuned with it too); `sure eval --lambda` is separate.
            if (latencyWeight != SimOptions.Default.LatencyWeight) model.Metadata["lambda"] = latencyWeight.ToString("R", CultureInfo.InvariantCulture);
            using var backend = SimCli.OpenTrainingDevice(deviceName);
            if (backend is not null) model.Metadata["train_device"] = $"{backend.Name}: {backend.Device}";
            ITrainer trainer = fleet is null
                ? new SureTrainer(model, graph, workload, sim, options, backend)
                : new FleetTrainer(model, fleet, fleetValidation!, workload, sim, options, perIteration);
            using var deviceBuffers = trainer as IDisposable;   // disposed before the backend (declared after it)
            string trainedOn = fleet is null ? graph.Name : $"{fleet.Count} jobs";
            bool uniform = kind == SamplerKind.Uniform;
            double TestReward() => LearnedPolicy.Evaluate(model, graph, workload, sim, test.Start, test.Minutes, 1, uniform).Reward;
            double? before = parse.GetValue(evaluate) ? TestReward() : null;

            // The log replaces an older one only once the model is saved (AtomicFile), so an interrupted run keeps both.
            using var logFile = new AtomicFile(logPath);
            var csv = logFile.Text;
            csv.WriteLine(IterationLog.CsvHeader);
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler stop = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += stop;
            // SIGTERM as Ctrl+C: finish the running iteration, save the best checkpoint, exit.
            using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM,
                context => { context.Cancel = true; cancel.Cancel(); });
            IReadOnlyList<IterationLog> logs;
            try
            {
                void Record(IterationLog entry)
                {
                    csv.WriteLine(entry.ToCsv());
                    csv.Flush();
                }
                if (!SimCli.ShowProgress) logs = trainer.Run(Record, cancel.Token);
                else
                {
                    logs = [];
                    SimCli.ErrorConsole().Progress().AutoClear(false)
                        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                        .Start(ctx =>
                        {
                            var bar = ctx.AddTask($"training {Markup.Escape(architectureName)} on {Markup.Escape(trainedOn)}", maxValue: 1000);
                            logs = trainer.Run(entry =>
                            {
                                Record(entry);
                                double done = options.Iterations == int.MaxValue ? 0 : (double)entry.Iteration / options.Iterations;
                                if (budget is double m) done = Math.Max(done, entry.Elapsed.TotalMinutes / m);
                                bar.Value = Math.Min(1000, 1000 * done);
                                bar.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                                    $"it {entry.Iteration}{(entry.Phase == TrainPhase.Bootstrap ? " (bootstrap)" : "")} reward {entry.MeanReward:F4} validation {entry.ValidationReward:F4} (best {trainer.BestValidationReward:F4} at {trainer.BestIteration}) loss {entry.Loss:F3} kl {entry.Kl:F1}{(fleet is null ? "" : $" {entry.Iteration * perIteration / entry.Elapsed.TotalSeconds:F2} jobs/s")}"));
                            }, cancel.Token);
                            bar.Value = 1000;
                        });
                }
            }
            finally { Console.CancelKeyPress -= stop; }

            trainer.SaveCheckpoint(outPath);
            logFile.Commit();
            IterationLog? last = logs.Count > 0 ? logs[^1] : null;
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"trained {architectureName} on {trainedOn}: {trainer.CompletedIterations} iterations in {last?.Elapsed.TotalSeconds ?? 0:F1} s, mean rollout reward first {(logs.Count > 0 ? logs[0].MeanReward : double.NaN):F4} last {last?.MeanReward ?? double.NaN:F4}; saved the best checkpoint on the validation day [{split.Validation.Start}, {split.Validation.Start + split.Validation.Minutes}): iteration {trainer.BestIteration}, reward {trainer.BestValidationReward:F4}; weights {outPath}, log {logPath}"));
            if (trainer is FleetTrainer fleetTrainer && last is IterationLog final)
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"fleet throughput: {fleetTrainer.SimulatedTaskMinutes:N0} task-minutes simulated in {final.Elapsed.TotalSeconds:F1} s, {fleetTrainer.SimulatedTaskMinutes / final.Elapsed.TotalSeconds:N0} per second ({fleetTrainer.CompletedIterations * perIteration / final.Elapsed.TotalSeconds:F2} jobs/s, validation included)"));
            if (before is double b0)
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"test-week reward (deterministic, seed 1): before {b0:F4} after {TestReward():F4}"));
            return 0;
        });
        return command;
    }

    // The default recipe (docs/training.md, RESULTS.md): a residual on hpa-tuned with the forecast features and a dead
    // band of 0.1, bootstrapped from the clairvoyant with DAgger, then REINFORCE; the best checkpoint on the validation day.
    public const string DefaultTeacher = "clairvoyant", DefaultFeatures = "forecast", DefaultBase = "hpa-tuned";
    public const double DefaultDeadBand = 0.1;
    public const bool DefaultDagger = true;

    public static ActionBase ParseBase(string name) => name switch
    {
        "current" => ActionBase.Current,
        "hpa-tuned" => ActionBase.HpaTuned,
        "max-tuned" => ActionBase.MaxTuned,
        "best-tuned" => ActionBase.BestTuned,
        _ => throw new SimInputException($"bad base '{name}': expected current, hpa-tuned, max-tuned or best-tuned"),
    };

    public static int FeatureCount(string name) => name switch
    {
        "spec" => StreamEnvironment.SpecFeatureCount,
        "forecast" => StreamEnvironment.ForecastFeatureCount,
        _ => throw new SimInputException($"bad features '{name}': expected spec or forecast"),
    };

    public static TeacherKind ParseTeacher(string name) => name switch
    {
        "hpa" => TeacherKind.Hpa,
        "hpa-tuned" => TeacherKind.HpaTuned,
        "clairvoyant" => TeacherKind.Clairvoyant,
        _ => throw new SimInputException($"bad teacher '{name}': expected hpa, hpa-tuned or clairvoyant"),
    };
}
