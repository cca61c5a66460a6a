using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Sure.Autodiff;
using Sure.Sim;

namespace Sure.Cli;

/// <summary>`sure simulate`: one policy on one job over a window of the trace.</summary>
static class SimulateCommand
{
    public static Command Create()
    {
        var job = new Option<string>("--job") { Description = "Job: small-1 … large-2, a sample job id (j_1136) or random:N[:SEED]", DefaultValueFactory = _ => "small-1" };
        var policy = new Option<string>("--policy") { Description = "static, fixed:N, hpa, ds2, flink, oracle-static, hpa-tuned, flink-tuned, max-tuned, clairvoyant, or a learned policy (needs --model of its architecture): sure, deepwave, dream, tvw-rl, astgcn, ccrnn", DefaultValueFactory = _ => "static" };
        var start = new Option<int>("--start") { Description = "First trace minute (default: the test week)", DefaultValueFactory = _ => WorkloadTrace.WeekMinutes };
        var minutes = new Option<int>("--minutes") { Description = "Minutes to simulate", DefaultValueFactory = _ => 1440 };
        var noise = new Option<double>("--noise") { Description = "sigma of the LogNormal capacity noise (0 = deterministic)", DefaultValueFactory = _ => 0.05 };
        var seed = new Option<ulong>("--seed") { Description = "Noise seed", DefaultValueFactory = _ => 1UL };
        var traceOut = new Option<string?>("--trace-out") { Description = "Write minute,latency_s,utilization,instances,backlog per minute to this CSV" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table" };
        var trace = new Option<string?>("--trace") { Description = "Workload trace (one number per line or time,value CSV; default: ClarkNet)" };
        var jobs = new Option<string?>("--jobs-file") { Description = "Alibaba batch_task CSV (default: the embedded sample)" };
        var model = new Option<string?>("--model") { Description = "Checkpoint (safetensors) of the learned policy; its metadata names the architecture" };
        var planOut = new Option<string?>("--plan-out") { Description = "Write the job as Flink's job plan JSON (for sure decide)" };
        var metricsOut = new Option<string?>("--metrics-out") { Description = "Write every minute's per-vertex metrics as JSON lines under Flink's names (for sure decide)" };

        var command = new Command("simulate", "Run one autoscaling policy on one job over a window of the workload trace");
        foreach (var o in new Option[] { job, policy, start, minutes, noise, seed, traceOut, json, trace, jobs, model, planOut, metricsOut }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            string policyName = parse.GetValue(policy)!;
            string? modelPath = parse.GetValue(model);
            SimCli.CheckPolicy(policyName, haveModel: modelPath is not null);
            string? outPath = parse.GetValue(traceOut);
            if (outPath is not null)
                SimCli.CheckOutput("--trace-out", outPath, ("--trace", parse.GetValue(trace)), ("--jobs-file", parse.GetValue(jobs)), ("--model", modelPath));
            string? planPath = parse.GetValue(planOut), metricsPath = parse.GetValue(metricsOut);
            foreach (var (option, path) in new[] { ("--plan-out", planPath), ("--metrics-out", metricsPath) })
                if (path is not null)
                    SimCli.CheckOutput(option, path, ("--trace", parse.GetValue(trace)), ("--jobs-file", parse.GetValue(jobs)), ("--model", modelPath), ("--trace-out", outPath));
            if (planPath is not null && metricsPath is not null && AtomicFile.ResolveTarget(planPath) == AtomicFile.ResolveTarget(metricsPath))
                throw new SimInputException($"{planPath}: --plan-out and --metrics-out name the same file");
            var sure = modelPath is null ? null : SimCli.LoadNetwork(modelPath);
            if (sure is not null && SimCli.IsLearned(policyName)) SimCli.ModelFor(policyName, [(sure, modelPath!)]);
            double sigma = parse.GetValue(noise);
            SimCli.CheckNoise(sigma);
            var graph = JobCatalog.Load(parse.GetValue(job)!, parse.GetValue(jobs));
            var workloadTrace = WorkloadTrace.Load(parse.GetValue(trace));
            int first = parse.GetValue(start), count = parse.GetValue(minutes);
            if (count < 1) throw new SimInputException($"bad --minutes {count}: at least 1");
            if (first < 0 || (long)first + count > workloadTrace.Length)
                throw new SimInputException($"window [{first}, {(long)first + count}) is outside the trace's {workloadTrace.Length} minutes ({workloadTrace.Source})");
            ulong noiseSeed = parse.GetValue(seed);
            var env = new StreamEnvironment(graph, workloadTrace.Workload(), SimCli.SimOptionsFor(sigma, sure));
            int trainMinutes = Math.Max(0, workloadTrace.Length - WorkloadTrace.WeekMinutes);
            var autoscaler = SimCli.CreatePolicy(policyName, env, (0, trainMinutes), noiseSeed, sure);

            // Written atomically: the CSV replaces an older one only when the run has finished.
            using var outFile = outPath is null ? null : new AtomicFile(outPath);
            var writer = outFile?.Text;
            writer?.WriteLine("minute,latency_s,utilization,instances,backlog");
            using var planFile = planPath is null ? null : new AtomicFile(planPath);
            using var metricsFile = metricsPath is null ? null : new AtomicFile(metricsPath);
            var metrics = Episode.Run(env, autoscaler, first, count, noiseSeed, (e, _) =>
            {
                // The plan is the job as the run began: the first span's parallelism.
                if (planFile is not null && e.Minute - e.LastSpan.Minutes == first) FlinkFormat.WritePlan(planFile.Text, e.Job, e.LastSpan.Parallelism);
                if (writer is not null) WriteMinutes(writer, e.LastSpan);
                if (metricsFile is not null) FlinkFormat.WriteMinutes(metricsFile.Text, e.LastSpan);
            });
            outFile?.Commit();
            planFile?.Commit();
            metricsFile?.Commit();
            if (parse.GetValue(json))
                SimCli.JsonLine(w =>
                {
                    w.WriteString("job", graph.Name);
                    w.WriteString("policy", policyName);
                    if (autoscaler.Setting is string setting) w.WriteString("setting", setting);
                    w.WriteNumber("start", first);
                    w.WriteNumber("minutes", count);
                    w.WriteNumber("noise", sigma);
                    w.WriteNumber("seed", noiseSeed);
                    SimCli.WriteMetrics(w, metrics);
                });
            else
            {
                var table = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
                table.Title = new TableTitle(Markup.Escape($"{graph.Name} ({graph.TaskCount} tasks), {SimCli.PolicyLabel(autoscaler.Name, autoscaler.Setting)}, minutes [{first}, {first + count})"));
                var cells = SimCli.MetricCells(metrics);
                for (int k = 0; k < cells.Length; k++) table.AddRow(SimCli.MetricColumns[k], cells[k]);
                SimCli.WriteTable(table);
            }
            return 0;
        });
        return command;
    }

    static void WriteMinutes(StreamWriter writer, SpanRecord span)
    {
        var c = CultureInfo.InvariantCulture;
        for (int m = 0; m < span.Minutes; m++)
            writer.WriteLine(string.Create(c,
                $"{span.StartMinute + m},{60 * span.JobLatency[m]},{span.JobUtilization[m]},{span.Instances},{span.TotalBacklog[m]}"));
    }
}
