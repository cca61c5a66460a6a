using System.CommandLine;

namespace Sure.Cli;

/// <summary>`sure bench [gemm|sim|infer|train]`: without a subcommand, runs gemm and sim with their defaults.</summary>
static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure the engine and the simulator (table, or JSON lines with --json)");
        var gemm = BenchGemm.Create();
        var sim = BenchSim.Create();
        bench.Subcommands.Add(gemm);
        bench.Subcommands.Add(sim);
        bench.Subcommands.Add(BenchInfer.Create());
        bench.Subcommands.Add(BenchTrain.Create());
        bench.SetAction(_ =>
        {
            int rc = gemm.Parse("").Invoke();
            return rc != 0 ? rc : sim.Parse("").Invoke();
        });
        return bench;
    }
}
