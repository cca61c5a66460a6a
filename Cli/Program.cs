using System.CommandLine;
using Sure.Cli;

var root = new RootCommand("sure: the SURE learned autoscaler for streaming jobs, on its own numerics engine");
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(ForwardCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(RunCommand.Create());
return root.Parse(args).Invoke();
