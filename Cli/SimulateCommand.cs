using System.CommandLine;

namespace Sure.Cli;

static class SimulateCommand
{
    public static Command Create()
    {
        var command = new Command("simulate", "(not yet built)");
        command.SetAction(_ => { Console.Error.WriteLine("sure simulate: not yet built"); return 2; });
        return command;
    }
}
