using Sure.Autodiff;
using static Sure.Cli.Tests.Edit;

namespace Sure.Cli.Tests;

/// <summary>
/// The error contract (docs/errors.md) on crafted bad input: traces, job files, weights, forward inputs, options and
/// output faults. Every case must end with exit code 2 (unless it says otherwise), exactly one line on stderr that
/// names the defect (and the file where there is one), no stack trace, and the scratch folder exactly as it was:
/// no input changed, no output or temporary file left behind.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    /// <summary>A case builds its files in the scratch folder and returns the command line; Expect are fragments of the one line.</summary>
    internal sealed record Case(Func<Scratch, string[]> Arrange, params string[] Expect);

    // A window of 60 minutes of a 120-minute trace keeps the cases that get as far as simulating fast.
    static string[] SimulateTrace(Scratch s, string content) =>
        ["simulate", "--trace", s.Text("trace.csv", content), "--start", "0", "--minutes", "60"];

    static string[] SimulateJobs(Scratch s, string content) =>
        ["simulate", "--job", "j_1", "--jobs-file", s.Text("jobs.csv", content), "--minutes", "60"];

    static string[] SimulateWeights(Scratch s, Func<SafetensorsFile, SafetensorsFile> edit) =>
        ["simulate", "--policy", "sure", "--model", s.Weights(edit: edit), "--minutes", "60"];

    static string[] Forward(Scratch s, Func<SafetensorsFile, SafetensorsFile> edit) =>
        ["forward", "--model", s.ForwardModel(), "--input", s.ForwardInput(edit: edit), "--out", s.PathOf("out.safetensors")];

    /// <summary>`sure train` on small-1 for one iteration of H = 8, with <paramref name="options"/> (name, value pairs) added or replacing those.</summary>
    static string[] Train(Scratch s, params string[] options)
    {
        var values = new Dictionary<string, string> { ["--job"] = "small-1", ["--iterations"] = "1", ["--hidden"] = "8", ["--out"] = s.PathOf("m.safetensors") };
        for (int i = 0; i < options.Length; i += 2) values[options[i]] = options[i + 1];
        return ["train", .. values.SelectMany(pair => new[] { pair.Key, pair.Value })];
    }

    const string GoodPlan = """{"plan":{"nodes":[{"id":"a","parallelism":2,"inputs":[]},{"id":"b","parallelism":2,"inputs":[{"id":"a"}]}]}}""";
    const string GoodMinute = """{"timestamp":"2026-12-01T10:00:00Z","vertices":{"a":{"numRecordsInPerSecond":10,"busyTimeMsPerSecond":500,"pendingRecords":0},"b":{"numRecordsInPerSecond":10,"busyTimeMsPerSecond":500,"pendingRecords":0}}}""";

    static string[] Decide(Scratch s, string plan, string metrics) =>
        ["decide", "--model", s.Weights(), "--plan", s.Text("plan.json", plan), "--metrics", s.Text("metrics.jsonl", metrics)];

    static string Lines(params string[] lines) => string.Concat(lines.Select(l => l + "\n"));

    static string Repeat(string line, int count) => string.Concat(Enumerable.Repeat(line + "\n", count));

    static readonly string GoodJobs = "1,j_1,M1,10,100,0.5,1\n1,j_1,R2_1,20,100,0.5,1\n";

    internal static readonly Dictionary<string, Case> Cases = new()
    {
        // ---- traces: one number per line or time,value; finite, >= 0, <= 1e12, a usable mean, long enough
        ["trace: NaN value"] = new(s => SimulateTrace(s, Repeat("5", 10) + "NaN\n" + Repeat("5", 109)), "trace.csv:11", "not finite"),
        ["trace: Infinity"] = new(s => SimulateTrace(s, "Infinity\n" + Repeat("5", 119)), "trace.csv:1", "not finite"),
        ["trace: -Infinity"] = new(s => SimulateTrace(s, Repeat("5", 50) + "-Infinity\n" + Repeat("5", 69)), "trace.csv:51", "not finite"),
        ["trace: 1e309 overflows to infinity"] = new(s => SimulateTrace(s, Repeat("5", 3) + "1e309\n" + Repeat("5", 116)), "trace.csv:4", "not finite"),
        ["trace: negative value"] = new(s => SimulateTrace(s, Repeat("5", 7) + "-1\n" + Repeat("5", 112)), "trace.csv:8", "negative"),
        ["trace: one 1e308 value"] = new(s => SimulateTrace(s, Repeat("100", 60) + "1e308\n" + Repeat("100", 59)), "trace.csv:61", "above the limit"),
        ["trace: 1e13 value"] = new(s => SimulateTrace(s, Repeat("100", 119) + "1e13\n"), "trace.csv:120", "above the limit"),
        ["trace: denormals"] = new(s => SimulateTrace(s, Repeat("1e-310", 120)), "trace.csv", "mean", "below"),
        ["trace: all zero"] = new(s => SimulateTrace(s, Repeat("0", 120)), "trace.csv", "mean is 0"),
        ["trace: empty file"] = new(s => SimulateTrace(s, ""), "trace.csv", "no values"),
        ["trace: header only"] = new(s => SimulateTrace(s, "time,value\n"), "trace.csv", "no values"),
        ["trace: blank line inside"] = new(s => SimulateTrace(s, Repeat("5", 30) + "\n" + Repeat("5", 90)), "trace.csv:31", "empty line"),
        ["trace: word in a later line"] = new(s => SimulateTrace(s, Repeat("5", 2) + "abc\n" + Repeat("5", 117)), "trace.csv:3", "not a number"),
        ["trace: hex number"] = new(s => SimulateTrace(s, Repeat("5", 5) + "0x10\n" + Repeat("5", 114)), "trace.csv:6", "not a number"),
        ["trace: csv with a bad last column"] = new(s => SimulateTrace(s, "t,v\n" + Repeat("1,5", 5) + "2,x\n" + Repeat("3,5", 114)), "trace.csv:7", "not a number"),
        ["trace: arabic digits"] = new(s => SimulateTrace(s, Repeat("5", 4) + "\u0661\u0662\n" + Repeat("5", 115)), "trace.csv:5", "not a number"),
        ["trace: a lone minus"] = new(s => SimulateTrace(s, Repeat("5", 9) + "-\n" + Repeat("5", 110)), "trace.csv:10", "not a number"),
        ["trace: no line breaks"] = new(s => SimulateTrace(s, new string('7', 10_000)), "trace.csv:1", "longer than"),
        ["trace: binary bytes"] = new(s => ["simulate", "--trace", s.Bytes("trace.csv", [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 7 % 251 + 1)).Where(b => b is not (10 or 13))]), "--start", "0", "--minutes", "60"], "trace.csv:1", "longer than"),
        ["trace: shorter than the window"] = new(s => SimulateTrace(s, Repeat("5", 30)), "outside the trace", "trace.csv"),
        ["trace: window past the end"] = new(s => ["simulate", "--trace", s.Trace(), "--start", "100", "--minutes", "60"], "outside the trace", "trace.csv"),
        ["trace: missing file"] = new(s => ["simulate", "--trace", s.PathOf("none.csv")], "none.csv", "cannot open"),
        ["trace: a folder"] = new(s => ["simulate", "--trace", s.Dir], "cannot open"),
        ["trace: eval needs a test week"] = new(s => ["eval", "--job", "small-1", "--policies", "static", "--trace", s.Trace()], "trace.csv", "test week"),
        ["trace: train needs a week and a day"] = new(s => Train(s, "--trace", s.Trace()), "120 minutes", "validation day"),
        ["trace: eval of a NaN trace"] = new(s => ["eval", "--job", "small-1", "--policies", "static", "--trace", s.Text("trace.csv", "NaN\n")], "trace.csv:1", "not finite"),

        // ---- job files: 7 columns, finite durations in [0, 1e9] s, DAG-encoded task names with ids 1..n, no cycle
        ["jobs: too few columns"] = new(s => SimulateJobs(s, "1,j_1,M1,10\n"), "jobs.csv:1", "7 comma-separated columns"),
        ["jobs: too many columns"] = new(s => SimulateJobs(s, GoodJobs + "1,j_1,M3,10,1,1,1,9\n"), "jobs.csv:3", "7 comma-separated columns"),
        ["jobs: NaN duration"] = new(s => SimulateJobs(s, "1,j_1,M1,NaN,100,0.5,1\n"), "jobs.csv:1", "duration 'NaN'"),
        ["jobs: infinite duration"] = new(s => SimulateJobs(s, GoodJobs + "1,j_1,M3_2,Infinity,100,0.5,1\n"), "jobs.csv:3", "duration 'Infinity'"),
        ["jobs: negative duration"] = new(s => SimulateJobs(s, "1,j_1,M1,-5,100,0.5,1\n"), "jobs.csv:1", "negative duration"),
        ["jobs: 1e308 s duration"] = new(s => SimulateJobs(s, "1,j_1,M1,1e308,100,0.5,1\n1,j_1,R2_1,10,100,0.5,1\n"), "jobs.csv:1", "above the limit"),
        ["jobs: duration not a number"] = new(s => SimulateJobs(s, "1,j_1,M1,ten,100,0.5,1\n"), "jobs.csv:1", "not a number"),
        ["jobs: empty job name"] = new(s => SimulateJobs(s, GoodJobs + "1,,M1,10,100,0.5,1\n"), "jobs.csv:3", "empty job name"),
        ["jobs: empty line"] = new(s => SimulateJobs(s, "1,j_1,M1,10,100,0.5,1\n\n1,j_1,R2_1,20,100,0.5,1\n"), "jobs.csv:2", "empty line"),
        ["jobs: a cycle"] = new(s => SimulateJobs(s, "1,j_1,M1_2,10,100,0.5,1\n1,j_1,R2_1,20,100,0.5,1\n"), "jobs.csv", "cycle"),
        ["jobs: its own parent"] = new(s => SimulateJobs(s, "1,j_1,M1_1,10,100,0.5,1\n"), "jobs.csv", "cycle"),
        ["jobs: missing parent"] = new(s => SimulateJobs(s, "1,j_1,M1,10,100,0.5,1\n1,j_1,R2_7,20,100,0.5,1\n"), "jobs.csv:2", "missing parent 7"),
        ["jobs: repeated task id"] = new(s => SimulateJobs(s, "1,j_1,M1,10,100,0.5,1\n1,j_1,R1,20,100,0.5,1\n"), "jobs.csv:2", "repeats line 1"),
        ["jobs: task id 0"] = new(s => SimulateJobs(s, "1,j_1,M0,10,100,0.5,1\n"), "jobs.csv:1", "outside"),
        ["jobs: task id past int"] = new(s => SimulateJobs(s, "1,j_1,M99999999999,10,100,0.5,1\n"), "jobs.csv:1", "outside"),
        ["jobs: a gap in the ids"] = new(s => SimulateJobs(s, "1,j_1,M1,10,100,0.5,1\n1,j_1,R3_1,20,100,0.5,1\n"), "jobs.csv:2", "task 2 is missing"),
        ["jobs: no such job"] = new(s => ["simulate", "--job", "j_9", "--jobs-file", s.Jobs()], "jobs.csv", "no job 'j_9'"),
        ["jobs: no DAG-encoded task"] = new(s => SimulateJobs(s, "1,j_1,task_abc,10,100,0.5,1\n"), "jobs.csv", "no task with a DAG-encoded name"),
        ["jobs: empty file"] = new(s => SimulateJobs(s, ""), "jobs.csv", "no job 'j_1'"),
        ["jobs: no line breaks"] = new(s => SimulateJobs(s, new string(',', 9000)), "jobs.csv:1", "longer than"),
        ["jobs: missing file"] = new(s => ["simulate", "--jobs-file", s.PathOf("none.csv")], "none.csv", "cannot open"),
        ["jobs: a folder"] = new(s => ["simulate", "--jobs-file", s.Dir], "cannot open"),
        ["jobs: a bad row in another job"] = new(s => SimulateJobs(s, GoodJobs + "1,j_2,M1,-3,100,0.5,1\n"), "jobs.csv:3", "negative duration"),
        ["jobs: random:0"] = new(_ => ["simulate", "--job", "random:0"], "bad job 'random:0'"),
        ["jobs: random:2147483647"] = new(_ => ["simulate", "--job", "random:2147483647"], "bad job 'random:2147483647'", "100000"),
        ["jobs: random:100001"] = new(_ => ["simulate", "--job", "random:100001"], "bad job"),
        ["jobs: random:-1"] = new(_ => ["simulate", "--job", "random:-1"], "bad job"),
        ["jobs: random:abc"] = new(_ => ["simulate", "--job", "random:abc"], "bad job"),
        ["jobs: random:5:x"] = new(_ => ["simulate", "--job", "random:5:x"], "bad job"),
        ["jobs: random:5:1:2"] = new(_ => ["simulate", "--job", "random:5:1:2"], "bad job"),
        ["jobs: unknown name"] = new(_ => ["simulate", "--job", "no-such-job"], "no job 'no-such-job'"),
        ["jobs: train on a bad job file"] = new(s => Train(s, "--job", "j_1", "--jobs-file", s.Text("jobs.csv", "1,j_1,M1,NaN,1,1,1\n")), "jobs.csv:1", "duration"),

        // ---- weights: safetensors well formed, config within its limits, every parameter present with its shape, all finite
        ["weights: NaN in head.weight"] = new(s => SimulateWeights(s, f => Float(f, "head.weight", 3, float.NaN)), "w.safetensors", "head.weight", "non-finite", "index 3"),
        ["weights: +Inf in sage.0.weight"] = new(s => SimulateWeights(s, f => Float(f, "sage.0.weight", 0, float.PositiveInfinity)), "w.safetensors", "sage.0.weight", "non-finite"),
        ["weights: -Inf in nvss.mu.bias"] = new(s => SimulateWeights(s, f => Float(f, "nvss.mu.bias", 0, float.NegativeInfinity)), "nvss.mu.bias", "non-finite"),
        ["weights: NaN in head.log_std"] = new(s => SimulateWeights(s, f => Float(f, "head.log_std", 0, float.NaN)), "head.log_std", "non-finite"),
        ["weights: H = 100000 in a small file"] = new(s => SimulateWeights(s, f => Config(f, "H", "100000")), "w.safetensors", "H = 100000"),
        ["weights: L = 0"] = new(s => SimulateWeights(s, f => Config(f, "L", "0")), "w.safetensors", "L = 0"),
        ["weights: E = 1000"] = new(s => SimulateWeights(s, f => Config(f, "E", "1000")), "E = 1000"),
        ["weights: K_max = int max"] = new(s => SimulateWeights(s, f => Config(f, "K_max", "2147483647")), "K_max = 2147483647"),
        ["weights: k2 = -1"] = new(s => SimulateWeights(s, f => Config(f, "k2", "-1")), "k2 = -1"),
        ["weights: k1 and k2 too large for the job"] = new(s => SimulateWeights(s, f => Config(Config(f, "k1", "10080"), "k2", "1024")), "does not fit job small-1", "subgraph edges"),
        ["weights: p_max = 0"] = new(s => SimulateWeights(s, f => Config(f, "p_max", "0")), "p_max = 0"),
        ["weights: config not JSON"] = new(s => SimulateWeights(s, f => { var c = Replace(f, ""); c.Metadata["config"] = "{H: 8"; return c; }), "w.safetensors", "not valid JSON"),
        ["weights: a missing parameter"] = new(s => SimulateWeights(s, f => Replace(f, "head.bias")), "w.safetensors", "head.bias is missing"),
        ["weights: a wrong shape"] = new(s => SimulateWeights(s, f => Floats(f, "head.weight", new float[9], 9)), "head.weight has shape [9]"),
        ["weights: an extra tensor"] = new(s => SimulateWeights(s, f => Replace(f, "extra", c => c.Add("extra", new float[2], 2))), "extra", "not a parameter"),
        ["weights: an I32 parameter"] = new(s => SimulateWeights(s, f => Ints(f, "head.bias", [1], 1)), "w.safetensors", "head.bias"),
        ["weights: a truncated file"] = new(s => ["simulate", "--policy", "sure", "--model", s.Bytes("w.safetensors", File.ReadAllBytes(s.Weights("full.safetensors"))[..^10])], "w.safetensors"),
        ["weights: an empty file"] = new(s => ["simulate", "--policy", "sure", "--model", s.Bytes("w.safetensors", [])], "w.safetensors"),
        ["weights: an absurd header length"] = new(s => ["simulate", "--policy", "sure", "--model", s.Bytes("w.safetensors", [.. BitConverter.GetBytes(ulong.MaxValue), .. new byte[16]])], "w.safetensors", "absurd"),
        ["weights: a text file"] = new(s => ["simulate", "--policy", "sure", "--model", s.Text("w.safetensors", "these are not weights\n")], "w.safetensors"),
        ["weights: missing file"] = new(s => ["simulate", "--policy", "sure", "--model", s.PathOf("none.safetensors")], "none.safetensors", "cannot be read"),
        ["weights: a folder"] = new(s => ["simulate", "--policy", "sure", "--model", s.Dir], "cannot be read"),
        ["weights: eval with NaN weights"] = new(s => ["eval", "--job", "small-1", "--policies", "sure", "--model", s.Weights(edit: f => Float(f, "disc.weight", 5, float.NaN))], "disc.weight", "non-finite"),
        ["weights: forward with NaN weights"] = new(s => ["forward", "--model", s.Weights(edit: f => Float(f, "sage.1.bias", 2, float.NaN)), "--input", s.ForwardInput(), "--out", s.PathOf("out.safetensors")], "sage.1.bias", "non-finite"),
        ["weights: forward with H = 100000"] = new(s => ["forward", "--model", s.Weights(edit: f => Config(f, "H", "100000")), "--input", s.ForwardInput(), "--out", s.PathOf("out.safetensors")], "H = 100000"),
        ["weights: policy sure without a model"] = new(_ => ["simulate", "--policy", "sure"], "needs --model"),

        // ---- forward inputs (SPEC 8): finite S, x, y; k1, k2 within limits; shapes that fit
        ["input: NaN in S"] = new(s => Forward(s, f => Float(f, "S", 17, float.NaN)), "in.safetensors", "tensor S", "non-finite", "index 17"),
        ["input: Inf in S"] = new(s => Forward(s, f => Float(f, "S", 0, float.PositiveInfinity)), "tensor S", "non-finite"),
        ["input: -Inf in x"] = new(s => Forward(s, f => Float(f, "x", 4, float.NegativeInfinity)), "tensor x", "non-finite"),
        ["input: NaN in y"] = new(s => Forward(s, f => Float(f, "y", 100, float.NaN)), "tensor y", "non-finite"),
        ["input: k1 = 0"] = new(s => Forward(s, f => Ints(f, "k1", [0], 1)), "k1 = 0"),
        ["input: k1 = int max"] = new(s => Forward(s, f => Ints(f, "k1", [int.MaxValue], 1)), "k1 = 2147483647", "limits"),
        ["input: k2 = -1"] = new(s => Forward(s, f => Ints(f, "k2", [-1], 1)), "k2 = -1"),
        ["input: k2 = int max"] = new(s => Forward(s, f => Ints(f, "k2", [int.MaxValue], 1)), "k2 = 2147483647", "limits"),
        ["input: k1 and k2 too large together"] = new(s => Forward(s, f => Ints(Ints(f, "k1", [10080], 1), "k2", [1024], 1)), "subgraph edges", "limit"),
        ["input: k1 of two values"] = new(s => Forward(s, f => Ints(f, "k1", [2, 2], 2)), "k1 has shape [2]"),
        ["input: S of rank 3"] = new(s => Forward(s, f => Floats(f, "S", new float[4 * 12 * 32], 4, 12, 32)), "S has shape [4, 12, 32]"),
        ["input: S with D = 7"] = new(s => Forward(s, f => Floats(f, "S", new float[4 * 12 * 4 * 7], 4, 12, 4, 7)), "D = 7"),
        ["input: nbr of the wrong shape"] = new(s => Forward(s, f => Ints(f, "nbr", new int[8], 4, 2)), "nbr has shape [4, 2]"),
        ["input: edges of the wrong shape"] = new(s => Forward(s, f => Ints(f, "edges", new int[9], 3, 3)), "edges has shape [3, 3]"),
        ["input: nbr with a gap in the padding"] = new(s => Forward(s, f => Ints(f, "nbr", [-1, 2, -1, 0, -1, -1, 1, -1, -1, 2, -1, -1], 4, 3)), "in.safetensors", "padding"),
        ["input: x missing"] = new(s => Forward(s, f => Replace(f, "x")), "in.safetensors", "'x' is missing"),
        ["input: S as I32"] = new(s => Forward(s, f => Ints(f, "S", new int[4 * 12 * 4 * 8], 4, 12, 4, 8)), "in.safetensors", "S"),
        ["input: x of the wrong shape"] = new(s => Forward(s, f => Floats(f, "x", new float[4 * 12 * 3], 4, 12, 3)), "x has shape [4, 12, 3]"),
        ["input: missing file"] = new(s => ["forward", "--model", s.ForwardModel(), "--input", s.PathOf("none.safetensors"), "--out", s.PathOf("out.safetensors")], "none.safetensors", "cannot be read"),
        ["input: truncated"] = new(s => ["forward", "--model", s.ForwardModel(), "--input", s.Bytes("in.safetensors", File.ReadAllBytes(Scratch.Fixture("chain.input.safetensors"))[..100]), "--out", s.PathOf("out.safetensors")], "in.safetensors"),
        ["input: a model for another D"] = new(s => ["forward", "--model", s.Weights(edit: f => f), "--input", s.ForwardInput(edit: f => Floats(f, "S", new float[4 * 12 * 4 * 11], 4, 12, 4, 11)), "--out", s.PathOf("out.safetensors")], "D = 11"),

        // ---- options: finite, in range, parseable
        ["option: simulate --minutes 0"] = new(_ => ["simulate", "--minutes", "0"], "bad --minutes 0"),
        ["option: simulate --minutes -5"] = new(_ => ["simulate", "--minutes", "-5"], "bad --minutes -5"),
        ["option: simulate --start -1"] = new(_ => ["simulate", "--start", "-1", "--minutes", "10"], "outside the trace"),
        ["option: simulate --start past the end"] = new(_ => ["simulate", "--start", "20160", "--minutes", "10"], "outside the trace"),
        ["option: simulate int max window"] = new(_ => ["simulate", "--start", "2147483647", "--minutes", "2147483647"], "outside the trace"),
        ["option: simulate --noise -1"] = new(_ => ["simulate", "--noise", "-1"], "bad noise"),
        ["option: simulate --noise NaN"] = new(_ => ["simulate", "--noise", "NaN"], "bad noise NaN"),
        ["option: simulate --noise Infinity"] = new(_ => ["simulate", "--noise", "Infinity"], "bad noise"),
        ["option: simulate --noise 1e308"] = new(_ => ["simulate", "--noise", "1e308"], "bad noise"),
        ["option: simulate --noise 4"] = new(_ => ["simulate", "--noise", "4"], "bad noise 4"),
        ["option: simulate --policy bogus"] = new(_ => ["simulate", "--policy", "bogus"], "bad policy 'bogus'"),
        ["option: simulate --policy fixed:0"] = new(_ => ["simulate", "--policy", "fixed:0"], "bad policy 'fixed:0'"),
        ["option: simulate --policy fixed:65"] = new(_ => ["simulate", "--policy", "fixed:65"], "bad policy 'fixed:65'"),
        ["option: simulate --policy fixed:abc"] = new(_ => ["simulate", "--policy", "fixed:abc"], "bad policy"),
        ["option: simulate --policy fixed:2147483648"] = new(_ => ["simulate", "--policy", "fixed:2147483648"], "bad policy"),
        ["option: simulate --minutes abc"] = new(_ => ["simulate", "--minutes", "abc"], "abc", "--minutes"),
        ["option: simulate --minutes 1e99"] = new(_ => ["simulate", "--minutes", "99999999999"], "99999999999"),
        ["option: simulate --seed -1"] = new(_ => ["simulate", "--seed", "-1"], "-1"),
        ["option: simulate unknown option"] = new(_ => ["simulate", "--frobnicate"], "--frobnicate"),
        ["option: simulate --json with a value"] = new(_ => ["simulate", "--json", "maybe"], "maybe"),
        ["option: eval --noise NaN"] = new(_ => ["eval", "--job", "small-1", "--noise", "NaN"], "bad noise"),
        ["option: eval unknown policy"] = new(_ => ["eval", "--job", "small-1", "--policies", "static,bogus"], "bad policy 'bogus'"),
        ["option: eval empty policy"] = new(_ => ["eval", "--job", "small-1", "--policies", "static,,hpa"], "bad policy ''"),
        ["option: eval random:0"] = new(_ => ["eval", "--job", "random:0", "--policies", "static"], "bad job"),
        ["option: train --hidden 100000"] = new(s => Train(s, "--hidden", "100000"), "bad hidden 100000"),
        ["option: train --hidden 0"] = new(s => Train(s, "--hidden", "0"), "bad hidden 0"),
        ["option: train --threads 0"] = new(s => Train(s, "--threads", "0"), "bad threads 0"),
        ["option: train --device nonsense"] = new(s => Train(s, "--device", "nonsense"), "--device nonsense is unavailable", "unknown backend 'nonsense'"),
        ["option: train --device for a baseline"] = new(s => Train(s, "--device", "opencl", "--model", "dream"), "--device runs SURE's loss; dream trains on the CPU tape only"),
        ["option: train --threads 5000"] = new(s => Train(s, "--threads", "5000"), "bad threads 5000"),
        ["option: train --minutes NaN"] = new(s => Train(s, "--minutes", "NaN"), "bad minutes NaN"),
        ["option: train --minutes -1"] = new(s => Train(s, "--minutes", "-1"), "bad minutes -1"),
        ["option: train --mi NaN"] = new(s => Train(s, "--mi", "NaN"), "bad mi NaN"),
        ["option: train --mi -1"] = new(s => Train(s, "--mi", "-1"), "bad mi -1"),
        ["option: train --lr Infinity"] = new(s => Train(s, "--lr", "Infinity"), "bad lr"),
        ["option: train --lr -1"] = new(s => Train(s, "--lr", "-1"), "bad lr -1"),
        ["option: train --dead-band NaN"] = new(s => Train(s, "--dead-band", "NaN"), "bad dead-band NaN"),
        ["option: train --dead-band -0.5"] = new(s => Train(s, "--dead-band", "-0.5"), "bad dead-band -0.5"),
        ["option: train --bootstrap-lr NaN"] = new(s => Train(s, "--bootstrap-lr", "NaN"), "bad bootstrap-lr NaN"),
        ["option: train --iterations -1"] = new(s => Train(s, "--iterations", "-1"), "bad iterations -1"),
        ["option: train random:0"] = new(s => Train(s, "--job", "random:0"), "bad job"),
        ["option: train without --out"] = new(_ => ["train", "--job", "small-1"], "--out"),
        ["option: run --minutes NaN"] = new(s => ["run", "--out-dir", s.PathOf("out"), "--minutes", "NaN"], "bad --minutes NaN"),
        ["option: run --minutes Infinity"] = new(s => ["run", "--out-dir", s.PathOf("out"), "--minutes", "Infinity"], "bad --minutes"),
        ["option: run --noise 5"] = new(s => ["run", "--out-dir", s.PathOf("out"), "--noise", "5"], "bad noise 5"),
        ["option: run --iterations 0"] = new(s => ["run", "--out-dir", s.PathOf("out"), "--iterations", "0"], "bad --iterations 0"),
        ["option: run random:0"] = new(s => ["run", "--out-dir", s.PathOf("out"), "--job", "random:0"], "bad job"),
        ["option: bench gemm --sizes 60000"] = new(_ => ["bench", "gemm", "--sizes", "60000"], "sure bench gemm", "4096"),
        ["option: bench gemm --sizes 0"] = new(_ => ["bench", "gemm", "--sizes", "0"], "sure bench gemm", "1..4096"),
        ["option: bench gemm --sizes abc"] = new(_ => ["bench", "gemm", "--sizes", "abc"], "sure bench gemm", "integers"),
        ["option: bench gemm --sizes empty"] = new(_ => ["bench", "gemm", "--sizes", ","], "sure bench gemm"),
        ["option: bench gemm --sizes past int"] = new(_ => ["bench", "gemm", "--sizes", "99999999999"], "sure bench gemm"),
        ["option: bench gemm --threads 0"] = new(_ => ["bench", "gemm", "--sizes", "8", "--threads", "0"], "bad threads 0"),
        ["option: bench gemm --threads 100000"] = new(_ => ["bench", "gemm", "--sizes", "8", "--threads", "100000"], "bad threads 100000"),
        ["option: bench infer --tasks 0"] = new(_ => ["bench", "infer", "--tasks", "0"], "sure bench infer", "1..100000"),
        ["option: bench infer --tasks 200000"] = new(_ => ["bench", "infer", "--tasks", "200000"], "sure bench infer", "1..100000"),
        ["option: bench infer --seconds NaN"] = new(_ => ["bench", "infer", "--tasks", "6", "--seconds", "NaN"], "bad --seconds NaN"),
        ["option: bench infer --seconds 1e9"] = new(_ => ["bench", "infer", "--tasks", "6", "--seconds", "1e9"], "bad --seconds"),
        ["option: bench infer --threads 0"] = new(_ => ["bench", "infer", "--tasks", "6", "--threads", "0"], "bad threads 0"),
        ["option: bench infer --device nonsense"] = new(_ => ["bench", "infer", "--tasks", "6", "--device", "nonsense"], "nonsense"),
        ["option: bench train --iterations 0"] = new(_ => ["bench", "train", "--iterations", "0"], "bad --iterations 0"),
        ["option: bench train --threads 0"] = new(_ => ["bench", "train", "--threads", "0"], "bad threads 0"),
        ["option: bench train --device nonsense"] = new(_ => ["bench", "train", "--device", "nonsense"], "--device nonsense is unavailable"),
        ["option: bench train --profile on a device"] = new(_ => ["bench", "train", "--profile", "--device", "opencl"], "--profile times the CPU tape's ops"),
        ["option: forward --device nonsense"] = new(s => ["forward", "--model", s.ForwardModel(), "--input", s.ForwardInput(), "--out", s.PathOf("out.safetensors"), "--device", "nonsense"], "nonsense", "unavailable"),
        ["option: forward --grad on a device"] = new(s => ["forward", "--model", s.ForwardModel(), "--input", s.ForwardInput(), "--out", s.PathOf("out.safetensors"), "--grad", "--device", "opencl"], "--grad needs --device cpu"),
        ["option: forward without --model"] = new(s => ["forward", "--input", s.ForwardInput(), "--out", s.PathOf("out.safetensors")], "--model"),
        ["option: an unknown command"] = new(_ => ["frobnicate"], "frobnicate"),
        ["option: no command"] = new(_ => [], "sure:", "command"),

        // ---- output faults: never over an input, checked before work, IO errors as one line
        ["fault: simulate --trace-out is --trace"] = new(s => ["simulate", "--trace", s.Trace(), "--start", "0", "--minutes", "60", "--trace-out", s.PathOf("trace.csv")], "trace.csv", "--trace-out is also the --trace file"),
        ["fault: simulate --trace-out links to --trace"] = new(s =>
        {
            string trace = s.Trace();
            File.CreateSymbolicLink(s.PathOf("link.csv"), trace);
            return ["simulate", "--trace", trace, "--start", "0", "--minutes", "60", "--trace-out", s.PathOf("link.csv")];
        }, "link.csv", "--trace file"),
        ["fault: simulate --trace-out is --jobs-file"] = new(s => ["simulate", "--job", "j_1", "--jobs-file", s.Jobs(), "--trace-out", s.PathOf("jobs.csv")], "--jobs-file file"),
        ["fault: simulate --trace-out is --model"] = new(s => ["simulate", "--policy", "sure", "--model", s.Weights(), "--trace-out", s.PathOf("w.safetensors")], "--model file"),
        ["fault: simulate --trace-out is a folder"] = new(s => ["simulate", "--minutes", "60", "--trace-out", s.Dir], "is a folder"),
        ["fault: simulate --trace-out in a missing folder"] = new(s => ["simulate", "--minutes", "60", "--trace-out", s.PathOf("missing/t.csv")], "does not exist"),
        ["fault: simulate --trace-out /dev/full"] = new(_ => ["simulate", "--minutes", "60", "--trace-out", "/dev/full"], "/dev/full", "No space left"),
        ["fault: simulate --trace-out in /proc"] = new(_ => ["simulate", "--minutes", "60", "--trace-out", "/proc/sure-trace.csv"], "/proc", "cannot write"),
        ["fault: forward --out is --model"] = new(s => ["forward", "--model", s.ForwardModel(), "--input", s.ForwardInput(), "--out", s.PathOf("m.safetensors")], "m.safetensors", "--model file"),
        ["fault: forward --out is --input"] = new(s => ["forward", "--model", s.ForwardModel(), "--input", s.ForwardInput(), "--out", s.PathOf("in.safetensors")], "in.safetensors", "--input file"),
        ["fault: forward --out links to --model"] = new(s =>
        {
            string model = s.ForwardModel();
            File.CreateSymbolicLink(s.PathOf("link.safetensors"), model);
            return ["forward", "--model", model, "--input", s.ForwardInput(), "--out", s.PathOf("link.safetensors")];
        }, "link.safetensors", "--model file"),
        ["fault: forward --out is a folder"] = new(s => ["forward", "--model", s.ForwardModel(), "--input", s.ForwardInput(), "--out", s.Dir], "folder"),
        ["fault: forward --out in a missing folder"] = new(s => ["forward", "--model", s.ForwardModel(), "--input", s.ForwardInput(), "--out", s.PathOf("missing/o.safetensors")], "o.safetensors", "cannot be written"),
        ["fault: forward --out /dev/full"] = new(s => ["forward", "--model", s.ForwardModel(), "--input", s.ForwardInput(), "--out", "/dev/full"], "/dev/full", "No space left"),
        // ---- sure decide: Flink's job plan and JSON lines of per-minute metrics
        ["decide: plan is not JSON"] = new(s => Decide(s, "{nodes", GoodMinute), "plan.json", "not JSON"),
        ["decide: plan without nodes"] = new(s => Decide(s, """{"plan":{}}""", GoodMinute), "plan.json", "plan.nodes"),
        ["decide: plan node without id"] = new(s => Decide(s, """{"plan":{"nodes":[{"parallelism":2}]}}""", GoodMinute), "plan.json", "plan.nodes[0]", "id"),
        ["decide: plan parallelism 0"] = new(s => Decide(s, GoodPlan.Replace("\"parallelism\":2,\"inputs\":[]", "\"parallelism\":0,\"inputs\":[]"), GoodMinute), "plan.json", "parallelism must be"),
        ["decide: plan parallelism above p_max"] = new(s => Decide(s, GoodPlan.Replace("\"parallelism\":2,\"inputs\":[]", "\"parallelism\":65,\"inputs\":[]"), GoodMinute), "plan.json", "vertex a has parallelism 65"),
        ["decide: plan input is no vertex"] = new(s => Decide(s, GoodPlan.Replace("{\"id\":\"a\"}", "{\"id\":\"z\"}"), GoodMinute), "plan.json", "no task 'z'"),
        ["decide: plan with a cycle"] = new(s => Decide(s, GoodPlan.Replace("\"inputs\":[]", "\"inputs\":[{\"id\":\"b\"}]"), GoodMinute), "plan.json", "cycle"),
        ["decide: plan repeats a vertex"] = new(s => Decide(s, GoodPlan.Replace("\"id\":\"b\",", "\"id\":\"a\","), GoodMinute), "plan.json", "appears twice"),
        ["decide: metrics line 2 is not JSON"] = new(s => Decide(s, GoodPlan, Lines(GoodMinute, "{oops", GoodMinute)), "metrics.jsonl:2", "not JSON"),
        ["decide: metrics without timestamp"] = new(s => Decide(s, GoodPlan, Lines(GoodMinute.Replace("\"timestamp\"", "\"time\""))), "metrics.jsonl:1", "timestamp"),
        ["decide: metrics timestamp not a time"] = new(s => Decide(s, GoodPlan, Lines(GoodMinute, GoodMinute.Replace("2026-12-01T10:00:00Z", "yesterday"))), "metrics.jsonl:2", "timestamp"),
        ["decide: metrics vertex not in the plan"] = new(s => Decide(s, GoodPlan, Lines(GoodMinute.Replace("\"b\":", "\"zz\":"))), "metrics.jsonl:1", "vertex zz is not in the plan"),
        ["decide: metrics value is a string"] = new(s => Decide(s, GoodPlan, Lines(GoodMinute.Replace("\"pendingRecords\":0}}", "\"pendingRecords\":\"0\"}}"))), "metrics.jsonl:1", "pendingRecords must be a number"),
        ["decide: metrics restarting not a bool"] = new(s => Decide(s, GoodPlan, Lines(GoodMinute.Replace("{\"timestamp\"", "{\"restarting\":1,\"timestamp\""))), "metrics.jsonl:1", "restarting"),
        ["decide: metrics vertices not an object"] = new(s => Decide(s, GoodPlan, Lines("""{"timestamp":"2026-12-01T10:00:00Z","vertices":[]}""")), "metrics.jsonl:1", "vertices"),
        ["decide: metrics line is an array"] = new(s => Decide(s, GoodPlan, Lines(GoodMinute, "[1]")), "metrics.jsonl:2", "JSON object"),
        ["decide: metrics file empty"] = new(s => Decide(s, GoodPlan, ""), "metrics.jsonl", "no metrics"),
        ["decide: model missing"] = new(s => ["decide", "--model", s.PathOf("none.safetensors"), "--plan", s.Text("plan.json", GoodPlan), "--metrics", s.Text("metrics.jsonl", GoodMinute)], "none.safetensors"),
        ["decide: cooldown negative"] = new(s => [.. Decide(s, GoodPlan, GoodMinute), "--cooldown", "-1"], "cooldown"),
        ["fault: simulate --metrics-out is --plan-out"] = new(s => ["simulate", "--minutes", "60", "--plan-out", s.PathOf("x.json"), "--metrics-out", s.PathOf("x.json")], "same file"),
        ["fault: simulate --metrics-out is --trace"] = new(s => ["simulate", "--trace", s.Trace(), "--start", "0", "--minutes", "60", "--metrics-out", s.PathOf("trace.csv")], "--metrics-out is also the --trace file"),
        ["fault: forward --out in /proc"] = new(s => ["forward", "--model", s.ForwardModel(), "--input", s.ForwardInput(), "--out", "/proc/sure-out.safetensors"], "/proc/sure-out.safetensors"),
        ["fault: train --out is --trace"] = new(s => Train(s, "--trace", s.Trace(minutes: 12_000), "--out", s.PathOf("trace.csv")), "--out is also the --trace file"),
        ["fault: train --log is --trace"] = new(s => Train(s, "--trace", s.Trace(minutes: 12_000), "--log", s.PathOf("trace.csv")), "--log is also the --trace file"),
        ["fault: train --log is --out"] = new(s => Train(s, "--log", s.PathOf("m.safetensors")), "--log is also the --out file"),
        ["fault: train --out is --jobs-file"] = new(s => Train(s, "--job", "j_1", "--jobs-file", s.Jobs(), "--out", s.PathOf("jobs.csv")), "--jobs-file file"),
        ["fault: train --out is a folder"] = new(s => ["train", "--job", "small-1", "--out", s.Dir, "--log", s.PathOf("m.csv")], "is a folder"),
        ["fault: train --out in a missing folder"] = new(s => ["train", "--job", "small-1", "--out", s.PathOf("missing/m.safetensors")], "does not exist"),
        ["fault: train --log in a missing folder"] = new(s => Train(s, "--log", s.PathOf("missing/m.csv")), "does not exist"),
        ["fault: train --out in /proc"] = new(s => ["train", "--job", "small-1", "--out", "/proc/sure-m.safetensors"], "/proc", "cannot write"),
        ["fault: run --out-dir is a file"] = new(s => ["run", "--out-dir", s.Trace(), "--iterations", "1"], "trace.csv", "cannot write"),
        ["fault: run --out-dir in /proc"] = new(_ => ["run", "--out-dir", "/proc/sure-out", "--iterations", "1"], "/proc/sure-out", "cannot write"),
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Bad_input_is_one_line_exit_2_and_changes_nothing(string name)
    {
        var args = Cases[name].Arrange(_scratch);
        var before = _scratch.Fingerprint();
        var (code, _, error) = CliRunner.Invoke(args);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got:\n{error}");
        Assert.Equal(2, code);
        Assert.StartsWith("sure", lines[0]);
        Assert.DoesNotContain("internal error", lines[0]);
        foreach (var fragment in Cases[name].Expect) Assert.Contains(fragment, lines[0]);
        Assert.Equal(before, _scratch.Fingerprint());
    }

    [Fact]
    public void There_are_at_least_a_hundred_cases_across_every_source()
    {
        Assert.True(Cases.Count >= 100, $"{Cases.Count} cases");
        foreach (var kind in new[] { "trace:", "jobs:", "weights:", "input:", "option:", "fault:" })
            Assert.True(Cases.Keys.Count(k => k.StartsWith(kind, StringComparison.Ordinal)) >= 10, kind);
    }

    [Fact]
    public void Verbose_adds_the_stack_trace_after_the_line()
    {
        var (code, _, error) = CliRunner.Invoke("simulate", "--trace", _scratch.PathOf("none.csv"), "--verbose");
        Assert.Equal(2, code);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("none.csv", lines[0]);
        Assert.Contains(lines, l => l.TrimStart().StartsWith("at Sure.", StringComparison.Ordinal));
    }

    /// <summary>A trace of only tiny values (still above the limits) gives a finite result, and --json writes it.</summary>
    [Fact]
    public void A_tiny_but_valid_trace_gives_finite_json()
    {
        var (code, output, error) = CliRunner.Invoke([.. SimulateTrace(_scratch, Repeat("1e-5", 120)), "--json"]);
        Assert.True(code == 0, error);
        var json = System.Text.Json.JsonDocument.Parse(output).RootElement;
        foreach (var metric in new[] { "reward", "latency_mean_s", "utilization" })
            Assert.True(double.IsFinite(json.GetProperty(metric).GetDouble()), metric);
    }
}
