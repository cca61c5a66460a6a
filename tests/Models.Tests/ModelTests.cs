namespace Sure.Models.Tests;

public class ModelTests
{
    static readonly SureConfig Small = new() { D = 8, H = 6, E = 3 };

    [Fact]
    public void Parameters_have_the_spec_names_and_shapes()
    {
        var model = SureModel<float>.Create(new SureConfig(), seed: 1);
        var found = model.Parameters.Select(p => $"{p.Name}{p.Shape}").ToArray();
        Assert.Equal(new[]
        {
            "nvss.mu.weight[8]", "nvss.mu.bias[1]", "nvss.sigma.weight[8]", "nvss.sigma.bias[1]",
            "sage.0.weight[16, 64]", "sage.0.bias[64]", "sage.1.weight[128, 64]", "sage.1.bias[64]",
            "head.weight[64]", "head.bias[1]", "head.log_std[1]", "disc.weight[64, 64]",
        }, found);
    }

    [Fact]
    public void Initialisation_is_seeded_glorot_with_zero_biases()
    {
        var a = SureModel<double>.Create(Small, seed: 7);
        var b = SureModel<double>.Create(Small, seed: 7);
        var c = SureModel<double>.Create(Small, seed: 8);
        foreach (var p in a.Parameters)
        {
            Assert.Equal(p.Value.ToArray(), b.Parameters[p.Name].Value.ToArray());
            if (p.Name.EndsWith(".bias")) Assert.All(p.Value.ToArray(), v => Assert.Equal(0.0, v));
        }
        Assert.Equal(Math.Log(0.3), a.HeadLogStd.Value[0], 12);
        Assert.NotEqual(a.SageWeights[1].Value.ToArray(), c.SageWeights[1].Value.ToArray());
        // sage.1.weight [12, 6]: bound sqrt(6 / 18); uniform draws fill most of the range and never leave it.
        double bound = Math.Sqrt(6.0 / 18), max = a.SageWeights[1].Value.ToArray().Max(Math.Abs);
        Assert.InRange(max, 0.5 * bound, bound);
        // Drawn in double from Philox and rounded: the float model starts from the same weights.
        var single = SureModel<float>.Create(Small, seed: 7);
        Assert.Equal(a.DiscWeight.Value.ToArray().Select(v => (float)v), single.DiscWeight.Value.ToArray());
        Assert.Equal(Philox.Uniform<double>(7, 0, 3) * 2 - 1, a.MuWeight.Value[3] / Math.Sqrt(6.0 / 9), 12);
    }

    [Fact]
    public void Save_and_load_round_trip_with_config_and_metadata()
    {
        var model = SureModel<float>.Create(Small with { K1 = 7 }, seed: 3);
        model.Metadata["job"] = "j_1136";
        var loaded = SureModel<float>.FromSafetensors(SafetensorsFile.Read(model.ToSafetensors().ToBytes(), "memory"));
        Assert.Equal(model.Config, loaded.Config);
        Assert.Equal("j_1136", loaded.Metadata["job"]);
        Assert.Equal("3", loaded.Metadata["seed"]);
        foreach (var p in model.Parameters) Assert.Equal(p.Value.ToArray(), loaded.Parameters[p.Name].Value.ToArray());
        // The double model reads the float file exactly.
        var wide = SureModel<double>.FromSafetensors(model.ToSafetensors());
        Assert.Equal((double)model.DiscWeight.Value[5], wide.DiscWeight.Value[5]);
    }

    [Fact]
    public void Loading_mismatched_weights_names_the_parameter()
    {
        var file = SureModel<float>.Create(Small, seed: 3).ToSafetensors();
        file.Metadata["config"] = (Small with { E = 2 }).ToJson();
        var extra = Assert.Throws<SureFileException>(() => SureModel<float>.FromSafetensors(file));
        Assert.Contains("sage.2.weight", extra.Message);

        file.Metadata["config"] = (Small with { E = 4 }).ToJson();
        var missing = Assert.Throws<SureFileException>(() => SureModel<float>.FromSafetensors(file));
        Assert.Contains("sage.3.weight is missing", missing.Message);

        file.Metadata["config"] = (Small with { D = 5 }).ToJson();
        var shape = Assert.Throws<SureFileException>(() => SureModel<float>.FromSafetensors(file));
        Assert.Contains("nvss.mu.weight has shape [8], expected [5]", shape.Message);
    }

