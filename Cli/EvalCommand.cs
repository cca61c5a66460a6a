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
    public const string DefaultPolicies = "static,hpa,ds2,flink,oracle-static,hpa-tuned,flink-tuned,clairvoyant";

    public static Command Create()
    {
        var job = new Option<string>("--job") { Description = "Job name, sample job id, random:N[:SEED], or all (the six paper jobs)", DefaultValueFactory = _ => "all" };
        var policies = new Option<string>("--policies") { Description = "Comma-separated: static, fixed:N, hpa, ds2, flink, oracle-static, hpa-tuned, flink-tuned, clairvoyant, and the learned sure, deepwave, dream, tvw-rl, astgcn, ccrnn (each needs a --model file of its architecture)", DefaultValueFactory = _ => DefaultPolicies };
        var trace = new Option<string?>("--trace") { Description = "Workload trace (default: ClarkNet); the last 10,080 minutes are the test week" };
        var noise = new Option<double>("--noise") { Description = "sigma of the LogNormal capacity noise", DefaultValueFactory = _ => 0.05 };
        var seed = new Option<ulong>("--seed") { Description = "Noise seed (the same for every policy)", DefaultValueFactory = _ => 1UL };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per (job, policy) instead of a table" };
        var jobs = new Option<string?>("--jobs-file") { Description = "Alibaba batch_task CSV (default: the embedded sample)" };
        var model = new Option<string?>("--model") { Description = "Checkpoints (safetensors, comma-separated) for the learned policies: each policy takes the file whose metadata names its architecture" };

        var command = new Command("eval", "Evaluate autoscaling policies over the test week");
        foreach (var o in new Option[] { job, policies, trace, noise, seed, json, jobs, model }) command.Options.Add(o);
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
            var graphs = jobArg == "all"
                ? JobCatalog.Named.Select(j => JobCatalog.Load(j.Name, jobsFile)).ToList()
                : [JobCatalog.Load(jobArg, jobsFile)];
            var workloadTrace = WorkloadTrace.Load(parse.GetValue(trace));
            var test = SimCli.TestWeek(workloadTrace);
            var workload = workloadTrace.Workload();
            var options = SimCli.SimOptionsFor(sigma, sure);
            bool asJson = parse.GetValue(json);

            var results = new List<(JobGraph Job, string Policy, string? Setting, EvalMetrics Metrics)>();
            void RunAll(Action? advance)
            {
                foreach (var graph in graphs)
                {
                    var env = new StreamEnvironment(graph, workload, options);
                    foreach (var name in names)
                    {
                        var policy = SimCli.CreatePolicy(name, env, (0, test.Start), noiseSeed, models);
                        results.Add((graph, name, policy.Setting, Episode.Run(env, policy, test.Start, test.Minutes, noiseSeed)));
                        advance?.Invoke();
                    }
                }
            }

            if (Console.IsErrorRedirected) RunAll(null);
            else
                SimCli.ErrorConsole().Progress().AutoClear(true).Start(ctx =>
                {
                    var bar = ctx.AddTask("evaluating", maxValue: graphs.Count * names.Length);
                    RunAll(() => bar.Increment(1));
                });

            if (asJson)
                foreach (var (graph, name, setting, metrics) in results)
                    SimCli.JsonLine(w =>
                    {
                        w.WriteString("job", graph.Name);
                        w.WriteString("policy", name);
                        if (setting is not null) w.WriteString("setting", setting);
                        SimCli.WriteMetrics(w, metrics);
                    });
            else
            {
                var table = new Table().AddColumn("job").AddColumn("policy");
                foreach (var column in SimCli.MetricColumns) table.AddColumn(new TableColumn(column).RightAligned());
                table.Title = new TableTitle(Markup.Escape($"test week: minutes [{test.Start}, {test.Start + test.Minutes}) of {workloadTrace.Source}, noise {sigma}, seed {noiseSeed}"));
                foreach (var (graph, name, setting, metrics) in results)
                    table.AddRow([Markup.Escape(graph.Name), Markup.Escape(SimCli.PolicyLabel(name, setting)), .. SimCli.MetricCells(metrics)]);
                SimCli.WriteTable(table);
            }
            return 0;
        });
        return command;
    }
}
