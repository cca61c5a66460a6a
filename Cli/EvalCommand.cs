using System.CommandLine;

namespace Sure.Cli;

static class EvalCommand
{
    public static Command Create()
    {
        var command = new Command("eval", "(not yet built)");
        command.SetAction(_ => { Console.Error.WriteLine("sure eval: not yet built"); return 2; });
        return command;
    }
}
