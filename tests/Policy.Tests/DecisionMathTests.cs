using Sure.Tensors;

namespace Sure.Policy.Tests;

/// <summary>The decision's single definitions (Policy/Decision/DecisionMath.cs) against hand values and double references.</summary>
public class DecisionMathTests
{
    [Theory]
    [InlineData(3, 1.5, 4)]      // 4.5: half to even
    [InlineData(5, 1.5, 8)]      // 7.5: half to even
    [InlineData(1, 0.4, 1)]      // 0.4 rounds to 0: at least 1
    [InlineData(40, 1.9, 64)]    // 76: at most p_max
    [InlineData(10, 1.04, 10)]
    public void Rescale_rounds_half_to_even_and_clamps(int p, double ratio, int expected) =>
        Assert.Equal(expected, DecisionMath.Rescale(p, ratio, 64));

    [Theory]
    [InlineData(0.0, 0.0, 1.0)]
    [InlineData(0.2, 0.1, 1.0)]          // a = 2 sigmoid(0.2) = 1.0997: inside the band
    [InlineData(0.2, 0.05, 1.0996679946249558)]
    [InlineData(-100.0, 0.0, 0.0)]
    public void Ratio_is_twice_the_sigmoid_with_a_dead_band(double u, double band, double expected) =>
        Assert.Equal(expected, DecisionMath.Ratio(u, band), 12);

    [Fact]
    public void The_float_rule_of_the_devices_agrees_with_the_double_rule_away_from_halves()
    {
        int compared = 0;
        for (int p = 1; p <= 64; p++)
            for (int k = -600; k <= 600; k++)
            {
                float m = k / 100f;
                double scaled = DecisionMath.Ratio(m) * p;
                if (Math.Abs(scaled - Math.Floor(scaled) - 0.5) < 1e-4) continue;   // within float error of a half
                Assert.Equal(DecisionMath.Rescale(p, DecisionMath.Ratio(m), 64), DecisionMath.RescaleSingle(m, p, 64));
                compared++;
            }
        Assert.True(compared > 70_000);
        Assert.Equal(4, DecisionMath.RescaleSingle(0f, 4, 64));    // a = 1 exactly
        Assert.Equal(1, DecisionMath.RescaleSingle(-50f, 64, 64));
        Assert.Equal(64, DecisionMath.RescaleSingle(50f, 64, 64));
    }

    [Fact]
    public void Omega_matches_the_formula_in_double()
    {
        var values = new float[4 * 1000];
        Philox.FillNormal(3, 0, 0, values.AsSpan());
        for (int k = 0; k < 1000; k++)
        {
            float mu = values[4 * k], sigma = MathF.Abs(values[4 * k + 1]) + 1e-3f, x = 3 * values[4 * k + 2], y = values[4 * k + 3];
            double z = mu + (double)sigma * x, softplus = Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z)));
            double expected = Math.Log(softplus + 1e-6) + y;
            Assert.True(Math.Abs(DecisionMath.Omega(mu, sigma, x, y) - expected) <= 2e-5 * (1 + Math.Abs(expected)), $"k={k}");
        }
        // Far below zero the floor holds the logarithm: ln(1e-6) + y.
        Assert.Equal(Math.Log(1e-6), DecisionMath.Omega(-100f, 1f, 0f, 0f), 4);
    }

    [Fact]
    public void The_kernel_defines_carry_the_constants()
    {
        var defines = DecisionMath.KernelDefines;
        Assert.Contains("#define SURE_SIGMA_FLOOR 0.001f\n", defines);
        Assert.Contains("#define SURE_WEIGHT_FLOOR 1E-06f\n", defines);
    }
}
