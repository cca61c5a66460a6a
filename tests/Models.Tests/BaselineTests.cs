using Sure.Models.Baselines;
using Sure.Models.Training;
using Sure.Sim;

namespace Sure.Models.Tests;

/// <summary>
/// The five baselines of SPEC 11 on the tape: every parameter's gradient against central differences in double, float
/// against double, a batch of decisions against each decision alone, the file round trip, and each model's own
/// invariant. Two job shapes: small-1 (a paper job, 6 tasks) and a 5-task DAG with two sources, a diamond and an
/// isolated task (empty graph rows).
/// </summary>
public class BaselineTests
{
    public static readonly TheoryData<string> Architectures = ["deepwave", "dream", "tvw-rl", "astgcn", "ccrnn"];
    static readonly SureConfig Small = new() { L = 4, H = 5 };

    internal static JobGraph Diamond() =>
        JobGraph.Create("diamond+1", [1, 1, 1, 1, 1], [[], [0], [0], [1, 2], []]);

    internal static JobGraph JobOf(string shape) => shape == "small-1" ? JobCatalog.Load("small-1") : Diamond();

    internal static BaselineNetwork<T> Network<T>(string architecture, JobGraph job, ulong seed = 3) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var network = PolicyNetworks.Empty<T>(architecture, Small, job.TaskCount);
        network.Initialise(seed, headScale: 1);     // a full-size head, so every path carries a visible gradient
        // Non-zero biases, so a bias that is added twice or not at all shows.
        foreach (var p in network.Parameters)
            if (p.Name.EndsWith(".bias", StringComparison.Ordinal))
                for (int j = 0; j < p.Value.Length; j++) p.Value.Span[j] = T.CreateChecked(0.1 * Math.Sin(j + p.Name.Length));
        return network;
    }

    // Snapshots [B, L, n, D] in [0, 2), a pure function of the seed.
    internal static float[] Snapshots(int decisions, JobGraph job, int seed)
    {
        var rng = new Random(seed);
        var values = new float[decisions * Small.L * job.TaskCount * Small.D];
        for (int k = 0; k < values.Length; k++) values[k] = (float)(2 * rng.NextDouble());
        return values;
    }

    static BaselineBatch<T> Batch<T>(JobGraph job, float[] snapshots, int decisions) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var batch = new BaselineBatch<T>(job, decisions, Small.L, Small.D);
        int span = Small.L * job.TaskCount * Small.D;
        for (int t = 0; t < decisions; t++) batch.Fill(t, snapshots.AsSpan(t * span, span));
        return batch;
    }

    static double[] Weights(int count, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => 2 * rng.NextDouble() - 1)];
    }

    // sum_i w_i m_i on an inference tape
    static double WeightedSum(BaselineNetwork<double> network, BaselineBatch<double> batch, double[] w)
    {
        var tape = new Tape<double>(inference: true);
        var m = network.ActionMeans(tape, batch).Value.Span;
        double sum = 0;
        for (int i = 0; i < m.Length; i++) sum += w[i] * m[i];
        return sum;
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Every_parameter_gradient_matches_central_differences(string architecture)
    {
        foreach (var shape in new[] { "small-1", "diamond" })
        {
            var job = JobOf(shape);
            var network = Network<double>(architecture, job);
            var batch = Batch<double>(job, Snapshots(2, job, 5), 2);
            var w = Weights(2 * job.TaskCount, 7);
            var tape = new Tape<double>();
            network.Parameters.ZeroGrad();
            var m = network.ActionMeans(tape, batch);
            tape.Backward(m, w.AsSpan());

            const double step = 1e-6;
            int nonZero = 0;
            foreach (var parameter in network.Parameters)
            {
                if (parameter == network.HeadLogStd) continue;
                var values = parameter.Value.Span;
                for (int j = 0; j < values.Length; j++)
                {
                    double original = values[j];
                    values[j] = original + step;
                    double plus = WeightedSum(network, batch, w);
                    values[j] = original - step;
                    double minus = WeightedSum(network, batch, w);
                    values[j] = original;
                    double numeric = (plus - minus) / (2 * step), analytic = parameter.Grad.Span[j];
                    Assert.True(Math.Abs(numeric - analytic) <= 1e-5 * (1 + Math.Abs(numeric)),
                        $"{architecture} on {shape}: {parameter.Name}[{j}] analytic {analytic:R}, central difference {numeric:R}");
                    if (Math.Abs(analytic) > 1e-8) nonZero++;
                }
            }
            Assert.True(nonZero > network.Parameters.ElementCount / 4, $"{architecture} on {shape}: only {nonZero} non-zero gradients");
        }
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Float_matches_double(string architecture)
    {
        var job = JobOf("small-1");
        var exact = Network<double>(architecture, job);
        var single = Network<float>(architecture, job);
        var snapshots = Snapshots(3, job, 11);
        var w = Weights(3 * job.TaskCount, 13);
        var (td, tf) = (new Tape<double>(), new Tape<float>());
        var md = exact.ActionMeans(td, Batch<double>(job, snapshots, 3));
        var mf = single.ActionMeans(tf, Batch<float>(job, snapshots, 3));
        td.Backward(md, w.AsSpan());
        tf.Backward(mf, w.Select(x => (float)x).ToArray().AsSpan());
        static void Close(double expected, double actual, string what) =>
            Assert.True(Math.Abs(expected - actual) <= 1e-4 * (1 + Math.Abs(expected)), $"{what}: double {expected:R}, float {actual:R}");
        for (int i = 0; i < md.Value.Length; i++) Close(md.Value.Span[i], mf.Value.Span[i], $"{architecture} m[{i}]");
        for (int p = 0; p < exact.Parameters.Count; p++)
            for (int j = 0; j < exact.Parameters[p].Grad.Length; j++)
                Close(exact.Parameters[p].Grad.Span[j], single.Parameters[p].Grad.Span[j], $"{architecture} grad {exact.Parameters[p].Name}[{j}]");
    }

    /// <summary>Decisions never mix: a batch of B gives each decision's m as a batch of one does (value and gradient).</summary>
    [Theory]
    [MemberData(nameof(Architectures))]
    public void A_batch_gives_each_decision_what_it_gives_alone(string architecture)
    {
        foreach (var shape in new[] { "small-1", "diamond" })
        {
            var job = JobOf(shape);
            int n = job.TaskCount, B = 3, span = Small.L * n * Small.D;
            var network = Network<double>(architecture, job);
            var snapshots = Snapshots(B, job, 17);
            var together = network.ActionMeans(new Tape<double>(inference: true), Batch<double>(job, snapshots, B)).Value.ToArray();
            for (int t = 0; t < B; t++)
            {
                var alone = network.ActionMeans(new Tape<double>(inference: true), Batch<double>(job, snapshots[(t * span)..((t + 1) * span)], 1)).Value.ToArray();
                for (int i = 0; i < n; i++)
                    Assert.True(Math.Abs(alone[i] - together[t * n + i]) <= 1e-12 * (1 + Math.Abs(alone[i])),
                        $"{architecture} on {shape}: decision {t} task {i}: alone {alone[i]:R}, in the batch {together[t * n + i]:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void A_checkpoint_loads_back_as_its_architecture_with_the_same_outputs(string architecture)
    {
        var job = JobOf("small-1");
        var network = Network<float>(architecture, job);
        network.Metadata["job"] = job.Name;
        string path = Path.Combine(Path.GetTempPath(), $"baseline-{architecture}-{Environment.ProcessId}.safetensors");
        try
        {
            network.Save(path);
            var loaded = PolicyNetworks.Load(path);
            Assert.Equal(architecture, loaded.Architecture);
            Assert.Equal("small-1", loaded.Metadata["job"]);
            var batch = Batch<float>(job, Snapshots(1, job, 3), 1);
            Assert.Equal(network.ActionMeans(new Tape<float>(inference: true), batch).Value.ToArray(),
                ((IBaselineNetwork<float>)loaded).ActionMeans(new Tape<float>(inference: true), batch).Value.ToArray());
            var e = Assert.Throws<SureFileException>(() => SureModel<float>.Load(path));
            Assert.Contains($"holds a {architecture} model", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_file_without_an_architecture_is_sure_and_an_unknown_one_is_refused()
    {
        var sure = SureModel<float>.Create(new SureConfig { H = 4 }, 1).ToSafetensors();
        sure.Metadata.Remove(PolicyArchitecture.Key);
        Assert.IsType<SureModel<float>>(PolicyNetworks.FromSafetensors(sure));
        sure.Metadata[PolicyArchitecture.Key] = "lstm-9000";
        var e = Assert.Throws<SureFileException>(() => PolicyNetworks.FromSafetensors(sure));
        Assert.Contains("unknown architecture 'lstm-9000'", e.Message);
    }

    [Fact]
    public void A_misshapen_tensor_is_named()
    {
        var file = Network<float>("dream", Diamond()).ToSafetensors();
        var broken = new SafetensorsFile();
        foreach (var (key, value) in file.Metadata) broken.Metadata[key] = value;
        foreach (var name in file.Names)
        {
            var (values, shape) = file.GetFloat(name);
            if (name == "gru.weight_hh.z") broken.Add(name, values[..^Small.H], [Small.H - 1, Small.H]);
            else broken.Add(name, values, shape);
        }
        var e = Assert.Throws<SureFileException>(() => PolicyNetworks.FromSafetensors(broken));
        Assert.Contains("gru.weight_hh.z", e.Message);
    }

    [Fact]
    public void Deepwave_reads_only_the_last_snapshot()
    {
        var job = JobOf("small-1");
        var network = Network<double>("deepwave", job);
        var snapshots = Snapshots(1, job, 23);
        var before = network.ActionMeans(new Tape<double>(inference: true), Batch<double>(job, snapshots, 1)).Value.ToArray();
        int last = (Small.L - 1) * job.TaskCount * Small.D;
        for (int k = 0; k < last; k++) snapshots[k] += 1;
        var after = network.ActionMeans(new Tape<double>(inference: true), Batch<double>(job, snapshots, 1)).Value.ToArray();
        Assert.Equal(before, after);
        snapshots[last] += 1;
        var moved = network.ActionMeans(new Tape<double>(inference: true), Batch<double>(job, snapshots, 1)).Value.ToArray();
        Assert.NotEqual(before, moved);
    }

    [Fact]
    public void Tvw_rl_gives_every_task_of_a_decision_the_same_action()
    {
        var job = JobOf("small-1");
        var m = Network<double>("tvw-rl", job).ActionMeans(new Tape<double>(inference: true), Batch<double>(job, Snapshots(2, job, 29), 2)).Value.ToArray();
        int n = job.TaskCount;
        for (int t = 0; t < 2; t++)
            for (int i = 1; i < n; i++) Assert.Equal(m[t * n], m[t * n + i]);
        Assert.NotEqual(m[0], m[n]);
    }

    /// <summary>DeepWave's GCN sees the DAG and nothing else: a task's action depends on its neighbours' features, an
    /// isolated task's on its own alone. (ASTGCN's attentions pool over every task, DREAM's GRU runs along the
    /// topological order and CCRNN's adjacency is learnt, so for them any task may matter.)</summary>
    [Fact]
    public void Deepwave_sees_neighbours_and_nothing_else()
    {
        var job = Diamond();   // task 4 is isolated; 0 - 1 - 3 and 0 - 2 - 3
        foreach (var architecture in new[] { "deepwave" })
        {
            var network = Network<double>(architecture, job);
            var snapshots = Snapshots(1, job, 31);
            double[] Run() => network.ActionMeans(new Tape<double>(inference: true), Batch<double>(job, snapshots, 1)).Value.ToArray();
            var before = Run();
            // Change task 4 (isolated) at every snapshot: only m_4 may move.
            for (int l = 0; l < Small.L; l++) snapshots[(l * job.TaskCount + 4) * Small.D + 2] += 0.5f;
            var after = Run();
            for (int i = 0; i < 4; i++) Assert.Equal(before[i], after[i]);
            Assert.NotEqual(before[4], after[4]);
            // Change task 3: its neighbours 1 and 2 move.
            for (int l = 0; l < Small.L; l++) snapshots[(l * job.TaskCount + 3) * Small.D + 2] += 0.5f;
            var third = Run();
            Assert.NotEqual(after[1], third[1]);
            Assert.NotEqual(after[2], third[2]);
        }
    }

    [Fact]
    public void Ccrnn_is_tied_to_its_jobs_task_count()
    {
        var network = PolicyNetworks.Empty<float>("ccrnn", new SureConfig { H = 5 }, Diamond().TaskCount);
        var env = new StreamEnvironment(JobCatalog.Load("small-1"), WorkloadTrace.ClarkNet().Workload(), SimOptions.Default);
        var e = Assert.Throws<SureFileException>(() => new BaselineAutoscaler(network, env));
        Assert.Contains("5 tasks", e.Message);
    }
}

/// <summary>The trainer's loss for a baseline is the Gaussian head's term alone (no sampler, MI or KL terms), computed
/// here independently from the network's action means.</summary>
public class BaselineLossTests
{
    [Theory]
    [InlineData("dream")]
    [InlineData("ccrnn")]
    public void The_loss_is_the_gaussian_term_and_the_imitation_loss_the_squared_distance(string architecture)
    {
        var job = BaselineTests.JobOf("small-1");
        int n = job.TaskCount, T = 3, R = 4, L = 4, D = 8;
        var network = BaselineTests.Network<double>(architecture, job);
        var snapshots = BaselineTests.Snapshots(T, job, 41);
        var rng = new Random(43);
        var u = Enumerable.Range(0, T * n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        // One advantage per row [T, n] (per-task credit makes them differ within a decision).
        var advantages = Enumerable.Range(0, T * n).Select(row => Math.Sin(row + 0.5)).ToArray();

        // m from the network, log N(u; m, s) by hand
        var batch = new BaselineBatch<double>(job, T, L, D);
        for (int t = 0; t < T; t++) batch.Fill(t, snapshots.AsSpan(t * L * n * D, L * n * D));
        var m = network.ActionMeans(new Tape<double>(inference: true), batch).Value.ToArray();
        double logStd = network.HeadLogStd.Value.Span[0], s = Math.Exp(logStd), expected = 0, imitation = 0;
        for (int row = 0; row < T * n; row++)
        {
            double z = (u[row] - m[row]) / s;
            expected += (-0.5 * z * z - logStd - 0.5 * Math.Log(2 * Math.PI)) * advantages[row];
            imitation += (m[row] - u[row]) * (m[row] - u[row]);
        }
        expected *= -1.0 / (R * T * n);
        imitation /= R * T * n;

        var loss = new RolloutLoss<double>(job, new NeighbourIndex(job), T, L, D);
        var weights = new LossWeights(BetaG: 1, BetaMi: 0.1, BetaKl: 1e-3, UniformSampler: false);
        var value = loss.Build(new Tape<double>(), network, weights, R, snapshots, u, advantages, seed: 1, firstDecision: 0, out var parts);
        Assert.Equal(expected, value.Value.Span[0], 1e-12);
        Assert.Equal(0, parts.MutualInformation);
        Assert.Equal(0, parts.Kl);
        Assert.Null(loss.LastOutput);
        var fit = loss.BuildImitation(new Tape<double>(), network, weights, R, snapshots, u, seed: 1, firstDecision: 0, out _);
        Assert.Equal(imitation, fit.Value.Span[0], 1e-12);
    }
}
