namespace Sure.Models.Tests;

public class DeciderNoiseTests
{
    [Theory]
    [InlineData(0UL, 0UL, 0UL)]
    [InlineData(42UL, 7UL, 13UL)]
    [InlineData(0xDEADBEEF12345678UL, 0x1_0000_0003UL, 0xFFFF_FFFCUL)]   // block counter crosses 2^32 (scalar path)
    [InlineData(5UL, 1UL, 0x3_FFFF_FFF0UL)]
    public void Vector_philox_blocks_equal_the_scalar_ones(ulong seed, ulong stream, ulong firstBlock)
    {
        var words = new uint[32];
        DecisionNoise.Blocks8(seed, stream, firstBlock, words);
        for (int j = 0; j < 8; j++)
        {
            var b = Philox.Block(seed, stream, firstBlock + (ulong)j);
            Assert.Equal(new[] { b.X0, b.X1, b.X2, b.X3 }, words.AsSpan(4 * j, 4).ToArray());
        }
    }

    [Theory]
    [InlineData(0UL, 37)]
    [InlineData(3UL, 5)]
    [InlineData(1001UL, 70)]
    public void Fast_draws_match_philox_normal_and_gumbel(ulong position, int count)
    {
        const ulong seed = 9, decision = 4;
        var radius = new float[count];
        var angle = new float[count];
        var gumbel = new float[count];
        DecisionNoise.Uniforms(seed, decision, position, radius, angle, gumbel);
        DecisionNoise.Transform(radius, angle, gumbel, new float[count], new float[count]);
        for (int k = 0; k < count; k++)
        {
            ulong q = position + (ulong)k;
            float x = Philox.Normal<float>(seed, DecisionNoise.NormalStream(decision), q);
            float y = Philox.Gumbel<float>(seed, DecisionNoise.GumbelStream(decision), q);
            // Same words; odd positions use cos(t - pi/2) for sin t, and vector and scalar functions may differ in the last bits.
            Assert.True(Math.Abs(x - radius[k]) <= 1e-5f * (1 + Math.Abs(x)), $"x at {q}: {radius[k]:R}, Philox.Normal {x:R}");
            Assert.True(Math.Abs(y - gumbel[k]) <= 1e-5f * (1 + Math.Abs(y)), $"y at {q}: {gumbel[k]:R}, Philox.Gumbel {y:R}");
        }
    }

    [Fact]
    public void Fill_draws_what_the_fast_path_draws()
    {
        const int n = 3, L = 5, K = 2;
        var x = new float[n * L * (1 + K)];
        var y = new float[x.Length];
        DecisionNoise.Fill(8, 2, n, L, K, x, y);
        var radius = new float[n * L];
        var angle = new float[n * L];
        var gumbel = new float[n * L];
        DecisionNoise.Uniforms(8, 2, 0, radius, angle, gumbel);
        DecisionNoise.Transform(radius, angle, gumbel, new float[n * L], new float[n * L]);
        for (int i = 0; i < n * L; i++)
        {
            Assert.True(Math.Abs(x[i * (1 + K)] - radius[i]) <= 1e-6f * (1 + Math.Abs(radius[i])), $"x[{i}, 0]");
            Assert.True(Math.Abs(y[i * (1 + K)] - gumbel[i]) <= 1e-6f * (1 + Math.Abs(gumbel[i])), $"y[{i}, 0]");
        }
    }

    [Fact]
    public void Vector_softplus_is_rowops_softplus_bit_for_bit()
    {
        var rng = new Random(3);
        var x = new float[1003];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 60 - 30) * (i % 7 == 0 ? 0.001f : 1f);
        x[0] = 0; x[1] = -20; x[2] = 20; x[3] = 1e-8f; x[4] = -1e-8f;
        var expected = new float[x.Length];
        RowOps.Softplus<float>(x, expected);
        SureDecider.Softplus(x, new float[x.Length], new float[x.Length]);
        Assert.Equal(expected, x);
    }
}
