using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Sure.Autodiff;
using Sure.Models;
using Sure.Models.Baselines;
using Sure.Sim;
using Sure.Tensors;
using Sure.Tensors.Devices;
using Sure.Tensors.Devices.Cuda;

namespace Sure.Cli;

/// <summary>
/// `sure bench infer`: one whole-job decision per call, the C# side of Bench/torch_decision.py: same sizes, jobs,
/// defaults and JSON fields. --device cpu times SureDecider; every other backend (opencl, cuda, ilgpu-*) times DeviceDecider, one call being the
/// ring's upload, the decision and the new parallelism's download (cuda also with the decision replayed as a graph).
/// </summary>
static class BenchInfer
{
    public static Command Create()
    {
        var tasks = new Option<string>("--tasks")
        {
            Description = "Comma-separated job sizes n (a paper job's size is that job: 6 small-1, 16, 25, 32, 40, 46 large-2; others: a seeded random layered DAG)",
            DefaultValueFactory = _ => "6,46,1000",
        };
        var threads = new Option<int>("--threads") { Description = "Threads per GEMM", DefaultValueFactory = _ => 1 };
        var device = new Option<string>("--device")
        {
            Description = "cpu (SureDecider), or opencl, cuda, ilgpu-cpu, ilgpu-cuda, ilgpu-opencl (DeviceDecider: ring up, decision, parallelism down; cuda also as a replayed graph)",
            DefaultValueFactory = _ => "cpu",
        };
        var seconds = new Option<double>("--seconds") { Description = "Measured time per size", DefaultValueFactory = _ => 2.0 };
        var json = new Option<bool>("--json") { Description = "Print one JSON line per size instead of a table" };
        var model = new Option<string>("--model")
        {
            Description = $"Architecture: sure (SureDecider), or a baseline of SPEC 11 ({string.Join(", ", PolicyNetworks.Names.Skip(1))}: its tape forward on an inference tape, CPU only)",
            DefaultValueFactory = _ => PolicyArchitecture.Sure,
        };
        var k1 = new Option<int>("--k1") { Description = "SURE's k1, the snapshots sampled per task (Fig. 4(b) of the paper varies it)", DefaultValueFactory = _ => new SureConfig().K1 };
        var command = new Command("infer", "Microseconds and bytes allocated per whole-job decision of SURE or a baseline") { tasks, threads, device, seconds, json, model, k1 };
        command.SetAction(parseResult =>
        {
            int[] sizes;
            try
            {
                sizes = parseResult.GetValue(tasks)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                Console.Error.WriteLine("sure bench infer: --tasks takes comma-separated integers, e.g. 6,46,1000");
                return 2;
            }
            if (sizes.Length == 0 || sizes.Any(n => n < 1 || n > Sure.Sim.JobCatalog.MaxRandomTasks))
            {
                Console.Error.WriteLine($"sure bench infer: every size must be in 1..{Sure.Sim.JobCatalog.MaxRandomTasks}");
                return 2;
            }
            SimCli.CheckThreads(parseResult.GetValue(threads));
            double measured = parseResult.GetValue(seconds);
            if (!(measured > 0 && measured <= 3600))
                throw new Sure.Sim.SimInputException($"bad --seconds {measured}: a time in (0, 3600]");
            string deviceName = parseResult.GetValue(device)!.Trim().ToLowerInvariant();
            string architecture = parseResult.GetValue(model)!;
            if (!PolicyNetworks.Names.Contains(architecture))
                throw new SimInputException($"bad model '{architecture}': expected {string.Join(", ", PolicyNetworks.Names)}");
            int snapshots = parseResult.GetValue(k1);
            var config = new SureConfig { K1 = snapshots };
            if (snapshots < 1 || snapshots > config.L) throw new SimInputException($"bad k1 {snapshots}: need 1..{config.L} (the span's snapshots)");
            if (architecture != PolicyArchitecture.Sure)
            {
                if (parseResult.GetResult(k1) is { Implicit: false }) throw new SimInputException($"--k1 is SURE's; {architecture} samples no snapshots");
                if (deviceName != "cpu") throw new SimInputException($"bad device '{deviceName}' for {architecture}: the baselines run on the CPU only");
                RunBaseline(architecture, sizes, parseResult.GetValue(json), Math.Max(0.05, measured));
                return 0;
            }
            IComputeBackend? backend = null;
            if (deviceName != "cpu" && !Backends.TryCreate(deviceName, out backend, out var reason))
            {
                Console.Error.WriteLine($"sure bench infer: device {deviceName} is unavailable: {reason}");
                return 2;
            }
            try
            {
                Run(sizes, config, Math.Max(1, parseResult.GetValue(threads)), backend, parseResult.GetValue(json),
                    Math.Max(0.05, parseResult.GetValue(seconds)));
            }
            finally
            {
                backend?.Dispose();
            }
            return 0;
        });
        return command;
    }

