using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Sure.Sim;

namespace Sure.Cli;

/// <summary>`sure jobs --split train|validation|test [--json]`: the fleet split's job ids and task counts (<see cref="JobSplit"/>).</summary>
static class JobsCommand
{
    public static Command Create()
    {
        var split = new Option<string>("--split") { Description = "train, validation or test (the test split is for reporting only)", Required = true };
        var json = new Option<bool>("--json") { Description = "One JSON object per job instead of a table" };
        var command = new Command("jobs", "List the fleet split's jobs of the embedded Alibaba sample (docs/fleet.md)");
        command.Options.Add(split);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            string name = parse.GetValue(split)!;
            var kind = name switch
            {
                "train" => SplitKind.Train,
                "validation" => SplitKind.Validation,
                "test" => SplitKind.Test,
                _ => throw new SimInputException($"bad split '{name}': expected train, validation or test"),
            };
            var jobs = JobSplit.Jobs(kind);
            if (parse.GetValue(json))
            {
                foreach (var job in jobs)
                    SimCli.JsonLine(w =>
                    {
                        w.WriteString("split", name);
                        w.WriteString("job", job.Name);
                        w.WriteNumber("tasks", job.TaskCount);
                    });
                return 0;
            }
            var table = new Table().Title($"{name}: {jobs.Count} jobs, {jobs.Sum(j => j.TaskCount).ToString(CultureInfo.InvariantCulture)} tasks")
                .AddColumn("job").AddColumn(new TableColumn("tasks").RightAligned());
            foreach (var job in jobs) table.AddRow(job.Name, job.TaskCount.ToString(CultureInfo.InvariantCulture));
            SimCli.WriteTable(table);
            return 0;
        });
        return command;
    }
}
