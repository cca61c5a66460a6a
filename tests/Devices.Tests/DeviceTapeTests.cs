using Sure.Autodiff;
using Sure.Autodiff.Device;
using Sure.Tensors;
using Sure.Tensors.Devices;

namespace Sure.Devices.Tests;

/// <summary>
/// The device tape against the CPU tape (Autodiff's Tape&lt;float&gt;, itself checked against float64 finite differences
/// and PyTorch): for every op, on every available backend, the value of op(inputs) and the gradient of
/// sum(op(inputs) * w) (w random, so every output element carries a different weight) with respect to every input.
/// Tolerance: |device - cpu| &lt;= 2e-5 (1 + |cpu|), a few float roundings of the O(1) values here (the summation
/// orders differ: products with ones, GEMM tiles); a wrong formula is off by O(1).
/// </summary>
public class DeviceTapeTests
{
    public static TheoryData<string> Backends => TestBackends.Available;

    // An op case: input shapes (with value ranges), the op on each tape.
    sealed record Case(string Name, (int[] Shape, float Lo, float Hi)[] Inputs,
        Func<Tape<float>, Var<float>[], Var<float>> Cpu, Func<DeviceTape, DeviceVar[], DeviceVar> Device);

    static (int[], float, float) In(params int[] shape) => (shape, -2f, 2f);
    static (int[], float, float) Positive(params int[] shape) => (shape, 0.1f, 3f);

    static readonly int[] Index = [0, 4, 4, 2, 0, 1, 4];
    static readonly int[] Segments = [0, 2, 2, 5, 7];   // the second segment is empty
    // 5 nodes: 0 <- {1, 2}, 1 <- {0}, 2 <- {} (no neighbours), 3 <- {0, 1, 4}, 4 <- {3, 3}
    static readonly Csr Graph = Csr.FromEdges(5, [1, 2, 0, 0, 1, 4, 3, 3], [0, 0, 1, 3, 3, 3, 4, 4], undirected: false);

