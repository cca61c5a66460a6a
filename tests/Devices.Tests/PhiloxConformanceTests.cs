using Sure.Tensors;
using Sure.Tensors.Devices;
using Xunit.Abstractions;

namespace Sure.Devices.Tests;

/// <summary>
/// The device Philox against Sure.Tensors.Philox. Words and uniforms are integer and exact float arithmetic:
/// they must be bit-identical. Gaussian and Gumbel draws pass through log, sqrt, sin and cos, which OpenCL
/// implements to within a few ulps (not necessarily the same ulps as glibc), so they get a tolerance;
/// the test prints how many came out bit-identical anyway.
/// </summary>
public class PhiloxConformanceTests(ITestOutputHelper output)
{
    public static TheoryData<string> Backends => TestBackends.Available;

    // (seed, stream, offset): offsets not multiples of 4, and past 2^34 so the counter's high word is used.
    static readonly (ulong Seed, ulong Stream, ulong Offset)[] Positions =
    [
        (0, 0, 0), (42, 0, 3), (0x0123456789ABCDEF, 7, 1_000_001), (ulong.MaxValue, ulong.MaxValue, (1UL << 34) + 2),
    ];

    static readonly int[] Counts = [1, 7, 65, 4099];

    [Theory, MemberData(nameof(Backends))]
    public void BitsAndUniformsAreBitIdentical(string name)
    {
        var backend = TestBackends.Backend(name);
        foreach (var (seed, stream, offset) in Positions)
            foreach (int n in Counts)
            {
                var words = new int[n];
                for (int i = 0; i < n; i++) words[i] = (int)Philox.Bits(seed, stream, offset + (ulong)i);
                using var dw = backend.Allocate(ElementType.Int32, n);
                backend.Random(RandomDraw.Bits, seed, stream, offset, n, dw);
                var actualWords = new uint[n];
                backend.Download<uint>(dw, actualWords);
                Check.Same(words, Array.ConvertAll(actualWords, w => (int)w), $"bits seed={seed} stream={stream} offset={offset} n={n}");

                var uniforms = new float[n];
                Philox.FillUniform(seed, stream, offset, uniforms.AsSpan());
                using var du = backend.Allocate(ElementType.Float32, n);
                backend.Random(RandomDraw.Uniform, seed, stream, offset, n, du);
                Check.Same(uniforms, backend.Floats(du), $"uniform seed={seed} stream={stream} offset={offset} n={n}");
            }
    }

    // Known-answer test, so that CPU and device cannot agree on a wrong generator: Philox4x32-10 of counter
    // (0, 0, 0, 0) under key (0, 0) is 6627e8d5 e169c58d bc57ac4c 9b00dbd8 (Random123's published vectors).
    [Theory, MemberData(nameof(Backends))]
    public void BitsMatchThePublishedKnownAnswer(string name)
    {
        var backend = TestBackends.Backend(name);
        using var dw = backend.Allocate(ElementType.Int32, 4);
        backend.Random(RandomDraw.Bits, 0, 0, 0, 4, dw);
        var words = new uint[4];
        backend.Download<uint>(dw, words);
        Assert.Equal([0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u], words);
    }

    // Gaussian: |z - ref| <= 2e-6 * (1 + |ref|). Box-Muller's r = sqrt(-2 ln u) is at most 5.8 for float
    // uniforms; a few ulps of log, sqrt and sin/cos give well under 1e-6 relative on each factor.
    // Gumbel: |g - ref| <= 2e-6 * (1 + |ref|), from two nested logs of a few ulps each.
    [Theory, MemberData(nameof(Backends))]
    public void GaussianAndGumbelAgreeWithinTolerance(string name)
    {
        var backend = TestBackends.Backend(name);
        foreach (var draw in new[] { RandomDraw.Gaussian, RandomDraw.Gumbel })
        {
            int total = 0, identical = 0;
            double worst = 0;
            foreach (var (seed, stream, offset) in Positions)
                foreach (int n in Counts)
                {
                    var expected = new float[n];
                    if (draw == RandomDraw.Gaussian) Philox.FillNormal(seed, stream, offset, expected.AsSpan());
                    else Philox.FillGumbel(seed, stream, offset, expected.AsSpan());
                    using var dy = backend.Allocate(ElementType.Float32, n);
                    backend.Random(draw, seed, stream, offset, n, dy);
                    var actual = backend.Floats(dy);
                    Check.Close(expected, actual, 2e-6, 2e-6, $"{draw} seed={seed} stream={stream} offset={offset} n={n}");
                    for (int i = 0; i < n; i++)
                    {
                        total++;
                        if (expected[i] == actual[i]) identical++;
                        worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]) / (1 + Math.Abs(expected[i])));
                    }
                }
            output.WriteLine($"{name} {draw}: {identical}/{total} bit-identical, worst |d| / (1 + |ref|) = {worst:G3}");
        }
    }
}
