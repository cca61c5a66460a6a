using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Sure.Models;
using Sure.Models.Training;
using Sure.Sim;

namespace Sure.Cli;

/// <summary>
/// `sure bench train`: one training iteration (SPEC 9) per job and phase, the defaults of `sure train` (H = 64, R = 8,
/// 24-hour windows, all cores): seconds per iteration (median after warm-up) and bytes allocated per iteration.
/// </summary>
static class BenchTrain
{
    public static Command Create()
    {
        var jobs = new Option<string>("--jobs") { Description = "Comma-separated jobs", DefaultValueFactory = _ => "small-1,large-2" };
        var iterations = new Option<int>("--iterations") { Description = "Measured iterations per job and phase (after 2 of warm-up)", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "Worker threads for the rollouts", DefaultValueFactory = _ => Environment.ProcessorCount };
        var json = new Option<bool>("--json") { Description = "Print JSON lines instead of a table" };
        var command = new Command("train", "Seconds and bytes allocated per training iteration (bootstrap and REINFORCE)");
        foreach (var o in new Option[] { jobs, iterations, threads, json }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            int count = parse.GetValue(iterations), threadCount = parse.GetValue(threads);
            if (count < 1) throw new SimInputException($"bad --iterations {count}: at least 1");
            SimCli.CheckThreads(threadCount);
            var workload = WorkloadTrace.ClarkNet().Workload();
            var table = new Table().AddColumn("job").AddColumn(new TableColumn("n").RightAligned()).AddColumn("phase")
                .AddColumn(new TableColumn("s / iteration").RightAligned()).AddColumn(new TableColumn("bytes / iteration").RightAligned());
            foreach (string name in parse.GetValue(jobs)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var job = JobCatalog.Load(name);
                foreach (var phase in new[] { TrainPhase.Bootstrap, TrainPhase.Reinforce })
                {
                    var (seconds, bytes) = Measure(job, workload, phase, count, threadCount);
                    string phaseName = phase == TrainPhase.Bootstrap ? "bootstrap" : "reinforce";
                    if (parse.GetValue(json))
                        SimCli.JsonLine(w =>
                        {
                            w.WriteString("bench", "train");
                            w.WriteString("job", job.Name);
                            w.WriteNumber("n", job.TaskCount);
                            w.WriteString("phase", phaseName);
                            w.WriteNumber("threads", threadCount);
                            w.WriteNumber("median_s", Math.Round(seconds, 4));
                            w.WriteNumber("alloc_bytes_per_iteration", bytes);
                        });
                    else
                        table.AddRow(job.Name, job.TaskCount.ToString(CultureInfo.InvariantCulture), phaseName,
                            seconds.ToString("0.000", CultureInfo.InvariantCulture), bytes.ToString("N0", CultureInfo.InvariantCulture));
                }
            }
            if (!parse.GetValue(json)) SimCli.WriteTable(table);
            return 0;
        });
        return command;
    }

    /// <summary>Median seconds of `count` iterations after two of warm-up, and the least bytes any of them allocated.</summary>
    static (double Seconds, long Bytes) Measure(JobGraph job, double[] workload, TrainPhase phase, int count, int threads)
    {
        var model = SureTrainer.CreateModel(new SureConfig(), 1);
        int total = count + 2;
        var trainer = new SureTrainer(model, job, workload, SimOptions.Default, new TrainOptions
        {
            BootstrapIterations = phase == TrainPhase.Bootstrap ? total : 0,
            Threads = threads,
        });
        var seconds = new List<double>();
        long bytes = long.MaxValue;
        for (int k = 0; k < total; k++)
        {
            long started = Stopwatch.GetTimestamp();
            trainer.Step();
            if (k >= 2)
            {
                seconds.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
                bytes = Math.Min(bytes, trainer.LastIterationAllocatedBytes);
            }
        }
        seconds.Sort();
        return (seconds[seconds.Count / 2], bytes);
    }
}
