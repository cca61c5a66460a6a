namespace Sure.Models.Tests;

/// <summary>`sure forward`'s code path: files in, file out, and one-line errors with exit code 2.</summary>
public sealed class ForwardFilesTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("sure-forward-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Temp(string name) => Path.Combine(_dir, name);

    [Theory]
    [InlineData("padding", false)]
    [InlineData("single", false)]
    [InlineData("full", true)]
    public void Output_file_holds_the_spec_tensors(string name, bool useDouble)
    {
        var output = Temp("out.safetensors");
        var error = new StringWriter();
        int code = ForwardFiles.Execute(Fixtures.PathOf(name, "model"), Fixtures.PathOf(name, "input"), output, grad: true, useDouble, error);
        Assert.True(code == 0, error.ToString());
        Assert.Equal("", error.ToString());

        var file = SafetensorsFile.Read(output);
        var expected = Fixtures.Expected(name);
        var floatType = useDouble ? SafetensorsDtype.F64 : SafetensorsDtype.F32;
        double tol = useDouble ? 1e-10 : 2e-5;
        foreach (var tensor in new[] { "mu", "sigma", "omega", "h_g", "action_mean" })
        {
            Assert.Equal(floatType, file[tensor].Dtype);
            Assert.Equal(expected[tensor].Shape, file[tensor].Shape);
            // omega's padding is -1e30 in both files; rtol covers it.
            Fixtures.AssertClose(expected.GetDouble(tensor).Values, file.GetDouble(tensor).Values, tol, tol, tensor);
        }
        Assert.Equal(expected["anchors"].Shape, file["anchors"].Shape);
        Assert.Equal(expected.GetInt32("anchors").Values, file.GetInt32("anchors").Values);
        Assert.Equal(expected["neighbors"].Shape, file["neighbors"].Shape);
        Assert.Equal(expected.GetInt32("neighbors").Values, file.GetInt32("neighbors").Values);
        var gradNames = expected.Names.Where(n => n.StartsWith("grad.", StringComparison.Ordinal)).Order().ToArray();
        Assert.Equal(gradNames, file.Names.Where(n => n.StartsWith("grad.", StringComparison.Ordinal)).Order().ToArray());
        foreach (var g in gradNames)
        {
            var reference = expected.GetDouble(g).Values;
            double gtol = useDouble ? 1e-10 : 2e-4;
            Fixtures.AssertClose(reference, file.GetDouble(g).Values, gtol * Math.Max(Fixtures.MaxAbs(reference), 1e-3), gtol, g);
        }
    }

    [Fact]
    public void Without_grad_no_gradient_is_written()
    {
        var file = ForwardFiles.Run(Fixtures.Model("chain"), Fixtures.Input("chain"), grad: false, useDouble: false);
        Assert.DoesNotContain(file.Names, n => n.StartsWith("grad.", StringComparison.Ordinal));
        Assert.Equal(new[] { 4 }, file["action_mean"].Shape);
    }

    // Rewrites the chain fixture's input with one change and returns the error line of `sure forward` on it.
    string ErrorFor(Action<SafetensorsFile, SafetensorsFile> change, bool corruptInput = false)
    {
        var source = Fixtures.Input("chain");
        var input = new SafetensorsFile();
        var model = Fixtures.Model("chain");
        foreach (var entry in source.Entries) input.AddRaw(entry.Name, entry.Dtype, entry.Shape, entry.Data);
        var edited = new SafetensorsFile();
        change(input, edited);
        (edited.Names.Count > 0 ? edited : input).Write(Temp("input.safetensors"));
        model.Write(Temp("model.safetensors"));
        if (corruptInput) File.WriteAllBytes(Temp("input.safetensors"), [1, 2, 3]);
        var error = new StringWriter();
        int code = ForwardFiles.Execute(Temp("model.safetensors"), Temp("input.safetensors"), Temp("out.safetensors"), grad: false, useDouble: false, error);
        Assert.Equal(2, code);
        var text = error.ToString();
        Assert.Single(text.TrimEnd('\n').Split('\n'));
        return text;
    }

    // Copies every tensor of `from` into `to` except `skip`, then lets `add` put in replacements.
    static void CopyExcept(SafetensorsFile from, SafetensorsFile to, string skip, Action<SafetensorsFile> add)
    {
        foreach (var entry in from.Entries)
            if (entry.Name != skip) to.AddRaw(entry.Name, entry.Dtype, entry.Shape, entry.Data);
        add(to);
    }

    [Fact]
    public void Missing_tensor_is_named()
    {
        var text = ErrorFor((input, edited) => CopyExcept(input, edited, "y", _ => { }));
        Assert.Contains("'y'", text);
        Assert.Contains("missing", text);
    }

    [Fact]
    public void Wrong_shape_is_named_with_both_shapes()
    {
        var text = ErrorFor((input, edited) => CopyExcept(input, edited, "x", f => f.Add("x", new float[4 * 12 * 3], 4, 12, 3)));
        Assert.Contains("x has shape [4, 12, 3], expected [4, 12, 4]", text);
    }

    [Fact]
    public void Wrong_dtype_of_an_index_tensor_is_refused()
    {
        var text = ErrorFor((input, edited) => CopyExcept(input, edited, "nbr", f => f.Add("nbr", new float[12], 4, 3)));
        Assert.Contains("nbr", text);
        Assert.Contains("I32", text);
    }

    [Fact]
    public void Padding_in_the_middle_of_nbr_is_refused()
    {
        var text = ErrorFor((input, edited) => CopyExcept(input, edited, "nbr", f => f.Add("nbr", [1, -1, 2, 0, 2, 3, 0, 1, 3, 1, 2, -1], 4, 3)));
        Assert.Contains("nbr[0, 2]", text);
    }

    [Fact]
    public void Malformed_file_reports_the_reader_message()
    {
        var text = ErrorFor((_, _) => { }, corruptInput: true);
        Assert.Contains("input.safetensors", text);
    }

    [Fact]
    public void Missing_file_is_one_line()
    {
        var error = new StringWriter();
        int code = ForwardFiles.Execute(Temp("nope.safetensors"), Fixtures.PathOf("chain", "input"), Temp("out.safetensors"), false, false, error);
        Assert.Equal(2, code);
        Assert.Contains("nope.safetensors", error.ToString());
    }

    [Fact]
    public void Weights_for_another_width_are_refused_with_both_shapes()
    {
        // The chain model (H = 16) read under a config that claims H = 8.
        var model = Fixtures.Model("chain");
        model.Metadata["config"] = model.Metadata["config"].Replace("\"H\": 16", "\"H\": 8");
        model.Write(Temp("model.safetensors"));
        var error = new StringWriter();
        int code = ForwardFiles.Execute(Temp("model.safetensors"), Fixtures.PathOf("chain", "input"), Temp("out.safetensors"), false, false, error);
        Assert.Equal(2, code);
        Assert.Contains("head.weight has shape [16], expected [8] for the metadata's config H = 8", error.ToString());
    }

    [Fact]
    public void Weights_without_metadata_give_the_same_outputs()
    {
        // Another implementation's file: the chain model (H = 16, E = 2) with no metadata at all (SPEC 8).
        var model = Fixtures.Model("chain");
        model.Write(Temp("with.safetensors"));
        model.Metadata.Clear();
        model.Write(Temp("without.safetensors"));
        var error = new StringWriter();
        Assert.Equal(0, ForwardFiles.Execute(Temp("with.safetensors"), Fixtures.PathOf("chain", "input"), Temp("with.out.safetensors"), false, false, error));
        Assert.Equal(0, ForwardFiles.Execute(Temp("without.safetensors"), Fixtures.PathOf("chain", "input"), Temp("without.out.safetensors"), false, false, error));
        var (a, b) = (SafetensorsFile.Read(Temp("with.out.safetensors")), SafetensorsFile.Read(Temp("without.out.safetensors")));
        foreach (var name in new[] { "action_mean", "h_g", "omega" })
            Assert.Equal(a.GetFloat(name).Values, b.GetFloat(name).Values);
    }

    [Fact]
    public void Input_with_other_features_than_the_model_is_refused()
    {
        var text = ErrorFor((input, edited) => CopyExcept(input, edited, "S", f => f.Add("S", new float[4 * 12 * 4 * 5], 4, 12, 4, 5)));
        Assert.Contains("D = 5", text);
    }
}
