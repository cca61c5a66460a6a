using System.Text.Json;

namespace Sure.Cli.Tests;

/// <summary>
/// `--lambda` (SPEC 2: r = -lambda mean lat_pen + (1 - lambda) mean u) on eval and train, and `sure bench infer --k1`'s
/// checks. A policy that does not read the reward (static) runs the same episode at every lambda, so its reward is
/// linear in lambda: r(1/2) = (r(0) + r(1)) / 2, r(0) = its mean utilisation, and r(1) &lt;= 0.
/// </summary>
public class LambdaOptionTests
{
    static double Reward(string lambda)
    {
        var (code, output, error) = CliRunner.Invoke("eval", "--job", "small-1", "--policies", "static", "--lambda", lambda, "--json");
        Assert.True(code == 0, error);
        return JsonDocument.Parse(output.Trim()).RootElement.GetProperty("reward").GetDouble();
    }

    [Fact]
    public void EvalRewardIsLinearInLambda()
    {
        double r0 = Reward("0"), half = Reward("0.5"), r1 = Reward("1");
        Assert.Equal((r0 + r1) / 2, half, 12);
        Assert.True(r0 > 0 && r1 <= 0, $"r(0) = {r0}, r(1) = {r1}");
        Assert.NotEqual(r0, r1);
        // The default is SPEC 2's 0.5.
        var (_, output, _) = CliRunner.Invoke("eval", "--job", "small-1", "--policies", "static", "--json");
        Assert.Equal(half, JsonDocument.Parse(output.Trim()).RootElement.GetProperty("reward").GetDouble(), 15);
    }

    [Fact]
    public void TrainRecordsItsLambda()
    {
        using var scratch = new Scratch();
        string model = scratch.PathOf("m.safetensors");
        var (code, _, error) = CliRunner.Invoke("train", "--model", "deepwave", "--job", "small-1", "--iterations", "1", "--bootstrap", "1", "--lambda", "0.3", "--threads", "1", "--out", model);
        Assert.True(code == 0, error);
        Assert.Equal("0.3", Sure.Autodiff.SafetensorsFile.Read(model).Metadata["lambda"]);
    }

    [Theory]
    [InlineData("eval", "--job", "small-1", "--lambda", "1.5", "bad lambda 1.5")]
    [InlineData("eval", "--job", "small-1", "--lambda", "-0.1", "bad lambda -0.1")]
    [InlineData("train", "--job", "small-1", "--lambda", "NaN", "bad lambda NaN")]
    public void BadLambdaIsOneClearError(string command, string option, string job, string flag, string value, string message)
    {
        using var scratch = new Scratch();
        string[] args = command == "train" ? [command, option, job, flag, value, "--out", scratch.PathOf("x.safetensors")] : [command, option, job, flag, value];
        var (code, _, error) = CliRunner.Invoke(args);
        Assert.Equal(2, code);
        Assert.Contains(message, error);
    }

    [Theory]
    [InlineData("sure", "0", "bad k1 0")]
    [InlineData("sure", "61", "bad k1 61")]
    [InlineData("ccrnn", "4", "--k1 is SURE's")]
    public void BadK1IsOneClearError(string model, string k1, string message)
    {
        var (code, _, error) = CliRunner.Invoke("bench", "infer", "--tasks", "6", "--model", model, "--k1", k1);
        Assert.Equal(2, code);
        Assert.Contains(message, error);
    }
}