    [Fact]
    public void Batch_of_tasks_equals_each_task_alone()
    {
        // The block-diagonal batch must not mix subgraphs across tasks (SPEC 10).
        var model = SureModel<double>.FromSafetensors(Fixtures.Model("padding"));
        var (input, k1, k2) = ForwardFiles.ReadInput<double>(Fixtures.Input("padding"), model.Config);
        var batch = model.Forward(new Tape<double>(inference: true), input, k1, k2, new SubgraphSampler()).ActionMean.Value.ToArray();
        int L = input.L, slots = 1 + input.K, d = input.D;
        for (int i = 0; i < input.Tasks; i++)
        {
            var table = new NeighbourTable(1, input.K, input.Neighbours.Slots.AsSpan(i * input.K, input.K), Fixtures.Input("padding").GetInt32("edges").Values);
            var one = new SureInput<double>(
                Tensor<double>.FromArray(input.S.Span.Slice(i * L * slots * d, L * slots * d).ToArray(), 1, L, slots, d),
                Tensor<double>.FromArray(input.X.Span.Slice(i * L * slots, L * slots).ToArray(), 1, L, slots),
                Tensor<double>.FromArray(input.Y.Span.Slice(i * L * slots, L * slots).ToArray(), 1, L, slots), table);
            var alone = model.Forward(new Tape<double>(inference: true), one, k1, k2, new SubgraphSampler()).ActionMean.Value[0];
            Assert.Equal(batch[i], alone, 12);
        }
    }

    // SPEC 8: D, H and E from the tensors, the rest from optional, partial metadata.
    [Theory]
    [InlineData(null)]                              // no metadata at all: another implementation's weights
    [InlineData("{\"L\":30}")]                     // partial: L stated, D, H and E from the shapes
    [InlineData("{\"H\":16,\"k1\":7}")]              // partial, agreeing with the shapes
    public void Weights_without_a_full_config_take_their_sizes_from_the_shapes(string? config)
    {
        var written = SureModel<float>.Create(new SureConfig { D = 5, H = 16, E = 3 }, seed: 2);
        var file = written.ToSafetensors();
        file.Metadata.Remove("config");
        if (config is not null) file.Metadata["config"] = config;
        var read = SureModel<float>.FromSafetensors(file);
        Assert.Equal((5, 16, 3), (read.Config.D, read.Config.H, read.Config.E));
        Assert.Equal(config == "{\"L\":30}" ? 30 : 60, read.Config.L);
        Assert.Equal(config == "{\"H\":16,\"k1\":7}" ? 7 : 10, read.Config.K1);
        foreach (var p in written.Parameters) Assert.Equal(p.Value.ToArray(), read.Parameters[p.Name].Value.ToArray());
    }

    [Theory]
    [InlineData("{\"H\":64}", "H = 64", "head.weight")]
    [InlineData("{\"D\":8}", "D = 8", "nvss.mu.weight")]
    [InlineData("{\"E\":2}", "E = 2", "sage")]
    public void A_config_that_contradicts_the_shapes_is_one_clear_error(string config, string stated, string tensor)
    {
        var file = SureModel<float>.Create(new SureConfig { D = 5, H = 16, E = 3 }, seed: 2).ToSafetensors();
        file.Metadata["config"] = config;
        var error = Assert.Throws<SureFileException>(() => SureModel<float>.FromSafetensors(file));
        Assert.Contains(stated, error.Message);
        Assert.Contains(tensor, error.Message);
    }
}
