using System.CommandLine;
using Spectre.Console;
using Sure.Policy;

namespace Sure.Cli;

/// <summary>
/// `sure decide`: the policy library (Sure.Policy) as a host would run it, on files: a Flink job plan and JSON lines of
/// per-minute metrics in; after every span of L lines, and once more after a last partial span, the new parallelism
/// per vertex with its reason out.
/// </summary>
static class DecideCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "SURE weights (safetensors)", Required = true };
        var plan = new Option<string>("--plan") { Description = "Flink's job plan (the JSON of /jobs/:jobid/plan)", Required = true };
        var metrics = new Option<string>("--metrics") { Description = "JSON lines, one per minute: timestamp, restarting, vertices: {id: {numRecordsInPerSecond, busyTimeMsPerSecond, pendingRecords, processingLatencyMs, trueProcessingRate, parallelism}}", Required = true };
        var json = new Option<bool>("--json") { Description = "Print one JSON line per decision instead of a table of the last" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the policy's sampling noise (the simulator's --seed gives its decisions)", DefaultValueFactory = _ => 1UL };
        var min = new Option<int>("--min-parallelism") { Description = "Guardrail: lowest parallelism", DefaultValueFactory = _ => 1 };
        var max = new Option<int>("--max-parallelism") { Description = "Guardrail: highest parallelism (0: the model's p_max)", DefaultValueFactory = _ => 0 };
        var step = new Option<double>("--max-step") { Description = "Guardrail: largest factor of one change (default: none)", DefaultValueFactory = _ => double.PositiveInfinity };
        var cooldown = new Option<int>("--cooldown") { Description = "Guardrail: decisions held after the job rescaled", DefaultValueFactory = _ => 0 };
        var missing = new Option<int>("--max-missing") { Description = "Guardrail: refused minutes a span may have before HPA decides instead (-1: L/4)", DefaultValueFactory = _ => -1 };
        var shadow = new Option<bool>("--shadow") { Description = "Decide and report, but keep the current parallelism" };
        var baseTarget = new Option<double>("--base-target") { Description = "HPA's target for a model whose residual base is tuned per job (a fleet model): the target tuned for this job", DefaultValueFactory = _ => double.NaN };

        var command = new Command("decide", "Turn a job's per-minute metrics into new parallelism per vertex with the trained policy (SPEC 12)");
        foreach (var o in new Option[] { model, plan, metrics, json, seed, min, max, step, cooldown, missing, shadow, baseTarget }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var weights = PolicyWeights.Load(parse.GetValue(model)!);
            var job = FlinkFormat.ReadPlan(parse.GetValue(plan)!);
            var options = new PolicyOptions
            {
                Seed = parse.GetValue(seed),
                MinParallelism = parse.GetValue(min),
                MaxParallelism = parse.GetValue(max),
                MaxStepFactor = parse.GetValue(step),
                CooldownSpans = parse.GetValue(cooldown),
                MaxMissingMinutes = parse.GetValue(missing),
                Shadow = parse.GetValue(shadow),
                BaseTarget = parse.GetValue(baseTarget),
            };
            for (int i = 0; i < job.Parallelism.Length; i++)
                if (job.Parallelism[i] > weights.Config.PMax)
                    throw new HostInputException($"{parse.GetValue(plan)}: vertex {job.Dag.Tasks[i]} has parallelism {job.Parallelism[i]}, outside the model's [1, {weights.Config.PMax}]");
            PolicySession session;
            try { session = new PolicySession(weights, job.Dag, job.Parallelism, options); }
            catch (ArgumentException e) { throw new HostInputException($"guardrail options: {e.Message}"); }

            string metricsPath = parse.GetValue(metrics)!;
            var vertices = job.Dag.Tasks.Select((id, i) => (id, i)).ToDictionary(v => v.id, v => v.i, StringComparer.Ordinal);
            var minute = new TaskMetrics[job.Dag.TaskCount];
            var known = job.Parallelism.ToArray();
            int lineNumber = 0, sinceDecision = 0, spanMinutes = weights.Config.L;
            PolicyDecision? last = null;
            bool printJson = parse.GetValue(json);
            foreach (string line in File.ReadLines(metricsPath))
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                var read = FlinkFormat.ReadMinute(metricsPath, lineNumber, line, vertices, known, minute);
                session.Observe(minute, read.MinuteOfDay, read.Restarting);
                session.Parallelism.CopyTo(known);
                if (++sinceDecision == spanMinutes)
                {
                    last = Decide(session, printJson, lineNumber);
                    sinceDecision = 0;
                }
            }
            if (lineNumber == 0) throw new HostInputException($"{metricsPath}: no metrics (expected one JSON line per minute)");
            if (sinceDecision > 0 || last is null) last = Decide(session, printJson, lineNumber);
            if (!printJson) PrintTable(session, last);
            return 0;
        });
        return command;
    }

    static PolicyDecision Decide(PolicySession session, bool printJson, int lineNumber)
    {
        var current = session.Parallelism.ToArray();
        var decision = session.Decide();
        if (printJson)
            SimCli.JsonLine(w =>
            {
                w.WriteNumber("decision", decision.Index);
                w.WriteNumber("line", lineNumber);
                w.WriteNumber("accepted_minutes", decision.AcceptedMinutes);
                w.WriteNumber("refused_minutes", decision.RefusedMinutes);
                w.WriteBoolean("fell_back", decision.FellBack);
                w.WriteBoolean("shadow", decision.Shadow);
                w.WriteStartArray("vertices");
                for (int i = 0; i < current.Length; i++)
                {
                    w.WriteStartObject();
                    w.WriteString("id", session.Job.Tasks[i]);
                    w.WriteNumber("parallelism", current[i]);
                    w.WriteNumber("new_parallelism", decision.Parallelism[i]);
                    w.WriteNumber("proposed", decision.Proposed[i]);
                    w.WriteNumber("unguarded", decision.Unguarded[i]);
                    w.WriteString("reason", Reason(decision.Reasons[i]));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
        return decision;
    }

    public static string Reason(DecisionReason reason) => reason switch
    {
        DecisionReason.Policy => "policy",
        DecisionReason.Fallback => "fallback",
        DecisionReason.StepLimit => "step_limit",
        DecisionReason.Clamp => "clamp",
        DecisionReason.Cooldown => "cooldown",
        _ => reason.ToString(),
    };

    static void PrintTable(PolicySession session, PolicyDecision decision)
    {
        var table = new Table().AddColumn("vertex").AddColumn(new TableColumn("new parallelism").RightAligned()).AddColumn("reason");
        table.Title = new TableTitle(Markup.Escape($"decision {decision.Index}: {decision.AcceptedMinutes} minutes used, {decision.RefusedMinutes} refused"
            + (decision.FellBack ? ", HPA fallback" : "") + (decision.Shadow ? ", shadow mode (nothing to act on)" : "")));
        for (int i = 0; i < session.Job.TaskCount; i++)
            table.AddRow(Markup.Escape(session.Job.Tasks[i]), decision.Proposed[i].ToString(System.Globalization.CultureInfo.InvariantCulture), DecideCommand.Reason(decision.Reasons[i]));
        SimCli.WriteTable(table);
    }
}
