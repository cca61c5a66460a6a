namespace Sure.Tensors.Tests;

/// <summary>Every vector path against its scalar path, on every length 1..256 (and at awkward offsets).</summary>
public class SimdTests
{
    public static TheoryData<int> Lengths() { var data = new TheoryData<int>(); for (int n = 1; n <= 256; n++) data.Add(n); return data; }

    static float[] Values(int n, int seed)
    {
        var x = new float[n];
        Philox.FillNormal(7, (ulong)seed, 0, x.AsSpan());
        for (int i = 0; i < n; i++) x[i] *= i % 5 == 0 ? 1e-4f : 12f;
        // softplus' edges: zero, both signs of tiny, large of both signs
        float[] edges = [0f, -0f, 1e-8f, -1e-8f, 20f, -20f, 90f, -90f];
        for (int i = 0; i < Math.Min(n, edges.Length); i++) x[(i * 37) % n] = edges[i];
        return x;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Softplus_finish_vector_equals_scalar(int n)
    {
        var x = Values(n, 1);
        var e = x.Select(v => MathF.Exp(-MathF.Abs(v))).ToArray();
        var logU = e.Select(v => MathF.Log(v + 1f)).ToArray();
        var vector = new float[n];
        var scalar = new float[n];
        Simd.Map<SoftplusFinish>(x, e, logU, vector);
        Simd.MapScalar<SoftplusFinish>(x, e, logU, scalar);
        Assert.Equal(scalar, vector);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void In_place_softplus_is_rowops_softplus_bit_for_bit(int n)
    {
        var x = Values(n, 2);
        var expected = new float[n];
        RowOps.Softplus<float>(x, expected);
        RowOps.Softplus(x, new float[n], new float[n]);
        Assert.Equal(expected, x);
    }

    [Fact]
    public void Map_refuses_spans_of_different_lengths() =>
        Assert.Throws<ArgumentException>(() => Simd.Map<SoftplusFinish>(new float[4], new float[4], new float[3], new float[4]));

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Vector_philox_words_equal_the_scalar_ones(int n)
    {
        // Starts on a block boundary, inside a block, and where the low word of the block counter wraps inside the run.
        ulong[] firsts = [0, 1, 3, 4 * 1000 + 2, 4 * (ulong)(uint.MaxValue - 3), 4 * 0x3_FFFF_FFF0UL + 1];
        foreach (ulong first in firsts)
        {
            var vector = new uint[n];
            var scalar = new uint[n];
            Philox.FillBits(0xDEADBEEF12345678UL, 0x1_0000_0003UL, first, vector);
            Philox.FillBitsScalar(0xDEADBEEF12345678UL, 0x1_0000_0003UL, first, scalar);
            Assert.Equal(scalar, vector);
        }
    }

    [Fact]
    public void Philox_words_are_the_published_block_at_position_zero()
    {
        // Philox4x32-10 with counter 0 and key 0: the Random123 known-answer vector (Salmon et al., SC'11, kat_vectors).
        var words = new uint[40];
        Philox.FillBits(0, 0, 0, words);
        Assert.Equal(new uint[] { 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8 }, words[..4]);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Quarter_turn_back_vector_equals_scalar(int n)
    {
        var angle = Values(n, 9).Select(MathF.Abs).ToArray();
        var radius = Values(n, 10);
        var vector = new float[n];
        var scalar = new float[n];
        Simd.Map<QuarterTurnBack>(angle, radius, vector);
        Simd.MapScalar<QuarterTurnBack>(angle, radius, scalar);
        Assert.Equal(scalar, vector);
        for (int k = 0; k < n; k++) Assert.Equal(radius[k] < 0 ? angle[k] - MathF.PI / 2 : angle[k], vector[k]);
    }
}
