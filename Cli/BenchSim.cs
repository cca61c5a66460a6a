using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Sure.Sim;
using Sure.Sim.Autoscalers;

namespace Sure.Cli;

/// <summary>
/// `sure bench sim`: simulator throughput on a week of large-2 under DS2 (noise on, monitor on),
/// one thread, and bytes allocated per simulated minute over the steady-state run.
/// </summary>
static class BenchSim
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table" };
        var command = new Command("sim", "Simulator task-minutes per second and allocation per minute");
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var (taskMinutesPerSecond, bytesPerMinute) = Measure();
            if (parse.GetValue(json))
                SimCli.JsonLine(w =>
                {
                    w.WriteString("bench", "sim");
                    w.WriteNumber("task_minutes_per_s", Math.Round(taskMinutesPerSecond));
                    w.WriteNumber("alloc_bytes_per_minute", bytesPerMinute);
                });
            else
            {
                var table = new Table().AddColumn("benchmark").AddColumn(new TableColumn("task-minutes/s").RightAligned())
                    .AddColumn(new TableColumn("bytes/minute").RightAligned());
                table.AddRow("sim: large-2, DS2, one week",
                    taskMinutesPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                    bytesPerMinute.ToString("0.##", CultureInfo.InvariantCulture));
                SimCli.WriteTable(table);
            }
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Runs whole weeks (after half a second of warm-up) until about two seconds have passed. Throughput is
    /// the fastest week's: on a shared machine the other weeks measure the neighbours' load, not the
    /// simulator. Allocation counts every measured week.
    /// </summary>
    public static (double TaskMinutesPerSecond, double BytesPerMinute) Measure()
    {
        var env = new StreamEnvironment(JobCatalog.Load("large-2"), WorkloadTrace.ClarkNet().Workload());
        var policy = new Ds2Autoscaler();
        var parallelism = new int[env.TaskCount];
        policy.Initialize(env, parallelism);
        var warmUp = Stopwatch.StartNew();
        do RunWeek(env, policy, parallelism);                           // JIT tiering and on-stack replacement
        while (warmUp.Elapsed.TotalSeconds < 0.5);
        long minutes = 0;
        double fastest = double.PositiveInfinity;
        long allocated = 0;
        var total = Stopwatch.StartNew();
        do
        {
            long bytes = GC.GetAllocatedBytesForCurrentThread();     // around the simulation only, not this loop's own tier-up
            long started = Stopwatch.GetTimestamp();
            minutes += RunWeek(env, policy, parallelism);
            fastest = Math.Min(fastest, Stopwatch.GetElapsedTime(started).TotalSeconds);
            allocated += GC.GetAllocatedBytesForCurrentThread() - bytes;
        }
        while (total.Elapsed.TotalSeconds < 2);
        return (WorkloadTrace.WeekMinutes * env.TaskCount / fastest, (double)allocated / minutes);
    }

    /// <summary>The steady-state loop: a week of spans and DS2 decisions on the test week.</summary>
    static long RunWeek(StreamEnvironment env, Ds2Autoscaler policy, int[] parallelism)
    {
        Array.Fill(parallelism, env.Options.InitialParallelism);
        env.Reset(WorkloadTrace.WeekMinutes, parallelism, 1);
        for (int span = 0; span < WorkloadTrace.WeekMinutes / env.SpanMinutes; span++)
        {
            env.Step(parallelism);
            policy.Decide(env, parallelism);
        }
        return WorkloadTrace.WeekMinutes;
    }
}
