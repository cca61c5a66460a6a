using Sure.Tests;
using FsCheck;
using FsCheck.Fluent;

namespace Sure.Tensors.Tests;

public class PhiloxTests
{
    // Known-answer vectors for philox4x32 with 10 rounds from Random123 (D. E. Shaw Research), file tests/kat_vectors:
    // counter words c0..c3, key words k0 k1, expected output words.
    [Theory]
    [InlineData(0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void BlockMatchesRandom123KnownAnswers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint x0, uint x1, uint x2, uint x3)
    {
        Assert.Equal((x0, x1, x2, x3), Philox.Block(c0, c1, c2, c3, k0, k1));
    }

    [Fact]
    public void PositionMapsToDocumentedCounterAndKey()
    {
        ulong seed = 0x0123456789ABCDEF, stream = 0xFEDCBA9876543210;
        foreach (ulong index in new ulong[] { 0, 1, 2, 3, 4, 7, 0x1_0000_0003, ulong.MaxValue })
        {
            ulong block = index / 4;
            var b = Philox.Block((uint)block, (uint)(block >> 32), 0x76543210u, 0xFEDCBA98u, 0x89ABCDEFu, 0x01234567u);
            uint expected = new[] { b.X0, b.X1, b.X2, b.X3 }[index % 4];
            Assert.Equal(expected, Philox.Bits(seed, stream, index));
        }
    }

    [Fact]
    public void UniformsAreStrictlyInsideTheUnitIntervalAtTheExtremes()
    {
        Assert.Equal(Math.ScaleB(1.0, -24), Philox.ToUniformSingle(0));
        Assert.Equal(1 - Math.ScaleB(1.0, -24), Philox.ToUniformSingle(uint.MaxValue));
        Assert.Equal(Math.ScaleB(1.0, -33), Philox.ToUniformDouble(0));
        Assert.Equal(1 - Math.ScaleB(1.0, -33), Philox.ToUniformDouble(uint.MaxValue));
        Assert.True(float.IsFinite(-MathF.Log(-MathF.Log(Philox.ToUniformSingle(uint.MaxValue)))));
        Prop.ForAll(Gen.Choose(int.MinValue, int.MaxValue).ToArbitrary(), w =>
        {
            float f = Philox.ToUniformSingle((uint)w); double d = Philox.ToUniformDouble((uint)w);
            return f > 0 && f < 1 && d > 0 && d < 1 && Math.Abs(f - d) <= Math.ScaleB(1.0, -23);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void FillMatchesScalarAtAnyOffsetAndLength()
    {
        var rng = new Random(5);
        for (int trial = 0; trial < 40; trial++)
        {
            ulong seed = (ulong)rng.NextInt64(), stream = (ulong)rng.Next(4), offset = (ulong)rng.Next(0, 1000);
            int n = rng.Next(0, 23);
            CheckFill<float>(seed, stream, offset, n);
            CheckFill<double>(seed, stream, offset, n);
        }
    }

    static void CheckFill<T>(ulong seed, ulong stream, ulong offset, int n) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var u = new T[n]; var g = new T[n]; var z = new T[n];
        Philox.FillUniform(seed, stream, offset, u.AsSpan());
        Philox.FillGumbel(seed, stream, offset, g.AsSpan());
        Philox.FillNormal(seed, stream, offset, z.AsSpan());
        for (int i = 0; i < n; i++)
        {
            ulong pos = offset + (ulong)i;
            Assert.Equal(Philox.Uniform<T>(seed, stream, pos), u[i]);
            Assert.Equal(Philox.Gumbel<T>(seed, stream, pos), g[i]);
            Assert.Equal(Philox.Normal<T>(seed, stream, pos), z[i]);
        }
    }

    [Fact]
    public void BoxMullerPairsShareTheirRadiusFromTheFirstWord()
    {
        for (ulong block = 0; block < 50; block++)
        {
            var b = Philox.Block(7, 1, block);
            foreach (var (radiusWord, first) in new[] { (b.X0, 4 * block), (b.X2, 4 * block + 2) })
            {
                double a = Philox.Normal<double>(7, 1, first), c = Philox.Normal<double>(7, 1, first + 1);
                Assert.Equal(-2 * Math.Log(Philox.ToUniformDouble(radiusWord)), a * a + c * c, 1e-12);
            }
        }
    }

    const int Draws = 100_000;
    const double EulerGamma = 0.57721566490153286;

    [Fact]
    public void UniformMomentsMatch()
    {
        var (mean, variance) = Moments<double>(Philox.FillUniform, 11);
        AssertWithin(0.5, mean, Math.Sqrt(1.0 / 12 / Draws));
        AssertWithin(1.0 / 12, variance, Math.Sqrt(1.0 / 180 / Draws)); // var of (u - 1/2)^2 = 1/80 - 1/144
        var (meanF, _) = Moments<float>(Philox.FillUniform, 11);
        AssertWithin(0.5, meanF, Math.Sqrt(1.0 / 12 / Draws));
    }

    [Fact]
    public void NormalMomentsAndSymmetryMatch()
    {
        var (mean, variance) = Moments<double>(Philox.FillNormal, 12);
        AssertWithin(0, mean, 1 / Math.Sqrt(Draws));
        AssertWithin(1, variance, Math.Sqrt(2.0 / Draws));
        var z = new float[Draws];
        Philox.FillNormal(12, 0, 0, z.AsSpan());
        // Cosine and sine halves are each symmetric about 0.
        for (int half = 0; half < 2; half++)
        {
            int positive = 0, count = 0;
            for (int i = half; i < Draws; i += 2) { count++; if (z[i] > 0) positive++; }
            AssertWithin(0.5, positive / (double)count, Math.Sqrt(0.25 / count));
        }
        double cubes = 0;
        foreach (var v in z) cubes += (double)v * v * v;
        AssertWithin(0, cubes / Draws, Math.Sqrt(15.0 / Draws)); // E z^6 = 15
    }

    [Fact]
    public void GumbelMomentsMatch()
    {
        var (mean, variance) = Moments<double>(Philox.FillGumbel, 13);
        double trueVariance = Math.PI * Math.PI / 6;
        AssertWithin(EulerGamma, mean, Math.Sqrt(trueVariance / Draws));
        AssertWithin(trueVariance, variance, 0.02); // kurtosis 5.4: sd of the sample variance ~ 1.65 * sqrt(4.4 / n) ~ 0.011
        var (meanF, _) = Moments<float>(Philox.FillGumbel, 13);
        AssertWithin(EulerGamma, meanF, Math.Sqrt(trueVariance / Draws));
    }

    [Fact]
    public void SamePositionIsDeterministicAndStreamsAndSeedsDiffer()
    {
        Assert.Equal(Philox.Uniform<double>(42, 3, 1234), Philox.Uniform<double>(42, 3, 1234));
        var a = new uint[64]; var b = new uint[64]; var c = new uint[64];
        for (int i = 0; i < 64; i++)
        {
            a[i] = Philox.Bits(42, 0, (ulong)i); b[i] = Philox.Bits(42, 1, (ulong)i); c[i] = Philox.Bits(43, 0, (ulong)i);
        }
        int sameStream = 0, sameSeed = 0;
        for (int i = 0; i < 64; i++) { if (a[i] == b[i]) sameStream++; if (a[i] == c[i]) sameSeed++; }
        Assert.Equal(0, sameStream);
        Assert.Equal(0, sameSeed);
    }

    delegate void Fill<T>(ulong seed, ulong stream, ulong offset, Span<T> y);

    static (double Mean, double Variance) Moments<T>(Fill<T> fill, ulong seed) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var y = new T[Draws];
        fill(seed, 0, 0, y.AsSpan());
        double sum = 0, sumSq = 0;
        foreach (var v in y) { double x = double.CreateChecked(v); Assert.True(double.IsFinite(x)); sum += x; }
        double mean = sum / Draws;
        foreach (var v in y) { double x = double.CreateChecked(v) - mean; sumSq += x * x; }
        return (mean, sumSq / (Draws - 1));
    }

    // Within 4.5 standard errors: a false alarm is ~1e-5 per check, and the seeds are fixed anyway.
    static void AssertWithin(double expected, double actual, double standardError)
        => Assert.True(Math.Abs(actual - expected) <= 4.5 * standardError, $"expected {expected} +- {4.5 * standardError}, got {actual}");

    [Fact]
    public void FillsDoNotAllocate()
    {
        var f = new float[1001]; var d = new double[1001];
        void RunAll()
        {
            Philox.FillUniform(1, 2, 3, f.AsSpan()); Philox.FillNormal(1, 2, 3, f.AsSpan()); Philox.FillGumbel(1, 2, 3, f.AsSpan());
            Philox.FillUniform(1, 2, 3, d.AsSpan()); Philox.FillNormal(1, 2, 3, d.AsSpan()); Philox.FillGumbel(1, 2, 3, d.AsSpan());
        }
        Assert.Equal(0, Allocations.SteadyState(RunAll, warmUp: 2, calls: 1));
    }
}
