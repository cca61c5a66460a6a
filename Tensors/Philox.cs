using System.Numerics;
using System.Runtime.CompilerServices;

namespace Sure.Tensors;

/// <summary>
/// Counter-based Philox4x32-10 (Salmon, Moraes, Dror, Shaw, SC'11, "Parallel random numbers: as easy as 1, 2, 3").
/// Every value is a pure function of (seed, stream, index), so a GPU kernel that follows the mapping
/// below draws bit-identical 32-bit words for the same position.
/// <para>Position to Philox input (index = the element position, 0-based):</para>
/// <code>
/// key     = (k0, k1)         = (lo32(seed), hi32(seed))
/// counter = (c0, c1, c2, c3) = (lo32(index / 4), hi32(index / 4), lo32(stream), hi32(stream))
/// word    = philox4x32_10(counter, key)[index % 4]
/// </code>
/// <para>Word to value:</para>
/// <code>
/// uniform double = (word + 0.5) * 2^-32              exact, in [2^-33, 1 - 2^-33]
/// uniform float  = ((word >> 9) + 0.5) * 2^-23       exact, in [2^-24, 1 - 2^-24]
/// gumbel         = -ln(-ln(uniform))                  same position as the uniform
/// normal at index 4b + 2p + j (p, j in {0, 1}), from the block b words w[2p] and w[2p+1]:
///     r = sqrt(-2 ln(uniform(w[2p]))),  t = 2 pi uniform(w[2p+1])
///     j = 0: r cos t,   j = 1: r sin t
/// </code>
/// Float results are computed in float arithmetic from the float uniform, double results in double;
/// transcendental functions may differ by an ulp between CPU and GPU libraries, the words never do.
/// </summary>
public static partial class Philox
{
    const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57;   // round multipliers
    const uint W0 = 0x9E3779B9, W1 = 0xBB67AE85;   // key schedule increments (golden ratio, sqrt(3) - 1)