    static IEnumerable<Case> Cases()
    {
        foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
            yield return new($"MatMul tA={ta} tB={tb}", [In(ta ? [7, 5] : [5, 7]), In(tb ? [3, 7] : [7, 3])],
                (t, v) => t.MatMul(v[0], v[1], ta, tb), (t, v) => t.MatMul(v[0], v[1], ta, tb));
        yield return new("AddBias", [In(6, 4), In(4)], (t, v) => t.AddBias(v[0], v[1]), (t, v) => t.AddBias(v[0], v[1]));
        yield return new("AddBias one column", [In(70, 1), In(1)], (t, v) => t.AddBias(v[0], v[1]), (t, v) => t.AddBias(v[0], v[1]));
        yield return new("Add", [In(3, 5), In(3, 5)], (t, v) => t.Add(v[0], v[1]), (t, v) => t.Add(v[0], v[1]));
        yield return new("Sub", [In(3, 5), In(3, 5)], (t, v) => t.Sub(v[0], v[1]), (t, v) => t.Sub(v[0], v[1]));
        yield return new("Mul", [In(3, 5), In(3, 5)], (t, v) => t.Mul(v[0], v[1]), (t, v) => t.Mul(v[0], v[1]));
        yield return new("Mul of an input by itself", [In(9)], (t, v) => t.Mul(v[0], v[0]), (t, v) => t.Mul(v[0], v[0]));
        yield return new("Scale", [In(4, 3)], (t, v) => t.Scale(v[0], 1.7f), (t, v) => t.Scale(v[0], 1.7f));
        yield return new("Neg", [In(4, 3)], (t, v) => t.Neg(v[0]), (t, v) => t.Neg(v[0]));
        yield return new("AddScalar", [In(4, 3)], (t, v) => t.AddScalar(v[0], 0.3f), (t, v) => t.AddScalar(v[0], 0.3f));
        yield return new("Sigmoid", [In(67)], (t, v) => t.Sigmoid(v[0]), (t, v) => t.Sigmoid(v[0]));
        yield return new("Softplus", [In(67)], (t, v) => t.Softplus(v[0]), (t, v) => t.Softplus(v[0]));
        yield return new("Relu", [In(67)], (t, v) => t.Relu(v[0]), (t, v) => t.Relu(v[0]));
        yield return new("Tanh", [In(67)], (t, v) => t.Tanh(v[0]), (t, v) => t.Tanh(v[0]));
        yield return new("Exp", [In(67)], (t, v) => t.Exp(v[0]), (t, v) => t.Exp(v[0]));
        yield return new("Log", [Positive(67)], (t, v) => t.Log(v[0]), (t, v) => t.Log(v[0]));
        yield return new("Sum", [In(130)], (t, v) => t.Sum(v[0]), (t, v) => t.Sum(v[0]));
        yield return new("Mean", [In(6, 5)], (t, v) => t.Mean(v[0]), (t, v) => t.Mean(v[0]));
        yield return new("SoftmaxRows", [In(4, 70)], (t, v) => t.SoftmaxRows(v[0]), (t, v) => t.SoftmaxRows(v[0]));
        yield return new("GatherRows", [In(5, 3)], (t, v) => t.GatherRows(v[0], Index), (t, v) => t.GatherRows(v[0], Index));
        yield return new("SegmentMean", [In(7, 3)], (t, v) => t.SegmentMean(v[0], Segments), (t, v) => t.SegmentMean(v[0], Segments));
        yield return new("CsrMean", [In(5, 3)], (t, v) => t.CsrMean(v[0], Graph), (t, v) => t.CsrMean(v[0], Graph));
        yield return new("Concat", [In(4, 2), In(4, 3)], (t, v) => t.Concat(v[0], v[1]), (t, v) => t.Concat(v[0], v[1]));
        yield return new("ScaleRows", [In(4, 3), In(4)], (t, v) => t.ScaleRows(v[0], v[1]), (t, v) => t.ScaleRows(v[0], v[1]));
        yield return new("Bilinear", [In(3, 4), In(4, 5), In(2, 5)], (t, v) => t.Bilinear(v[0], v[1], v[2]), (t, v) => t.Bilinear(v[0], v[1], v[2]));
        yield return new("GaussianLogDensity", [In(6), In(6), In(1)],
            (t, v) => t.GaussianLogDensity(v[0], v[1], v[2]), (t, v) => t.GaussianLogDensity(v[0], v[1], v[2]));
        // Views: a reshaped value shares its gradient; a stopped one passes none back.
        yield return new("Reshape and StopGradient", [In(2, 6), In(12)],
            (t, v) => t.Mul(t.Reshape(v[0], 3, 4), t.StopGradient(t.Reshape(v[1], 3, 4))),
            (t, v) => t.Mul(t.Reshape(v[0], 3, 4), t.StopGradient(t.Reshape(v[1], 3, 4))));
    }

