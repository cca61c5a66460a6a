using System.CommandLine;

namespace Sure.Cli;

static class BenchGemm
{
    public static Command Create()
    {
        var command = new Command("gemm", "(not yet built)");
        command.SetAction(_ => { Console.Error.WriteLine("sure gemm: not yet built"); return 2; });
        return command;
    }
}