    /// <summary>The raw Philox4x32-10 bijection of the 128-bit counter under the 64-bit key.</summary>
    public static (uint X0, uint X1, uint X2, uint X3) Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (int round = 0; round < 10; round++)
        {
            if (round > 0) { k0 += W0; k1 += W1; }
            ulong p0 = (ulong)M0 * c0, p1 = (ulong)M1 * c2;
            uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0, n1 = (uint)p1;
            uint n2 = (uint)(p0 >> 32) ^ c3 ^ k1, n3 = (uint)p0;
            c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        }
        return (c0, c1, c2, c3);
    }

    /// <summary>Block number <paramref name="block"/> of the (seed, stream) sequence: the words of indices 4*block..4*block+3.</summary>
    public static (uint X0, uint X1, uint X2, uint X3) Block(ulong seed, ulong stream, ulong block)
        => Block((uint)block, (uint)(block >> 32), (uint)stream, (uint)(stream >> 32), (uint)seed, (uint)(seed >> 32));

    /// <summary>The 32-bit word at position <paramref name="index"/>.</summary>
    public static uint Bits(ulong seed, ulong stream, ulong index)
    {
        var b = Block(seed, stream, index / 4);
        return (index % 4) switch { 0 => b.X0, 1 => b.X1, 2 => b.X2, _ => b.X3 };
    }

    /// <summary>
    /// Box-Muller in float on a radius word and an angle word: sqrt(-2 ln u_r) cos t, t = 2 pi u_a, with t - pi/2 (for
    /// sin t) when <paramref name="second"/>. The SURE decision's normals (Policy/Decision/DecisionNoise.cs, and the device
    /// decision's kernels) take the second value of a pair this way so that one vectorised cosine serves both.
    /// </summary>
    public static float BoxMullerCosine(uint radiusWord, uint angleWord, bool second)
    {
        float t = MathF.Tau * ToUniformSingle(angleWord);
        if (second) t -= MathF.PI / 2;
        return MathF.Sqrt(-2f * MathF.Log(ToUniformSingle(radiusWord))) * MathF.Cos(t);
    }

    public static float ToUniformSingle(uint word) => ((word >> 9) + 0.5f) * (1f / (1 << 23));
    public static double ToUniformDouble(uint word) => (word + 0.5) * (1.0 / 4294967296.0);

    /// <summary>Uniform in the open interval (0, 1) at position <paramref name="index"/>.</summary>
    public static T Uniform<T>(ulong seed, ulong stream, ulong index) where T : unmanaged, IFloatingPointIeee754<T>
        => ToUniform<T>(Bits(seed, stream, index));

    /// <summary>Gumbel(0, 1) at position <paramref name="index"/>.</summary>
    public static T Gumbel<T>(ulong seed, ulong stream, ulong index) where T : unmanaged, IFloatingPointIeee754<T>
        => GumbelOf(Uniform<T>(seed, stream, index));

    /// <summary>Standard normal at position <paramref name="index"/> (Box-Muller, see the class comment).</summary>
    public static T Normal<T>(ulong seed, ulong stream, ulong index) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var b = Block(seed, stream, index / 4);
        bool secondPair = (index & 2) != 0;
        var (a, c) = BoxMuller<T>(secondPair ? b.X2 : b.X0, secondPair ? b.X3 : b.X1);
        return (index & 1) == 0 ? a : c;
    }

    // y: [n]; y[i] = Uniform(seed, stream, offset + i)
    public static void FillUniform<T>(ulong seed, ulong stream, ulong offset, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => FillWords<T, UniformMap<T>>(seed, stream, offset, y);

    // y: [n]; y[i] = Gumbel(seed, stream, offset + i)
    public static void FillGumbel<T>(ulong seed, ulong stream, ulong offset, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => FillWords<T, GumbelMap<T>>(seed, stream, offset, y);

    // y: [n]; y[i] = Normal(seed, stream, offset + i)
    public static void FillNormal<T>(ulong seed, ulong stream, ulong offset, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> four = stackalloc T[4];
        int i = 0;
        while (i < y.Length)
        {
            ulong pos = offset + (ulong)i, block = pos / 4;
            int first = (int)(pos % 4), count = Math.Min(4 - first, y.Length - i);
            var b = Block(seed, stream, block);
            (four[0], four[1]) = BoxMuller<T>(b.X0, b.X1);
            (four[2], four[3]) = BoxMuller<T>(b.X2, b.X3);
            four.Slice(first, count).CopyTo(y.Slice(i, count));
            i += count;
        }
    }

    // Shared driver for the one-word-per-value distributions: one Philox block feeds four outputs.
    static void FillWords<T, TMap>(ulong seed, ulong stream, ulong offset, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> where TMap : struct, IWordMap<T>
    {
        int i = 0;
        while (i < y.Length)
        {
            ulong pos = offset + (ulong)i;
            var b = Block(seed, stream, pos / 4);
            for (int w = (int)(pos % 4); w < 4 && i < y.Length; w++, i++)
                y[i] = TMap.Map(w switch { 0 => b.X0, 1 => b.X1, 2 => b.X2, _ => b.X3 });
        }
    }

    interface IWordMap<T> { static abstract T Map(uint word); }
    readonly struct UniformMap<T> : IWordMap<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Map(uint word) => ToUniform<T>(word);
    }
    readonly struct GumbelMap<T> : IWordMap<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Map(uint word) => GumbelOf(ToUniform<T>(word));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static T ToUniform<T>(uint word) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) return Unsafe.BitCast<float, T>(ToUniformSingle(word));
        if (typeof(T) == typeof(double)) return Unsafe.BitCast<double, T>(ToUniformDouble(word));
        throw new NotSupportedException($"Philox draws float or double, not {typeof(T)}");
    }

    // u in (0, 1) strictly, so both logarithms are finite.
    static T GumbelOf<T>(T u) where T : unmanaged, IFloatingPointIeee754<T> => -T.Log(-T.Log(u));

    static (T, T) BoxMuller<T>(uint radiusWord, uint angleWord) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T two = T.CreateTruncating(2);
        T r = T.Sqrt(-two * T.Log(ToUniform<T>(radiusWord)));
        var (sin, cos) = T.SinCos(T.Tau * ToUniform<T>(angleWord));
        return (r * cos, r * sin);
    }
}
