using System.CommandLine;
using Spectre.Console;
using Sure.Models;
using Sure.Sim;

namespace Sure.Cli;

/// <summary>
/// `sure eval`: every policy over the test week (the trace's last 10,080 minutes) for one job or
/// all six. Policies come from <see cref="SimCli.CreatePolicy"/>, so a learned policy is one more name.
/// </summary>
static class EvalCommand
{
    public const string DefaultPolicies = "static,hpa,ds2,flink,oracle-static,hpa-tuned,flink-tuned,max-tuned,clairvoyant";

    public static Command Create()
    {
        var job = new Option<string>("--job") { Description = "Job name, sample job id, random:N[:SEED], or all (the six paper jobs)", DefaultValueFactory = _ => "all" };
        var policies = new Option<string>("--policies") { Description = "Comma-separated: static, fixed:N, hpa, ds2, flink, oracle-static, hpa-tuned, flink-tuned, max-tuned (the larger of the two tuned ones), clairvoyant, and the learned sure, deepwave, dream, tvw-rl, astgcn, ccrnn (each needs a --model file of its architecture)", DefaultValueFactory = _ => DefaultPolicies };
        var trace = new Option<string?>("--trace") { Description = "Workload trace (default: ClarkNet); the last 10,080 minutes are the test week" };
        var noise = new Option<double>("--noise") { Description = "sigma of the LogNormal capacity noise", DefaultValueFactory = _ => 0.05 };
        var seed = new Option<ulong>("--seed") { Description = "Noise seed (the same for every policy)", DefaultValueFactory = _ => 1UL };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per (job, policy) instead of a table" };
        var jobs = new Option<string?>("--jobs-file") { Description = "Alibaba batch_task CSV (default: the embedded sample)" };
        var model = new Option<string?>("--model") { Description = "Checkpoints (safetensors, comma-separated) for the learned policies: each policy takes the file whose metadata names its architecture" };
        var fleet = new Option<string?>("--jobs") { Description = "Many jobs (instead of --job): train, validation or test (the fleet split, docs/fleet.md) or comma-separated job ids; adds a summary per policy (mean, median, worst, jobs won against the best tuned heuristic)" };
        var limit = new Option<int?>("--limit") { Description = "With --jobs: only this many jobs (of a split: a fixed pseudo-random subset)" };
        var threads = new Option<int>("--threads") { Description = "Jobs evaluated at once", DefaultValueFactory = _ => Environment.ProcessorCount };
        var lambda = SimCli.LambdaOption();

        var command = new Command("eval", "Evaluate autoscaling policies over the test week");
        foreach (var o in new Option[] { job, fleet, limit, policies, trace, noise, seed, json, jobs, model, threads, lambda }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var names = parse.GetValue(policies)!.Split(',', StringSplitOptions.TrimEntries);
            string? modelPath = parse.GetValue(model);
            foreach (var name in names) SimCli.CheckPolicy(name, haveModel: modelPath is not null);
            var models = SimCli.LoadNetworks(modelPath);
            foreach (var name in names.Where(SimCli.IsLearned)) SimCli.ModelFor(name, models);
            // The features the learned models read decide the simulator's (D = 8 or 11): they must agree.
            if (models.Select(m => m.Network.Config.D).Distinct().Count() > 1)
                throw new SimInputException($"the --model files read different features ({string.Join(", ", models.Select(m => $"{m.Path}: D = {m.Network.Config.D}"))}); evaluate them separately");
            IPolicyNetwork<float>? sure = models.Count > 0 ? models[0].Network : null;
            double sigma = parse.GetValue(noise);
            SimCli.CheckNoise(sigma);
            ulong noiseSeed = parse.GetValue(seed);
            string jobArg = parse.GetValue(job)!;
            string? jobsFile = parse.GetValue(jobs);
            string? fleetArg = parse.GetValue(fleet);
            if (fleetArg is not null && parse.GetResult(job) is { Implicit: false })
                throw new SimInputException("give --job or --jobs, not both");
            if (fleetArg is null && parse.GetValue(limit) is not null) throw new SimInputException("--limit goes with --jobs");
            int threadCount = parse.GetValue(threads);
            SimCli.CheckThreads(threadCount);
            IReadOnlyList<JobGraph> graphs = fleetArg is not null
                ? FleetSummary.Jobs(fleetArg, parse.GetValue(limit), jobsFile)
                : jobArg == "all"
                    ? JobCatalog.Named.Select(j => JobCatalog.Load(j.Name, jobsFile)).ToList()
                    : [JobCatalog.Load(jobArg, jobsFile)];
            var workloadTrace = WorkloadTrace.Load(parse.GetValue(trace));
            var test = SimCli.TestWeek(workloadTrace);
            var workload = workloadTrace.Workload();
            var options = SimCli.SimOptionsFor(sigma, sure, SimCli.CheckLambda(parse.GetValue(lambda)));
            bool asJson = parse.GetValue(json);

            // Jobs run in parallel (each its own environment and policies; the model's weights are only read); the rows
            // keep the job order, so the output does not depend on the thread count.
            var perJob = new (string Policy, string? Setting, EvalMetrics Metrics)[graphs.Count][];
            void RunAll(Action? advance)
            {
                try { Parallel.For(0, graphs.Count, new ParallelOptions { MaxDegreeOfParallelism = threadCount }, Evaluate); }
                // A bad input (a model that does not fit a job) is one error, as with one job, not an aggregate.
                catch (AggregateException e) { System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw(); }

                void Evaluate(int g)
                {
                    var env = new StreamEnvironment(graphs[g], workload, options);
                    var rows = new (string, string?, EvalMetrics)[names.Length];
                    for (int k = 0; k < names.Length; k++)
                    {
                        var policy = SimCli.CreatePolicy(names[k], env, (0, test.Start), noiseSeed, models);
                        rows[k] = (names[k], policy.Setting, Episode.Run(env, policy, test.Start, test.Minutes, noiseSeed));
                        advance?.Invoke();
                    }
                    perJob[g] = rows;
                }
            }

            if (!SimCli.ShowProgress) RunAll(null);
            else
                SimCli.ErrorConsole().Progress().AutoClear(true).Start(ctx =>
                {
                    var bar = ctx.AddTask("evaluating", maxValue: graphs.Count * names.Length);
                    RunAll(() => { lock (bar) bar.Increment(1); });
                });
            var results = graphs.SelectMany((graph, g) => perJob[g].Select(r => (Job: graph, r.Policy, r.Setting, r.Metrics))).ToList();
            var summaries = fleetArg is null ? [] : FleetSummary.Of(results.Select(r => (r.Job.Name, r.Policy, r.Metrics.Reward)).ToList());

            if (asJson)
            {
                foreach (var (graph, name, setting, metrics) in results)
                    SimCli.JsonLine(w =>
                    {
                        w.WriteString("job", graph.Name);
                        w.WriteString("policy", name);
                        if (setting is not null) w.WriteString("setting", setting);
                        SimCli.WriteMetrics(w, metrics);
                    });
                foreach (var summary in summaries)
                    SimCli.JsonLine(w =>
                    {
                        w.WriteString("summary", fleetArg);
                        w.WriteString("policy", summary.Policy);
                        w.WriteNumber("jobs", summary.Jobs);
                        w.WriteNumber("mean_reward", summary.Mean);
                        w.WriteNumber("median_reward", summary.Median);
                        w.WriteNumber("worst_reward", summary.Worst);
                        if (summary.Won is int won) w.WriteNumber("jobs_won", won);
                    });
            }
            else
            {
                var table = new Table().AddColumn("job").AddColumn("policy");
                foreach (var column in SimCli.MetricColumns) table.AddColumn(new TableColumn(column).RightAligned());
                table.Title = new TableTitle(Markup.Escape($"test week: minutes [{test.Start}, {test.Start + test.Minutes}) of {workloadTrace.Source}, noise {sigma}, seed {noiseSeed}"));
                foreach (var (graph, name, setting, metrics) in results)
                    table.AddRow([Markup.Escape(graph.Name), Markup.Escape(SimCli.PolicyLabel(name, setting)), .. SimCli.MetricCells(metrics)]);
                if (summaries.Count == 0 || graphs.Count <= MaxJobRows) SimCli.WriteTable(table);
                if (summaries.Count > 0) SimCli.WriteTable(SummaryTable(summaries, graphs.Count, workloadTrace.Source));
            }
            return 0;
        });
        return command;
    }

    // Above this many jobs the table shows the summary only (--json has every row).
    const int MaxJobRows = 12;

    static Table SummaryTable(IReadOnlyList<PolicySummary> summaries, int jobs, string source)
    {
        var table = new Table().Title(Markup.Escape($"{jobs} jobs, test week of {source}: won = reward above the job's best tuned heuristic"))
            .AddColumn("policy").AddColumn(new TableColumn("mean").RightAligned()).AddColumn(new TableColumn("median").RightAligned())
            .AddColumn(new TableColumn("worst").RightAligned()).AddColumn(new TableColumn("won").RightAligned());
        static string F(double v) => v.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var s in summaries)
            table.AddRow(Markup.Escape(s.Policy), F(s.Mean), F(s.Median), F(s.Worst),
                s.Won is int won ? $"{won} / {s.Jobs} ({100.0 * won / s.Jobs:0}%)" : "");
        return table;
    }
}
