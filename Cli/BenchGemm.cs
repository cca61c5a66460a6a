using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Sure.Tensors;

namespace Sure.Cli;

/// <summary>`sure bench gemm`: square float GEMM throughput, n x n x n for each size.</summary>
static class BenchGemm
{
    /// <summary>Largest n: three n x n float matrices of 64 MiB each, and n * n stays far from int overflow.</summary>
    public const int MaxSize = 4096;

    public static Command Create()
    {
        var sizes = new Option<string>("--sizes")
        {
            Description = "Comma-separated square sizes n (product n x n x n)",
            DefaultValueFactory = _ => "64,256,768",
        };
        var threads = new Option<int>("--threads") { Description = "Threads per product", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print one JSON line per size instead of a table" };
        var command = new Command("gemm", "Float GEMM GFLOP/s on square matrices") { sizes, threads, json };
        command.SetAction(parseResult =>
        {
            int[] ns;
            try
            {
                ns = parseResult.GetValue(sizes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                Console.Error.WriteLine("sure bench gemm: --sizes takes comma-separated integers, e.g. 64,256,768");
                return 2;
            }
            if (ns.Length == 0 || ns.Any(n => n < 1 || n > MaxSize))
            {
                Console.Error.WriteLine($"sure bench gemm: every size must be in 1..{MaxSize}");
                return 2;
            }
            int threadCount = parseResult.GetValue(threads);
            SimCli.CheckThreads(threadCount);
            bool asJson = parseResult.GetValue(json);

            var table = new Table().AddColumns("n", "threads", "best ms", "GFLOP/s", "allocated B/call");
            foreach (int n in ns)
            {
                (double seconds, double bytesPerCall) = BestSeconds(n, threadCount);
                double gflops = 2.0 * n * n * n / seconds / 1e9;
                if (asJson)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"bench\":\"gemm\",\"n\":{n},\"gflops\":{gflops:F1}}}"));
                else
                    table.AddRow(n.ToString(CultureInfo.InvariantCulture), threadCount.ToString(CultureInfo.InvariantCulture),
                        (seconds * 1e3).ToString("F3", CultureInfo.InvariantCulture), gflops.ToString("F1", CultureInfo.InvariantCulture),
                        bytesPerCall.ToString("F0", CultureInfo.InvariantCulture));
            }
            if (!asJson) AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    // Best per-call time over batches of about 25 ms each, for about 0.6 s after a warm-up: the best
    // batch is the least disturbed by other processes on a shared machine. Also returns the bytes
    // allocated per call on all threads (worker threads allocate when threads > 1).
    static (double Seconds, double BytesPerCall) BestSeconds(int n, int threads)
    {
        var rng = new Random(n);
        var a = new float[n * n];
        var b = new float[n * n];
        var c = new float[n * n];
        for (int i = 0; i < a.Length; i++) { a[i] = (float)rng.NextDouble() - 0.5f; b[i] = (float)rng.NextDouble() - 0.5f; }

        void Once() => Gemm.Multiply<float>(a, false, b, false, c, n, n, n, threads: threads);
        var clock = Stopwatch.StartNew();
        int warmups = 0;
        while (warmups < 3 || clock.Elapsed.TotalSeconds < 0.15) { Once(); warmups++; }
        double perCall = clock.Elapsed.TotalSeconds / warmups;
        int batch = Math.Max(1, (int)(0.025 / perCall));

        double best = double.MaxValue;
        long calls = 0, allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        clock.Restart();
        while (clock.Elapsed.TotalSeconds < 0.6)
        {
            long start = Stopwatch.GetTimestamp();
            for (int r = 0; r < batch; r++) Once();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds / batch);
            calls += batch;
        }
        return (best, (double)(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / calls);
    }
}