    public static TheoryData<string, string> BackendsAndOps
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var backend in TestBackends.AvailableNames)
                foreach (var c in Cases()) data.Add(backend, c.Name);
            return data;
        }
    }

    [Theory, MemberData(nameof(BackendsAndOps))]
    public void OpValueAndGradientsMatchTheCpuTape(string backendName, string op)
    {
        var c = Cases().Single(x => x.Name == op);
        var rng = new Random(op.GetHashCode() & 0xFFFF);
        var inputs = c.Inputs.Select(i => Check.RandomFloats(rng, i.Shape.Aggregate(1, (a, b) => a * b), i.Lo, i.Hi)).ToArray();

        var cpu = new Tape<float>();
        var cpuVars = inputs.Select((x, i) => cpu.Variable(Tensor<float>.FromArray((float[])x.Clone(), c.Inputs[i].Shape))).ToArray();
        var cpuY = c.Cpu(cpu, cpuVars);
        var weights = Check.RandomFloats(rng, cpuY.Value.Length, -1, 1);
        cpu.Backward(cpu.Sum(cpu.Mul(cpuY, cpu.Constant(Tensor<float>.FromArray(weights, ShapeDims(cpuY.Shape))))));

        using var tape = new DeviceTape(TestBackends.Backend(backendName));
        // Twice, with a Reset between: the second pass runs on the pooled buffers of the first (stale values must not leak).
        for (int pass = 0; pass < 2; pass++)
        {
            tape.Reset();
            var vars = inputs.Select((x, i) => tape.Variable(x, new Shape(c.Inputs[i].Shape))).ToArray();
            var y = c.Device(tape, vars);
            Assert.Equal(cpuY.Shape, y.Shape);
            tape.Backward(tape.Sum(tape.Mul(y, tape.Constant(weights, y.Shape))));

            var value = new float[y.Shape.Length];
            y.CopyValueTo(value);
            Close(cpuY.Value.Span, value, $"{op} on {backendName}, value");
            for (int i = 0; i < vars.Length; i++)
            {
                var grad = new float[inputs[i].Length];
                vars[i].CopyGradTo(grad);
                Close(cpuVars[i].Grad.Span, grad, $"{op} on {backendName}, gradient of input {i}");
            }
        }
    }

    [Fact]
    public void EveryOpOfTheSureLossHasACase()
    {
        // The CPU tape ops the SPEC 5 loss records (Models/Model, Models/Training), each with a case above.
        string[] used = ["MatMul", "AddBias", "Add", "Sub", "Mul", "Scale", "Neg", "AddScalar", "Sigmoid", "Softplus", "Relu",
            "Log", "Sum", "SoftmaxRows", "GatherRows", "SegmentMean", "CsrMean", "Concat", "ScaleRows", "Bilinear",
            "GaussianLogDensity", "Reshape", "StopGradient"];
        var names = Cases().Select(c => c.Name).ToArray();
        foreach (var op in used) Assert.Contains(names, n => n.StartsWith(op) || n.Contains(op));
    }

    // Five Adam steps of a small two-layer network, on the device and on the CPU: the parameters agree after every step.
    [Theory, MemberData(nameof(Backends))]
    public void AdamStepsMatchTheCpu(string backendName)
    {
        var rng = new Random(5);
        ParameterSet<float> Network()
        {
            var set = new ParameterSet<float>();
            var r = new Random(9);
            foreach (var (name, dims) in new[] { ("w1", new[] { 4, 8 }), ("b1", new[] { 8 }), ("w2", new[] { 8, 1 }), ("b2", new[] { 1 }) })
            {
                var p = set.Add(name, dims);
                for (int i = 0; i < p.Value.Length; i++) p.Value.Span[i] = (float)(r.NextDouble() - 0.5);
            }
            return set;
        }
        var x = Check.RandomFloats(rng, 16 * 4, -1, 1);
        var target = Check.RandomFloats(rng, 16, -1, 1);

        var cpuSet = Network();
        var adam = new Adam<float>(cpuSet, 0.01f);
        var cpu = new Tape<float>();
        var deviceSet = Network();
        using var parameters = new DeviceParameters(TestBackends.Backend(backendName), deviceSet);
        using var deviceAdam = new DeviceAdam(parameters, 0.01f);
        using var tape = new DeviceTape(parameters.Backend, parameters);
        for (int step = 0; step < 5; step++)
        {
            cpu.Reset();
            cpuSet.ZeroGrad();
            var h = cpu.Tanh(cpu.AddBias(cpu.MatMul(cpu.Constant(Tensor<float>.FromArray(x, 16, 4)), cpu.Param(cpuSet["w1"])), cpu.Param(cpuSet["b1"])));
            var e = cpu.Sub(cpu.AddBias(cpu.MatMul(h, cpu.Param(cpuSet["w2"])), cpu.Param(cpuSet["b2"])), cpu.Constant(Tensor<float>.FromArray(target, 16, 1)));
            cpu.Backward(cpu.Mean(cpu.Mul(e, e)));
            adam.Step();

            tape.Reset();
            parameters.ZeroGrad();
            var dh = tape.Tanh(tape.AddBias(tape.MatMul(tape.Constant(x, new Shape(16, 4)), tape.Param(deviceSet["w1"])), tape.Param(deviceSet["b1"])));
            var de = tape.Sub(tape.AddBias(tape.MatMul(dh, tape.Param(deviceSet["w2"])), tape.Param(deviceSet["b2"])), tape.Constant(target, new Shape(16, 1)));
            tape.Backward(tape.Mean(tape.Mul(de, de)));
            deviceAdam.Step();

            parameters.Download();
            for (int i = 0; i < cpuSet.Count; i++)
                Close(cpuSet[i].Value.Span, deviceSet[i].Value.Span, $"{cpuSet[i].Name} after step {step + 1} on {backendName}", 1e-4);
        }
    }

    [Fact]
    public void MisuseIsRefusedWithTheReason()
    {
        var backend = TestBackends.Backend("cpu");
        using var tape = new DeviceTape(backend);
        var a = tape.Variable([1f, 2f, 3f], new Shape(3));
        var b = tape.Variable([1f, 2f], new Shape(2));
        Assert.Contains("shapes", Assert.Throws<ArgumentException>(() => tape.Add(a, b)).Message);
        Assert.Contains("row 5", Assert.Throws<ArgumentOutOfRangeException>(() => tape.GatherRows(tape.Reshape(a, 3, 1), new[] { 0, 5 })).Message);
        Assert.Contains("without DeviceParameters", Assert.Throws<InvalidOperationException>(() => tape.Param(new Parameter<float>("p", 2))).Message);
        tape.Reset();
        Assert.Contains("before this tape's last Reset", Assert.Throws<ArgumentException>(() => tape.Sum(a)).Message);
    }

    static int[] ShapeDims(Shape s) => Enumerable.Range(0, s.Rank).Select(i => s[i]).ToArray();

    static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what, double tolerance = 2e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance * (1 + Math.Abs(expected[i])),
                $"{what}: [{i}] = {actual[i]}, the CPU tape has {expected[i]}");
    }
}