    // backend: null for the CPU decider
    static void Run(int[] sizes, SureConfig config, int threadCount, IComputeBackend? backend, bool asJson, double target)
    {
        string deviceName = backend?.Name ?? "cpu";
        bool graphs = backend is CudaBackend;
        var table = new Table().AddColumns("n", "job", "K", "nodes", "median us", "p10 us", "p90 us", "GFLOP/s (SAGE)", "alloc B/decision");
        if (graphs) table.AddColumn("graph median us");
        if (backend is not null) table.Caption(backend.Device);
        // One discarded pass over the first size: in a fresh process the first measurement ran up to 2x slow
        // even after its own warm-up (tiered JIT and PGO still settling); later sizes were not affected.
        Measure(sizes[0], config, threadCount, 0.5, backend, graph: false);
        foreach (int n in sizes)
        {
            var r = Measure(n, config, threadCount, target, backend, graph: false);
            double? graphMedian = graphs ? Measure(n, config, threadCount, target, backend, graph: true).MedianUs : null;
            string Num(double v, string f) => v.ToString(f, CultureInfo.InvariantCulture);
            if (asJson)
            {
                string deviceFields = backend is null ? "" : $",\"device_name\":\"{JsonEncodedText.Encode(backend.Device)}\"";
                string graphField = graphMedian is { } g ? string.Create(CultureInfo.InvariantCulture, $",\"graph_median_us\":{g:F2}") : "";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"bench\":\"infer\",\"device\":\"{deviceName}\"{deviceFields},\"n\":{r.Tasks},\"median_us\":{r.MedianUs:F2}{graphField},\"p10_us\":{r.P10Us:F2},\"p90_us\":{r.P90Us:F2},\"reps\":{r.Reps},\"threads\":{threadCount},\"alloc_bytes_per_decision\":{r.AllocBytes:F0},\"gflops_effective\":{r.Gflops:F2},\"nodes\":{r.Nodes},\"K\":{r.K},\"k1\":{config.K1},\"job\":\"{r.Source}\"}}"));
            }
            else
            {
                var row = new List<string> { r.Tasks.ToString(CultureInfo.InvariantCulture), r.Source, r.K.ToString(CultureInfo.InvariantCulture),
                    r.Nodes.ToString(CultureInfo.InvariantCulture), Num(r.MedianUs, "F1"), Num(r.P10Us, "F1"), Num(r.P90Us, "F1"),
                    Num(r.Gflops, "F2"), Num(r.AllocBytes, "F0") };
                if (graphMedian is { } g) row.Add(Num(g, "F1"));
                table.AddRow(row.ToArray());
            }
        }
        if (!asJson) AnsiConsole.Write(table);
    }

    // A baseline's decision: the monitor's ring (oldest first) into a one-decision batch, the tape forward on an
    // inference tape (its arena reused), and the new parallelism by SPEC 4.4's rule: what BaselineAutoscaler.Decide does.
    static void RunBaseline(string architecture, int[] sizes, bool asJson, double target)
    {
        var table = new Table().AddColumns("model", "n", "job", "median us", "p10 us", "p90 us", "alloc B/decision");
        foreach (int n in sizes)
        {
            var config = new SureConfig();
            var dag = DecisionJob.ForBenchmark(n);
            var network = PolicyNetworks.CreateBaseline(architecture, config, dag, seed: 0);
            var batch = new BaselineBatch<float>(dag, 1, config.L, config.D);
            var tape = new Tape<float>(inference: true);
            var rng = new Random(n);
            var ring = new float[config.L * dag.TaskCount * config.D];
            for (int i = 0; i < ring.Length; i++) ring[i] = (float)rng.NextDouble();
            var p = new int[dag.TaskCount];
            for (int i = 0; i < p.Length; i++) p[i] = rng.Next(1, config.PMax + 1);
            var newP = new int[dag.TaskCount];

            void Decide()
            {
                batch.Fill(0, ring);
                tape.Reset();
                var m = network.ActionMeans(tape, batch).Value.Span;
                for (int i = 0; i < newP.Length; i++) newP[i] = DecisionMath.Rescale(p[i], DecisionMath.Ratio(m[i], 0), config.PMax);
            }

            // Warm up until a call stops getting faster (at least 3 calls and 1 s, at most 5 s): the JIT's final code.
            var clock = Stopwatch.StartNew();
            double best = double.MaxValue, perCall = 0;
            while (clock.Elapsed.TotalSeconds < 5)
            {
                var round = Stopwatch.StartNew();
                int calls = 0;
                while (calls < 3 || round.Elapsed.TotalSeconds < 0.25) { Decide(); calls++; }
                perCall = round.Elapsed.TotalSeconds / calls;
                bool improved = perCall < 0.98 * best;
                best = Math.Min(best, perCall);
                if (!improved && clock.Elapsed.TotalSeconds >= 1) break;
            }
            int reps = (int)Math.Clamp(target / perCall, 5, 200_000);
            var times = new double[reps];
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            for (int r = 0; r < reps; r++)
            {
                long start = Stopwatch.GetTimestamp();
                Decide();
                times[r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }
            double allocated = (double)(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / reps;
            Array.Sort(times);
            double median = times[reps / 2], p10 = times[reps / 10], p90 = times[Math.Min(reps - 1, reps * 9 / 10)];
            if (asJson)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"bench\":\"infer\",\"model\":\"{architecture}\",\"device\":\"cpu\",\"n\":{dag.TaskCount},\"median_us\":{median:F2},\"p10_us\":{p10:F2},\"p90_us\":{p90:F2},\"reps\":{reps},\"threads\":1,\"alloc_bytes_per_decision\":{allocated:F0},\"job\":\"{dag.Name}\"}}"));
            else
                table.AddRow(architecture, n.ToString(CultureInfo.InvariantCulture), Markup.Escape(dag.Name), median.ToString("F1", CultureInfo.InvariantCulture),
                    p10.ToString("F1", CultureInfo.InvariantCulture), p90.ToString("F1", CultureInfo.InvariantCulture), allocated.ToString("F0", CultureInfo.InvariantCulture));
        }
        if (!asJson) AnsiConsole.Write(table);
    }

    record Result(int Tasks, string Source, int K, int Nodes, double MedianUs, double P10Us, double P90Us, int Reps, double AllocBytes, double Gflops);

    // Like torch_decision.py: warm up, then time single calls for about `target` seconds and take the median. The
    // noise changes every call (decision index = call number), as fresh draws do in torch. The warm-up runs until
    // the time per call stops improving (at least 1 s, at most 5 s), not torch's fixed 0.3 s: .NET's tiered JIT
    // (with PGO instrumentation first) reaches its final code only after some seconds of a new method mix, and a
    // fixed short warm-up measured the first size of a run at up to 4x its steady state.
    static Result Measure(int n, SureConfig config, int threads, double target, IComputeBackend? backend, bool graph)
    {
        // The defaults (L=60, D=8, H=64, E=2, k2=4, K_max=32) with the chosen k1 (10 unless --k1).
        var dag = DecisionJob.ForBenchmark(n);
        var (source, tasks) = (dag.Name, dag.TaskCount);
        var job = DecisionJob.Table(dag, config.C, config.KMax);
        var model = SureModel<float>.Create(config, seed: 0);
        var cpu = backend is null ? new SureDecider(model.DecisionWeights, job, threads) : null;
        using var device = backend is null ? null : new DeviceDecider(model, job, backend, graph);
        var rng = new Random(n);
        var ring = new float[config.L * tasks * config.D];
        for (int i = 0; i < ring.Length; i++) ring[i] = (float)rng.NextDouble();
        var p = new int[tasks];
        for (int i = 0; i < tasks; i++) p[i] = rng.Next(1, config.PMax + 1);
        var newP = new int[tasks];

        // A local function, not a lambda: no delegate, so nothing is allocated per call here.
        void Decide(int oldest, ulong decision)
        {
            if (device is not null) device.Decide(ring, oldest, p, 0, decision, newP);
            else cpu!.Decide(ring, oldest, p, 0, decision, newP);
        }
        int Nodes() => device?.Nodes ?? cpu!.Subgraphs.NodeCount;

        ulong decision = 0;
        var clock = Stopwatch.StartNew();
        double best = double.MaxValue, perCall = 0;
        while (clock.Elapsed.TotalSeconds < 5)
        {
            var round = Stopwatch.StartNew();
            int calls = 0;
            while (calls < 20 || round.Elapsed.TotalSeconds < 0.25) { Decide(0, decision++); calls++; }
            perCall = round.Elapsed.TotalSeconds / calls;
            bool improved = perCall < 0.98 * best;
            best = Math.Min(best, perCall);
            if (!improved && clock.Elapsed.TotalSeconds >= 1) break;
        }
        int reps = (int)Math.Clamp(target / perCall, 50, 200_000);

        var times = new double[reps];
        long nodeSum = 0, allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int r = 0; r < reps; r++)
        {
            long start = Stopwatch.GetTimestamp();
            Decide((int)(decision % (ulong)config.L), decision++);
            times[r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            nodeSum += Nodes();
        }
        double allocated = (double)(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / reps;
        Array.Sort(times);
        double median = times[reps / 2];
        int nodes = (int)(nodeSum / reps);
        // Counted: the GraphSAGE products only, nodes x 2 H_in x H multiply-adds per layer (2 flops each).
        double flops = 0;
        for (int e = 0; e < config.E; e++) flops += 2.0 * nodes * 2 * config.LayerInput(e) * config.H;
        return new Result(tasks, source, job.K, nodes, median, times[reps / 10], times[Math.Min(reps - 1, reps * 9 / 10)], reps,
            allocated, flops / (median * 1e-6) / 1e9);
    }
}
