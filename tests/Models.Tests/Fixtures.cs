namespace Sure.Models.Tests;

/// <summary>The files written by tests/models/sure_reference.py, copied next to the test assembly.</summary>
static class Fixtures
{
    public static readonly string[] Cases = ["chain", "diamond", "few", "single", "padding", "short", "ties", "full"];

    public static TheoryData<string> All => [.. Cases];

    public static string PathOf(string name, string part) =>
        Path.Combine(AppContext.BaseDirectory, "fixtures", "forward", $"{name}.{part}.safetensors");

    public static SafetensorsFile Model(string name) => SafetensorsFile.Read(PathOf(name, "model"));
    public static SafetensorsFile Input(string name) => SafetensorsFile.Read(PathOf(name, "input"));
    public static SafetensorsFile Expected(string name) => SafetensorsFile.Read(PathOf(name, "expected"));

    /// <summary>|actual - expected| &lt;= atol + rtol * |expected| element by element; the message names the first miss.</summary>
    public static void AssertClose<T>(double[] expected, ReadOnlySpan<T> actual, double atol, double rtol, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double a = double.CreateChecked(actual[i]);
            Assert.True(Math.Abs(a - expected[i]) <= atol + rtol * Math.Abs(expected[i]),
                $"{what}[{i}]: {a:R}, expected {expected[i]:R} (atol {atol}, rtol {rtol})");
        }
    }

    public static double MaxAbs(double[] values) => values.Length == 0 ? 0 : values.Max(Math.Abs);
}