/// <summary>
/// SURE's training forward (SPEC 4.1-4.4, SureModel.Forward: one definition for both tapes) on the device tape against
/// the CPU tape, on the committed fixtures of tests/fixtures/forward (PyTorch's reference checks the CPU tape there):
/// the same anchors and neighbours, the action means, h_g, and the gradient of sum(action means) for every parameter.
/// </summary>
public class DeviceModelTests
{
    [Theory, MemberData(nameof(DecisionTests.BackendsAndCommittedFixtures), MemberType = typeof(DecisionTests))]
    public void SureForwardAndGradientsOnTheDeviceMatchTheCpuTape(string backendName, string name)
    {
        string PathOf(string part) => Path.Combine(AppContext.BaseDirectory, "fixtures", "forward", $"{name}.{part}.safetensors");
        var cpuModel = Sure.Models.SureModel<float>.FromSafetensors(SafetensorsFile.Read(PathOf("model")));
        var (input, k1, k2) = Sure.Models.ForwardFiles.ReadInput<float>(SafetensorsFile.Read(PathOf("input")), cpuModel.Config);
        var cpu = new Tape<float>();
        var expected = cpuModel.Forward(cpu, input, k1, k2, new SubgraphSampler());
        cpuModel.Parameters.ZeroGrad();
        cpu.Backward(cpu.Sum(expected.ActionMean));

        var model = Sure.Models.SureModel<float>.FromSafetensors(SafetensorsFile.Read(PathOf("model")));
        using var parameters = new DeviceParameters(TestBackends.Backend(backendName), model.Parameters);
        using var tape = new DeviceTape(parameters.Backend, parameters);
        var sampler = new SubgraphSampler();
        var actual = model.Forward(tape, input, k1, k2, sampler);
        tape.Backward(tape.Sum(actual.ActionMean));
        parameters.DownloadGrads();

        string what = $"{name} on {backendName}";
        Assert.Equal(expected.Subgraphs.Anchors.ToArray(), sampler.Anchors.ToArray());
        Assert.Equal(expected.Subgraphs.Neighbours.ToArray(), sampler.Neighbours.ToArray());
        Close(expected.ActionMean.Value.Span, tape.Read(actual.ActionMean), 1e-5, $"{what}: action means");
        Close(expected.Hg.Value.Span, tape.Read(actual.Hg), 1e-5, $"{what}: h_g");
        for (int i = 0; i < model.Parameters.Count; i++)
        {
            var reference = cpuModel.Parameters[i].Grad.Span;
            double scale = 1e-3;
            foreach (float g in reference) scale = Math.Max(scale, Math.Abs(g));
            Close(reference, model.Parameters[i].Grad.Span, 1e-4 * scale, $"{what}: grad.{model.Parameters[i].Name}");
        }
    }

