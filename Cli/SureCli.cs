using System.CommandLine;
using System.CommandLine.Invocation;

namespace Sure.Cli;

/// <summary>The `sure` command line: every command, the global --verbose, and the one top-level error handler.</summary>
static class SureCli
{
    public static RootCommand CreateRoot(Option<bool> verbose)
    {
        var root = new RootCommand("sure: the SURE learned autoscaler for streaming jobs, on its own numerics engine") { verbose };
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(SimulateCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(ForwardCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(JobsCommand.Create());
        root.Subcommands.Add(DecideCommand.Create());
        root.Subcommands.Add(Paper.PaperCommand.Create());
        return root;
    }

    /// <summary>Parses and runs; no exception leaves (docs/errors.md): bad input is one line and exit code 2.</summary>
    public static int Invoke(string[] args)
    {
        var verbose = new Option<bool>("--verbose") { Description = "On an error, also print the stack trace", Recursive = true };
        var parse = CreateRoot(verbose).Parse(args);
        string command = string.Join(' ', CommandPath(parse.CommandResult));
        if (parse.Action is ParseErrorAction)
        {
            Console.Error.WriteLine($"{command}: {string.Join("; ", parse.Errors.Select(e => e.Message)).ReplaceLineEndings(" ")} (--help for usage)");
            return Errors.BadInput;
        }
        try { return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }); }
        catch (Exception e) { return Errors.Report(command, e, parse.GetValue(verbose), Console.Error); }
    }

    static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new Stack<string>();
        for (var r = result; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Push(r.Parent is null ? "sure" : r.Command.Name);
        return names;
    }
}
