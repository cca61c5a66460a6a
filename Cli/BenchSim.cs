using System.CommandLine;

namespace Sure.Cli;

static class BenchSim
{
    public static Command Create()
    {
        var command = new Command("sim", "(not yet built)");
        command.SetAction(_ => { Console.Error.WriteLine("sure sim: not yet built"); return 2; });
        return command;
    }
}