    // SPEC 5's whole loss (policy term with the sampler's log-likelihood, JS-MI, KL; TrainingGradientTests checks it on the
    // CPU tape against float64 finite differences) for a rollout of three decisions on a 3-task job, then two Adam steps
    // (a training update): loss parts and every parameter's gradient and new value as on the CPU tape.
    [Theory, MemberData(nameof(Backends))]
    public void SureLossAndUpdateOnTheDeviceMatchTheCpuTape(string backendName)
    {
        var job = Sure.Sim.JobGraph.Create("tiny", [1, 2, 3], [[], [0], [0]]);
        var neighbours = new Sure.Sim.NeighbourIndex(job);
        int L = 6, D = Sure.Sim.StreamEnvironment.SpecFeatureCount, decisions = 3, n = job.TaskCount;
        var config = new SureConfig { L = L, H = 4, E = 2, K1 = 3, K2 = 1 };
        var snapshots = new float[decisions * L * n * D];
        Philox.FillUniform(5, 0, 0, snapshots.AsSpan());
        var u = new float[decisions * n];
        Philox.FillNormal(5, 1, 0, u.AsSpan());
        double[] advantages = [1.0, -0.7, 0.4, 0.2, 0.9, -1.3, 0.6, -0.1, 0.3];
        var weights = new Sure.Models.Training.LossWeights(BetaG: 1, BetaMi: 0.5, BetaKl: 0.3, UniformSampler: false);

        var cpuModel = Sure.Models.SureModel<float>.Create(config, seed: 3);
        var cpuLoss = new Sure.Models.Training.RolloutLoss<float>(job, neighbours, decisions, L, D);
        var cpuAdam = new Adam<float>(cpuModel.Parameters, 0.01f);
        var cpu = new Tape<float>();

        var model = Sure.Models.SureModel<float>.Create(config, seed: 3);
        var loss = new Sure.Models.Training.RolloutLoss<float>(job, neighbours, decisions, L, D);
        using var parameters = new DeviceParameters(TestBackends.Backend(backendName), model.Parameters);
        using var adam = new DeviceAdam(parameters, 0.01f);
        using var tape = new DeviceTape(parameters.Backend, parameters);
        for (int step = 0; step < 2; step++)
        {
            cpu.Reset();
            cpuModel.Parameters.ZeroGrad();
            cpu.Backward(cpuLoss.Build(cpu, cpuModel, weights, 2, snapshots, u, advantages, seed: 7, firstDecision: 100, out var expected));
            tape.Reset();
            parameters.ZeroGrad();
            tape.Backward(loss.Build(tape, model, weights, 2, snapshots, u, advantages, seed: 7, firstDecision: 100, out var actual));
            string what = $"step {step + 1} on {backendName}";
            Assert.NotEqual(0, expected.MutualInformation);
            Assert.NotEqual(0, expected.Kl);
            foreach (var (e, a, part) in new[] { (expected.Loss, actual.Loss, "loss"), (expected.Policy, actual.Policy, "policy"),
                (expected.MutualInformation, actual.MutualInformation, "MI"), (expected.Kl, actual.Kl, "KL") })
                Assert.True(Math.Abs(a - e) <= 1e-5 * (1 + Math.Abs(e)), $"{what}: {part} {a}, the CPU tape has {e}");
            parameters.DownloadGrads();
            for (int i = 0; i < model.Parameters.Count; i++)
            {
                var reference = cpuModel.Parameters[i].Grad.Span;
                double scale = 1e-3;
                foreach (float g in reference) scale = Math.Max(scale, Math.Abs(g));
                Close(reference, model.Parameters[i].Grad.Span, 1e-4 * scale, $"{what}: grad.{model.Parameters[i].Name}");
            }
            cpuAdam.Step();
            adam.Step();
            parameters.Download();
            for (int i = 0; i < model.Parameters.Count; i++)
                Close(cpuModel.Parameters[i].Value.Span, model.Parameters[i].Value.Span, 1e-5, $"{what}: {model.Parameters[i].Name} after Adam");
        }
    }

