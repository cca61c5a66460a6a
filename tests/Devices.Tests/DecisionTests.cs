using Sure.Autodiff;
using Sure.Models;
using Sure.Tensors.Devices;
using Sure.Tests;
using Xunit.Abstractions;

namespace Sure.Devices.Tests;

/// <summary>
/// The whole SURE decision on every available backend (<see cref="DeviceDecider"/>) against the CPU
/// <see cref="SureDecider"/>, and `sure forward --device` (<see cref="DeviceForward"/>) against the CPU tape forward.
/// Choices (anchors, neighbours, subgraph nodes and edges, new parallelism) must be identical. Values differ only by
/// rounding: the CPU's GEMM fuses multiply-adds and sums in another order, and the device's exp/log/cos are not .NET's.
/// </summary>
public class DecisionTests(ITestOutputHelper output)
{
    public static TheoryData<string> Backends => TestBackends.Available;

    // Not ilgpu-cpu: ILGPU's CPU accelerator builds a task object per launch in its own launcher, which no caller can
    // avoid (measured here: 29,840 bytes over ten decisions of 14 launches). Every other backend allocates nothing.
    public static TheoryData<string> AllocationFreeBackends
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in TestBackends.AvailableNames.Where(name => name != "ilgpu-cpu")) data.Add(name);
            return data;
        }
    }

    // |m_device - m_cpu| <= 1e-5 (1 + |m|). Observed: below 1e-7 on PoCL and on the CPU backend (every job here, 4 decisions).
    const float MeanTolerance = 1e-5f;

    public static TheoryData<string, string> BackendsAndJobs
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var backend in TestBackends.AvailableNames)
                foreach (var job in new[] { "chain", "deep", "single", "few", "short", "no-neighbours", "random40", "random120" })
                    data.Add(backend, job);
            return data;
        }
    }

    static (SureConfig Config, NeighbourTable Job) MakeJob(string name)
    {
        var defaults = new SureConfig();
        return name switch
        {
            "chain" => (defaults with { H = 16 }, DecisionJob.Table(5, [0, 1, 1, 2, 2, 3, 3, 4])),
            // Three layers (a middle layer that is stored), k2 = 3, a diamond with neighbour-neighbour edges.
            "deep" => (defaults with { H = 12, L = 20, K2 = 3, E = 3 }, DecisionJob.Table(6, [0, 1, 0, 2, 1, 3, 2, 3, 3, 5, 4, 5])),
            "single" => (defaults with { H = 8, L = 12 }, DecisionJob.Table(1, [])),
            // K_i = 1 < k2 = 4.
            "few" => (defaults with { H = 8 }, DecisionJob.Table(2, [0, 1])),
            // L < k1: every snapshot is an anchor, the rest -1; one layer (readout straight after layer 0).
            "short" => (defaults with { H = 8, L = 6, E = 1 }, DecisionJob.Table(4, [0, 1, 0, 2, 0, 3])),
            // k2 = 0: each subgraph is the anchor chain.
            "no-neighbours" => (defaults with { H = 8, K2 = 0 }, DecisionJob.Table(3, [0, 1, 1, 2])),
            "random40" => (defaults, DecisionJob.Table(Sim.RandomDag.Generate(40, 3))),
            "random120" => (defaults, DecisionJob.Table(Sim.RandomDag.Generate(120, 8))),
            _ => throw new ArgumentException(name),
        };
    }

    static void FillRandom(Span<float> values, Random rng)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)rng.NextDouble();
    }

    // Several consecutive decisions, as the simulator makes them: each one overwrites the oldest snapshot, moves the
    // ring's head on, advances the decision index and feeds the new parallelism back.
    [Theory, MemberData(nameof(BackendsAndJobs))]
    public void DecisionsMatchSureDecider(string backendName, string jobName)
    {
        var (config, job) = MakeJob(jobName);
        var model = SureModel<float>.Create(config, seed: 11);
        var cpu = new SureDecider(model.DecisionWeights, job);
        using var device = new DeviceDecider(model, job, TestBackends.Backend(backendName));
        int n = job.Tasks, L = config.L, rowLength = n * config.D;
        var rng = new Random(5);
        var ring = new float[L * rowLength];
        FillRandom(ring, rng);
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = rng.Next(1, config.PMax + 1);
        var (cpuP, deviceP) = (new int[n], new int[n]);
        var anchors = new int[n * config.K1];
        var neighbours = new int[n * config.K1 * config.K2];
        var means = new float[n];
        double worst = 0;

        int oldest = L / 3;
        for (ulong decision = 0; decision < 4; decision++)
        {
            FillRandom(ring.AsSpan(oldest * rowLength, rowLength), rng);
            oldest = (oldest + 1 + 7 * (int)decision) % L;
            cpu.Decide(ring, oldest, p, seed: 42, decision, cpuP);
            device.Decide(ring, oldest, p, seed: 42, decision, deviceP);

            device.DownloadAnchors(anchors);
            device.DownloadNeighbours(neighbours);
            device.DownloadActionMeans(means);
            Assert.Equal(cpu.Anchors.ToArray(), anchors);
            Assert.Equal(cpu.Neighbours.ToArray(), neighbours);
            AssertSameSubgraphs(cpu, device, job, L, oldest);
            for (int i = 0; i < n; i++)
            {
                float expected = cpu.ActionMeans[i];
                worst = Math.Max(worst, Math.Abs(means[i] - expected) / (1 + Math.Abs(expected)));
                Assert.True(Math.Abs(means[i] - expected) <= MeanTolerance * (1 + Math.Abs(expected)),
                    $"decision {decision}, task {i}: m = {means[i]:R} on {backendName}, {expected:R} on the CPU decider");
                // Same new parallelism unless a * p sits on a rounding boundary (the device rounds in float, the CPU in double).
                float scaled = 2f / (1f + MathF.Exp(-expected)) * p[i];
                if (Math.Abs(scaled - MathF.Floor(scaled) - 0.5f) > 1e-3f)
                    Assert.True(cpuP[i] == deviceP[i], $"decision {decision}, task {i}: p' = {deviceP[i]} on {backendName}, {cpuP[i]} on the CPU");
            }
            (p, cpuP) = (cpuP, p);
        }
        output.WriteLine($"{backendName} {jobName}: largest |dm| / (1 + |m|) = {worst:E2}");
    }

    // Node by node: the same (snapshot, task) and the same neighbour list in the same order as SubgraphSampler's CSR.
    static void AssertSameSubgraphs(SureDecider cpu, DeviceDecider device, NeighbourTable job, int L, int oldest)
    {
        var sampler = cpu.Subgraphs;
        int nodes = sampler.NodeCount, width = device.AdjacencyWidth, n = job.Tasks, K = job.K;
        Assert.Equal(nodes, device.Nodes);
        var (ringRow, degree, adjacency) = (new int[nodes], new int[nodes], new int[nodes * width]);
        device.DownloadSubgraphs(ringRow, degree, adjacency);
        var sRows = sampler.NodeRows.Span;
        for (int v = 0; v < nodes; v++)
        {
            int taskTime = sRows[v] / (1 + K), slot = sRows[v] % (1 + K), i = taskTime / L, t = taskTime % L;
            int task = slot == 0 ? i : job.Slots[i * K + slot - 1];
            Assert.True((oldest + t) % L * n + task == ringRow[v], $"node {v}: ring row {ringRow[v]}, expected snapshot {t} of task {task}");
            Assert.Equal(sampler.Graph.Neighbours(v).ToArray(), adjacency.AsSpan(v * width, degree[v]).ToArray());
        }
    }

    [Theory, MemberData(nameof(AllocationFreeBackends))]
    public void SteadyStateDecisionsAllocateNothing(string backendName)
    {
        var (config, job) = (new SureConfig { H = 16 }, DecisionJob.Table(Sim.RandomDag.Generate(12, 1)));
        using var device = new DeviceDecider(SureModel<float>.Create(config, seed: 1), job, TestBackends.Backend(backendName));
        var ring = new float[config.L * job.Tasks * config.D];
        FillRandom(ring, new Random(1));
        var p = new int[job.Tasks];
        var newP = new int[job.Tasks];
        Array.Fill(p, 4);
        ulong decision = 0;
        Assert.Equal(0, Allocations.SteadyState(() => device.Decide(ring, (int)(decision % 60), p, 3, decision++, newP)));
    }

    [Theory, MemberData(nameof(Backends))]
    public void RefreshedParametersAreUsedAndStaleOnesUntilThen(string backendName)
    {
        var (config, job) = MakeJob("chain");
        var model = SureModel<float>.Create(config, seed: 3);
        using var device = new DeviceDecider(model, job, TestBackends.Backend(backendName));
        var ring = new float[config.L * job.Tasks * config.D];
        FillRandom(ring, new Random(2));
        var p = new int[job.Tasks];
        var newP = new int[job.Tasks];
        Array.Fill(p, 8);
        var before = new float[job.Tasks];
        var after = new float[job.Tasks];
        device.Decide(ring, 0, p, 1, 0, newP);
        device.DownloadActionMeans(before);

        model.HeadBias.Value.Span[0] += 0.5f;
        device.Decide(ring, 0, p, 1, 0, newP);
        device.DownloadActionMeans(after);
        Assert.Equal(before, after);   // not uploaded per decision

        device.RefreshParameters();
        device.Decide(ring, 0, p, 1, 0, newP);
        device.DownloadActionMeans(after);
        for (int i = 0; i < job.Tasks; i++) Assert.Equal(before[i] + 0.5f, after[i], 1e-5f);
    }

    [Fact]
    public void GraphCaptureNeedsTheCudaBackend()
    {
        var (config, job) = MakeJob("chain");
        var error = Assert.Throws<ArgumentException>(() =>
            new DeviceDecider(SureModel<float>.Create(config, 1), job, TestBackends.Backend("cpu"), captureGraph: true));
        Assert.Contains("cuda", error.Message);
    }

    // The replayed graph gives bit for bit what the same work enqueued call by call gives, as the ring head, the
    // decision index and the parallelism change; and parameters refreshed after the capture are seen by replays.
    [BackendFact("cuda")]
    public void CudaGraphReplaysGiveThePlainDecisions()
    {
        var backend = TestBackends.Backend("cuda");
        var (config, job) = MakeJob("random120");
        var model = SureModel<float>.Create(config, seed: 5);
        using var plain = new DeviceDecider(model, job, backend);
        using var graph = new DeviceDecider(model, job, backend, captureGraph: true);
        int n = job.Tasks;
        var ring = new float[config.L * n * config.D];
        var rng = new Random(4);
        FillRandom(ring, rng);
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = rng.Next(1, 65);
        var (plainP, graphP) = (new int[n], new int[n]);
        var (plainMeans, graphMeans) = (new float[n], new float[n]);
        for (ulong decision = 0; decision < 5; decision++)
        {
            if (decision == 3)
            {
                model.HeadBias.Value.Span[0] += 1f;
                plain.RefreshParameters();
                graph.RefreshParameters();
            }
            int oldest = (int)(decision * 13 % (ulong)config.L);
            plain.Decide(ring, oldest, p, 9, decision, plainP);
            graph.Decide(ring, oldest, p, 9, decision, graphP);
            plain.DownloadActionMeans(plainMeans);
            graph.DownloadActionMeans(graphMeans);
            Assert.Equal(plainP, graphP);
            Assert.Equal(plainMeans, graphMeans);
            plainP.CopyTo(p, 0);
        }
    }

    public static TheoryData<string, string> BackendsAndForwardCases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var backend in TestBackends.AvailableNames)
                foreach (var name in new[] { "chain", "deep", "single", "short", "padding" })
                    data.Add(backend, name);
            return data;
        }
    }

    // `sure forward --device` against the CPU forward (the tape) on random inputs: S, noises and weights drawn here.
    // Values within 1e-5 (1 + |v|) (omega's padding is -1e30 in both); anchors and neighbours identical.
    [Theory, MemberData(nameof(BackendsAndForwardCases))]
    public void ForwardOnTheDeviceMatchesTheCpuForward(string backendName, string name)
    {
        var (model, input) = ForwardCase(name);
        AssertSameForward(ForwardFiles.Run(model, input, grad: false, useDouble: false),
            DeviceForward.Run(TestBackends.Backend(backendName), model, input), $"{name} on {backendName}");
    }

    public static TheoryData<string, string> BackendsAndCommittedFixtures
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var backend in TestBackends.AvailableNames)
                foreach (var name in new[] { "chain", "diamond", "few", "single", "padding", "short", "ties", "full" })
                    data.Add(backend, name);
            return data;
        }
    }

    // The committed fixtures of tests/fixtures/forward (written by tests/models/sure_reference.py): the device forward
    // against the CPU forward of the same files, within the same 1e-5 (1 + |v|).
    [Theory, MemberData(nameof(BackendsAndCommittedFixtures))]
    public void ForwardOnTheDeviceMatchesTheCpuOnTheCommittedFixtures(string backendName, string name)
    {
        string PathOf(string part) => Path.Combine(AppContext.BaseDirectory, "fixtures", "forward", $"{name}.{part}.safetensors");
        var (model, input) = (SafetensorsFile.Read(PathOf("model")), SafetensorsFile.Read(PathOf("input")));
        AssertSameForward(ForwardFiles.Run(model, input, grad: false, useDouble: false),
            DeviceForward.Run(TestBackends.Backend(backendName), model, input), $"fixture {name} on {backendName}");
    }

    // The command's code path: files in, file out, the backend created from the --device name.
    [Theory, MemberData(nameof(Backends))]
    public void SureForwardWithADeviceWritesTheCpuOutputs(string backendName)
    {
        var dir = Directory.CreateTempSubdirectory("sure-device-forward-").FullName;
        try
        {
            var (model, input) = ForwardCase("padding");
            string Path(string file) => System.IO.Path.Combine(dir, file);
            model.Write(Path("model.safetensors"));
            input.Write(Path("input.safetensors"));
            var error = new StringWriter();
            Assert.Equal(0, ForwardFiles.Execute(Path("model.safetensors"), Path("input.safetensors"), Path("cpu.safetensors"), false, false, error));
            Assert.Equal(0, ForwardFiles.Execute(Path("model.safetensors"), Path("input.safetensors"), Path("device.safetensors"), false, false,
                error, device: backendName));
            Assert.Equal("", error.ToString());
            AssertSameForward(SafetensorsFile.Read(Path("cpu.safetensors")), SafetensorsFile.Read(Path("device.safetensors")), backendName);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    static void AssertSameForward(SafetensorsFile expected, SafetensorsFile actual, string what)
    {
        Assert.Equal(expected.Names.Order(), actual.Names.Order());
        Assert.Equal(expected.GetInt32("anchors").Values, actual.GetInt32("anchors").Values);
        Assert.Equal(expected.GetInt32("neighbors").Values, actual.GetInt32("neighbors").Values);
        foreach (var tensor in new[] { "mu", "sigma", "omega", "h_g", "action_mean" })
        {
            Assert.Equal(expected[tensor].Shape, actual[tensor].Shape);
            var (want, got) = (expected.GetFloat(tensor).Values, actual.GetFloat(tensor).Values);
            for (int e = 0; e < want.Length; e++)
                Assert.True(Math.Abs(got[e] - want[e]) <= 1e-5 * (1 + Math.Abs(want[e])),
                    $"{what}: {tensor}[{e}] = {got[e]:R}, {want[e]:R} on the CPU");
        }
    }

    // A model file and a SPEC 8 input file with random S (padding zero), noises and weights.
    static (SafetensorsFile Model, SafetensorsFile Input) ForwardCase(string name)
    {
        var (config, n, edges, L, k1, k2) = name switch
        {
            "chain" => (new SureConfig { H = 16 }, 4, new[] { 0, 1, 1, 2, 2, 3 }, 12, 5, 2),
            "deep" => (new SureConfig { H = 12, E = 3 }, 6, new[] { 0, 1, 0, 2, 1, 3, 2, 3, 3, 5, 4, 5 }, 10, 4, 3),
            "single" => (new SureConfig { H = 8 }, 1, Array.Empty<int>(), 9, 4, 4),
            "short" => (new SureConfig { H = 8, E = 1 }, 3, new[] { 0, 1, 0, 2 }, 3, 5, 2),
            "padding" => (new SureConfig { H = 32 }, 14, RandomEdges(14, 6), 20, 6, 3),
            _ => throw new ArgumentException(name),
        };
        var table = DecisionJob.Table(n, edges);
        int K = table.K, slots = 1 + K, D = config.D;
        var rng = new Random(name.Length * 31 + n);
        var s = new float[n * L * slots * D];
        for (int i = 0; i < n; i++)
            for (int l = 0; l < L; l++)
                for (int slot = 0; slot <= table.Valid[i]; slot++)
                    FillRandom(s.AsSpan(((i * L + l) * slots + slot) * D, D), rng);
        var (x, y) = (new float[n * L * slots], new float[n * L * slots]);
        for (int e = 0; e < x.Length; e++)
        {
            x[e] = (float)(rng.NextDouble() * 4 - 2);
            y[e] = -MathF.Log(-MathF.Log((float)(rng.NextDouble() * 0.998 + 0.001)));
        }
        var input = new SafetensorsFile();
        input.Add("S", s, n, L, slots, D);
        input.Add("nbr", table.Slots, n, K);
        input.Add("edges", edges, edges.Length / 2, 2);
        input.Add("x", x, n, L, slots);
        input.Add("y", y, n, L, slots);
        input.Add("k1", new[] { k1 }, 1);
        input.Add("k2", new[] { k2 }, 1);
        return (SureModel<float>.Create(config, seed: 7).ToSafetensors(), input);
    }

    // A random DAG of n tasks, edges (parent, child) with parent < child.
    static int[] RandomEdges(int n, int seed)
    {
        var rng = new Random(seed);
        var edges = new List<int>();
        for (int child = 1; child < n; child++)
            foreach (int parent in Enumerable.Range(0, child).OrderBy(_ => rng.Next()).Take(rng.Next(1, 3)))
                edges.AddRange([parent, child]);
        return [.. edges];
    }
}
