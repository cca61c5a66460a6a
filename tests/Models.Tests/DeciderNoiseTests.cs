namespace Sure.Models.Tests;

public class DeciderNoiseTests
{
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

    /// <summary>The training batches' draw (per task, vectorised) against the scalar reference, element by element,
    /// over shapes with and without neighbour slots and a padding-heavy one.</summary>
    [Theory]
    [InlineData(3, 5, 2)]
    [InlineData(1, 7, 0)]
    [InlineData(6, 60, 9)]
    [InlineData(4, 3, 11)]
    public void Draw_matches_the_scalar_fill(int n, int L, int K)
    {
        var x = new float[n * L * (1 + K)];
        var y = new float[x.Length];
        var expectedX = new float[x.Length];
        var expectedY = new float[x.Length];
        DecisionNoise.Fill(21, 1000, n, L, K, expectedX, expectedY);
        DecisionNoise.Draw(21, 1000, n, L, K, x, y, new float[DecisionNoise.DrawScratch(L, K)]);
        for (int k = 0; k < x.Length; k++)
        {
            Assert.True(Math.Abs(x[k] - expectedX[k]) <= 1e-5f * (1 + Math.Abs(expectedX[k])), $"x[{k}]: {x[k]:R}, Fill {expectedX[k]:R}");
            Assert.True(Math.Abs(y[k] - expectedY[k]) <= 1e-5f * (1 + Math.Abs(expectedY[k])), $"y[{k}]: {y[k]:R}, Fill {expectedY[k]:R}");
        }
        Assert.Throws<ArgumentException>(() => DecisionNoise.Draw(21, 1000, n, L, K, x, y, new float[DecisionNoise.DrawScratch(L, K) - 1]));
    }
}
