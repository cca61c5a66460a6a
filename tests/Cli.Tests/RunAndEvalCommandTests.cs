using Sure.Models;
using Sure.Models.Baselines;
using Sure.Models.Training;
using Sure.Sim;

namespace Sure.Cli.Tests;

/// <summary>`sure run`, `sure eval` and `sure simulate` with the SURE policy, through the command line. One class: they swap Console.</summary>
public sealed class RunAndEvalCommandTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("sure-run-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static (int Code, string Out, string Error) Invoke(params string[] args) => CliRunner.Invoke(args);

    static void AssertOneLineError(int code, string error, string expected)
    {
        Assert.Equal(2, code);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Run_writes_the_model_the_training_log_and_the_chart()
    {
        var (code, output, _) = Invoke("run", "--out-dir", _dir, "--iterations", "1", "--minutes", "0.5");
        Assert.Equal(0, code);
        string model = Path.Combine(_dir, "sure-small-1.safetensors");
        string log = Path.Combine(_dir, "sure-small-1-training.csv");
        string chart = Path.Combine(_dir, "small-1-test-week.svg");
        Assert.Equal("small-1", SureModel<float>.Load(model).Metadata["job"]);
        Assert.StartsWith(IterationLog.CsvHeader, File.ReadLines(log).First());
        Assert.Contains("<svg", File.ReadAllText(chart));
        Assert.Contains("best heuristic by reward: ", output);
        foreach (var path in new[] { model, log, chart }) Assert.Contains(path, output);
    }

    [Theory]
    [InlineData("--minutes", "0", "bad --minutes")]
    [InlineData("--iterations", "0", "bad --iterations")]
    [InlineData("--noise", "-1", "bad noise")]
    [InlineData("--job", "no-such-job", "no-such-job")]
    [InlineData("--bootstrap", "-1", "bad --bootstrap")]
    public void Run_refuses_bad_options_with_one_line(string option, string value, string expected)
    {
        var (code, _, error) = Invoke("run", "--out-dir", _dir, option, value);
        AssertOneLineError(code, error, expected);
    }

    [Theory]
    [InlineData("--bootstrap", "-1", "bad bootstrap -1")]
    [InlineData("--start", "middle", "bad start 'middle'")]
    [InlineData("--sampler", "gibbs", "bad sampler 'gibbs'")]
    [InlineData("--iterations", "0", "bad iterations 0")]
    [InlineData("--lr", "0", "bad lr 0")]
    [InlineData("--lr", "NaN", "bad lr NaN")]
    [InlineData("--teacher", "oracle", "bad teacher 'oracle'")]
    [InlineData("--base", "ds2", "bad base 'ds2'")]
    [InlineData("--features", "all", "bad features 'all'")]
    [InlineData("--dead-band", "1", "bad dead-band 1")]
    [InlineData("--bootstrap-lr", "0", "bad bootstrap-lr 0")]
    [InlineData("--model", "lstm", "bad model 'lstm'")]
    public void Train_refuses_bad_options_with_one_line(string option, string value, string expected)
    {
        var (code, _, error) = Invoke("train", "--job", "small-1", "--out", Path.Combine(_dir, "m.safetensors"), option, value);
        AssertOneLineError(code, error, expected);
    }

    [Fact]
    public void Train_model_writes_a_checkpoint_that_names_its_architecture()
    {
        string path = Path.Combine(_dir, "dw.safetensors");
        var (code, output, _) = Invoke("train", "--model", "deepwave", "--job", "small-1", "--iterations", "1", "--bootstrap", "0",
            "--hidden", "8", "--threads", "1", "--out", path);
        Assert.Equal(0, code);
        Assert.Contains("trained deepwave on small-1", output);
        var network = PolicyNetworks.Load(path);
        Assert.Equal("deepwave", network.Architecture);
        Assert.Equal("small-1", network.Metadata["job"]);
        Assert.DoesNotContain("sampler", network.Metadata.Keys);
    }

    [Fact]
    public void Eval_takes_each_learned_policy_from_the_file_of_its_architecture()
    {
        var job = JobCatalog.Load("small-1");
        string deepwave = Path.Combine(_dir, "dw.safetensors"), ccrnn = Path.Combine(_dir, "cc.safetensors");
        PolicyNetworks.CreateBaseline("deepwave", new SureConfig { H = 8 }, job, 1).Save(deepwave);
        PolicyNetworks.CreateBaseline("ccrnn", new SureConfig { H = 8 }, job, 1).Save(ccrnn);
        var (code, output, _) = Invoke("eval", "--job", "small-1", "--policies", "ccrnn,deepwave,hpa", "--model", $"{deepwave},{ccrnn}", "--json");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains("\"policy\":\"ccrnn\"", lines[0]);
        Assert.Contains("\"policy\":\"deepwave\"", lines[1]);
    }

    [Fact]
    public void A_policy_with_a_checkpoint_of_another_architecture_is_one_input_error()
    {
        var job = JobCatalog.Load("small-1");
        string deepwave = Path.Combine(_dir, "dw.safetensors"), ccrnn = Path.Combine(_dir, "cc.safetensors");
        PolicyNetworks.CreateBaseline("deepwave", new SureConfig { H = 8 }, job, 1).Save(deepwave);
        PolicyNetworks.CreateBaseline("ccrnn", new SureConfig { H = 8 }, job, 1).Save(ccrnn);
        var (code, _, error) = Invoke("simulate", "--job", "small-1", "--policy", "ccrnn", "--model", deepwave, "--minutes", "120");
        AssertOneLineError(code, error, $"policy 'ccrnn' needs a ccrnn model, but {deepwave} holds a deepwave model");
        (code, _, error) = Invoke("eval", "--job", "small-1", "--policies", "sure", "--model", deepwave);
        AssertOneLineError(code, error, "policy 'sure' needs a sure model");
        (code, _, error) = Invoke("simulate", "--job", "small-2", "--policy", "ccrnn", "--model", ccrnn, "--minutes", "120");
        AssertOneLineError(code, error, "trained for a job of 6 tasks");
        (code, _, error) = Invoke("simulate", "--job", "small-1", "--policy", "dream", "--minutes", "120");
        AssertOneLineError(code, error, "policy 'dream' needs --model");
    }

    [Fact]
    public void Eval_runs_sure_next_to_the_heuristics()
    {
        string path = Path.Combine(_dir, "w.safetensors");
        SureModel<float>.Create(new SureConfig(), seed: 1).Save(path);
        var (code, output, _) = Invoke("eval", "--job", "small-1", "--policies", "sure,ds2", "--model", path, "--json");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("\"policy\":\"sure\"", lines[0]);
        Assert.Contains("\"policy\":\"ds2\"", lines[1]);
    }

    [Fact]
    public void Train_refuses_a_missing_output_folder_before_training()
    {
        string path = Path.Combine(_dir, "missing", "m.safetensors");
        var (code, _, error) = Invoke("train", "--job", "small-1", "--out", path);
        AssertOneLineError(code, error, "does not exist");
        Assert.False(Directory.Exists(Path.Combine(_dir, "missing")));
    }

    /// <summary>The tuned policies report the setting they chose on the first week, the same as the library's tuning.</summary>
    [Fact]
    public void Eval_reports_what_the_tuned_policies_chose()
    {
        var (code, output, _) = Invoke("eval", "--job", "small-1", "--policies", "hpa-tuned,flink-tuned,max-tuned,clairvoyant", "--json");
        Assert.Equal(0, code);
        var env = new Sure.Sim.StreamEnvironment(Sure.Sim.JobCatalog.Load("small-1"), Sure.Sim.WorkloadTrace.ClarkNet().Workload());
        string[] expected =
        [
            ((Sure.Sim.Autoscalers.IAutoscaler)Sure.Sim.Autoscalers.Tuning.Hpa(env, 0, 10080, 1)).Setting!,
            ((Sure.Sim.Autoscalers.IAutoscaler)Sure.Sim.Autoscalers.Tuning.Flink(env, 0, 10080, 1)).Setting!,
            ((Sure.Sim.Autoscalers.IAutoscaler)Sure.Sim.Autoscalers.Tuning.Max(env, 0, 10080, 1)).Setting!,
            ((Sure.Sim.Autoscalers.IAutoscaler)Sure.Sim.Autoscalers.Tuning.Clairvoyant(env, 0, 10080, 1)).Setting!,
        ];
        var settings = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("setting").GetString()).ToArray();
        Assert.Equal(expected, settings);
        Assert.StartsWith("target 0.", settings[0]);
        Assert.Equal($"hpa-tuned {settings[0]}, flink-tuned {settings[1]}", settings[2]);
        Assert.StartsWith("rho ", settings[3]);
    }

    /// <summary>The default recipe's model (D = 11, a residual on hpa-tuned, a dead band) trains and is evaluated by
    /// `sure simulate` exactly as the library evaluates it: the commands give the simulator the forecast features.</summary>
    [Fact]
    public void The_default_recipe_trains_and_evaluates_from_the_command_line()
    {
        string path = Path.Combine(_dir, "recipe.safetensors");
        var (code, output, _) = Invoke("train", "--job", "small-1", "--iterations", "2", "--bootstrap", "1", "--hidden", "8", "--out", path);
        Assert.Equal(0, code);
        Assert.Contains("saved the best checkpoint on the validation day [8640, 10080)", output);
        var model = SureModel<float>.Load(path);
        Assert.Equal(11, model.Config.D);
        Assert.Equal("hpa-tuned", model.Metadata[SureAutoscaler.BaseKey]);
        Assert.Equal("0.1", model.Metadata[SureAutoscaler.DeadBandKey]);
        Assert.True(File.ReadLines(Path.ChangeExtension(path, ".csv")).Count() == 3);
        (code, output, _) = Invoke("simulate", "--job", "small-1", "--policy", "sure", "--model", path,
            "--start", "10080", "--minutes", "1440", "--json");
        Assert.Equal(0, code);
        double reward = System.Text.Json.JsonDocument.Parse(output).RootElement.GetProperty("reward").GetDouble();
        var expected = SureAutoscaler.Evaluate(model, Sure.Sim.JobCatalog.Load("small-1"), Sure.Sim.WorkloadTrace.ClarkNet().Workload(),
            Sure.Sim.SimOptions.Default, 10080, 1440, seed: 1);
        Assert.Equal(expected.Reward, reward, 10);
    }

    [Fact]
    public void Simulate_runs_sure_as_the_library_evaluates_it()
    {
        string path = Path.Combine(_dir, "w.safetensors");
        var model = SureModel<float>.Create(new SureConfig(), seed: 3);
        model.Save(path);
        var (code, output, _) = Invoke("simulate", "--job", "small-1", "--policy", "sure", "--model", path,
            "--start", "10080", "--minutes", "1440", "--seed", "2", "--json");
        Assert.Equal(0, code);
        double reward = System.Text.Json.JsonDocument.Parse(output).RootElement.GetProperty("reward").GetDouble();
        var expected = SureAutoscaler.Evaluate(model, Sure.Sim.JobCatalog.Load("small-1"),
            Sure.Sim.WorkloadTrace.ClarkNet().Workload(), new Sure.Sim.SimOptions { NoiseSigma = 0.05 }, 10080, 1440, seed: 2);
        Assert.Equal(expected.Reward, reward, 4);   // the JSON prints 4 decimals
    }

    [Fact]
    public void Simulate_refuses_sure_without_a_model()
    {
        var (code, _, error) = Invoke("simulate", "--job", "small-1", "--policy", "sure");
        AssertOneLineError(code, error, "model");
    }

    [Fact]
    public void Eval_refuses_sure_without_a_model()
    {
        var (code, _, error) = Invoke("eval", "--job", "small-1", "--policies", "sure,hpa");
        AssertOneLineError(code, error, "--model");
    }

    [Fact]
    public void Eval_refuses_a_model_whose_config_does_not_fit()
    {
        string path = Path.Combine(_dir, "short.safetensors");
        SureModel<float>.Create(new SureConfig { L = 12 }, seed: 1).Save(path);
        var (code, _, error) = Invoke("eval", "--job", "small-1", "--policies", "sure", "--model", path);
        AssertOneLineError(code, error, "L = 12");
    }

    [Fact]
    public void Eval_refuses_a_missing_model_file()
    {
        var (code, _, error) = Invoke("eval", "--policies", "sure", "--model", Path.Combine(_dir, "none.safetensors"));
        AssertOneLineError(code, error, "none.safetensors");
    }

    // The device is checked before any file is read, so these need no files.
    [Fact]
    public void Forward_on_an_unknown_device_is_one_line_with_the_reason()
    {
        var (code, _, error) = Invoke("forward", "--model", "m.safetensors", "--input", "x.safetensors", "--out", "y.safetensors", "--device", "nosuch");
        AssertOneLineError(code, error, "sure forward: device nosuch is unavailable: unknown backend 'nosuch' (known: cpu, opencl, cuda, ilgpu-cpu, ilgpu-cuda, ilgpu-opencl)");
    }

    [Theory]
    [InlineData("--grad", "--grad needs --device cpu")]
    [InlineData("--double", "--double needs --device cpu")]
    public void Forward_on_a_device_refuses_gradients_and_double(string flag, string expected)
    {
        var (code, _, error) = Invoke("forward", "--model", "m.safetensors", "--input", "x.safetensors", "--out", "y.safetensors", flag, "--device", "opencl");
        AssertOneLineError(code, error, expected);
    }

    [Fact]
    public void Bench_infer_on_an_unknown_device_is_one_line_with_the_reason()
    {
        var (code, _, error) = Invoke("bench", "infer", "--device", "nosuch", "--tasks", "6");
        AssertOneLineError(code, error, "sure bench infer: device nosuch is unavailable: unknown backend 'nosuch'");
    }
}