    public static TheoryData<string> Backends => TestBackends.Available;

    static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"{what}: [{i}] = {actual[i]}, the CPU tape has {expected[i]}");
    }
}

/// <summary>`sure train --device`: SureTrainer with its loss passes on a backend against the same trainer on the CPU tape.</summary>
public class DeviceTrainerTests
{
    // Not ilgpu-cpu: ILGPU's CPU accelerator simulates every GPU thread (a minute for these two small iterations, 0.2 s
    // on cpu); the trainer's plumbing is the same on every backend, and ilgpu-cpu runs the loss and Adam in DeviceModelTests.
    public static TheoryData<string> Backends
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in TestBackends.AvailableNames.Where(name => name != "ilgpu-cpu")) data.Add(name);
            return data;
        }
    }

    // A bootstrap iteration and a REINFORCE one (small-1, H = 8, 2 rollouts of 2-hour windows): the rollouts, rewards and
    // losses agree, and the weights after each Adam step are the CPU's within float rounding (1e-5 absolute; Adam's steps
    // are 1e-3, so a wrong gradient's sign or scale moves a weight by far more).
    [Theory, MemberData(nameof(Backends))]
    public void TrainingStepsOnTheDeviceMatchTheCpuTape(string backendName)
    {
        var job = Sure.Sim.JobCatalog.Load("small-1");
        var workload = Sure.Sim.WorkloadTrace.ClarkNet().Workload();
        var options = new Sure.Models.Training.TrainOptions
        {
            Iterations = 2, BootstrapIterations = 1, Rollouts = 2, WindowHours = 2, Seed = 9, Threads = 1, ValidationMinutes = 0,
        };
        Sure.Models.SureModel<float> Model() => Sure.Models.SureModel<float>.Create(new SureConfig { H = 8 }, seed: 4);
        var cpuModel = Model();
        var cpu = new Sure.Models.Training.SureTrainer(cpuModel, job, workload, Sure.Sim.SimOptions.Default, options);
        var model = Model();
        using var device = new Sure.Models.Training.SureTrainer(model, job, workload, Sure.Sim.SimOptions.Default, options,
            TestBackends.Backend(backendName));
        for (int step = 0; step < 2; step++)
        {
            var expected = cpu.Step();
            var actual = device.Step();
            Assert.Equal(expected.MeanReward, actual.MeanReward, 1e-9);
            Assert.True(Math.Abs(actual.Loss - expected.Loss) <= 1e-4 * (1 + Math.Abs(expected.Loss)), $"step {step + 1}: loss {actual.Loss}, CPU {expected.Loss}");
            for (int i = 0; i < model.Parameters.Count; i++)
            {
                var e = cpuModel.Parameters[i].Value.Span;
                var a = model.Parameters[i].Value.Span;
                for (int j = 0; j < e.Length; j++)
                    Assert.True(Math.Abs(a[j] - e[j]) <= 1e-5, $"{backendName} step {step + 1}: {model.Parameters[i].Name}[{j}] = {a[j]}, CPU {e[j]}");
            }
        }
    }

    [Fact]
    public void ABaselineIsRefusedOnADevice()
    {
        var job = Sure.Sim.JobCatalog.Load("small-1");
        var network = Sure.Models.Baselines.PolicyNetworks.Create("dream", new SureConfig { H = 8 }, job, 1);
        var e = Assert.Throws<ArgumentException>(() => new Sure.Models.Training.SureTrainer(network, job,
            Sure.Sim.WorkloadTrace.ClarkNet().Workload(), Sure.Sim.SimOptions.Default, new Sure.Models.Training.TrainOptions(), TestBackends.Backend("cpu")));
        Assert.Contains("CPU tape only", e.Message);
    }
}
