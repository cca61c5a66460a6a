using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sure.Tensors;

public static partial class Philox
{
    /// <summary>
    /// words[k] = Bits(seed, stream, first + k): eight blocks (32 words) at a time with AVX2, the partial blocks at
    /// either end and machines without AVX2 through <see cref="FillBitsScalar"/>, its scalar path.
    /// </summary>
    public static void FillBits(ulong seed, ulong stream, ulong first, Span<uint> words)
    {
        if (!Avx2.IsSupported)
        {
            FillBitsScalar(seed, stream, first, words);
            return;
        }
        // Up to the first block boundary one word at a time.
        int k = 0;
        for (; k < words.Length && (first + (ulong)k) % 4 != 0; k++) words[k] = Bits(seed, stream, first + (ulong)k);
        for (; k + 32 <= words.Length; k += 32)
        {
            ulong block = (first + (ulong)k) / 4;
            if ((uint)block > uint.MaxValue - 7) break;   // the low counter word wraps inside these eight: scalar
            Blocks8(seed, stream, block, words.Slice(k, 32));
        }
        FillBitsScalar(seed, stream, first + (ulong)k, words[k..]);
    }

    /// <summary>The scalar path of <see cref="FillBits"/>: one block per four words.</summary>
    public static void FillBitsScalar(ulong seed, ulong stream, ulong first, Span<uint> words)
    {
        for (int k = 0; k < words.Length; k++) words[k] = Bits(seed, stream, first + (ulong)k);
    }

    // Blocks firstBlock .. firstBlock + 7 of (seed, stream) into words [32], in position order. The caller checks that
    // the low counter word does not wrap inside them.
    static void Blocks8(ulong seed, ulong stream, ulong firstBlock, Span<uint> words)
    {
        Vector256<uint> c0 = Vector256.Create((uint)firstBlock) + Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
        Vector256<uint> c1 = Vector256.Create((uint)(firstBlock >> 32));
        Vector256<uint> c2 = Vector256.Create((uint)stream), c3 = Vector256.Create((uint)(stream >> 32));
        Vector256<uint> k0 = Vector256.Create((uint)seed), k1 = Vector256.Create((uint)(seed >> 32));
        Vector256<uint> m0 = Vector256.Create(M0), m1 = Vector256.Create(M1), w0 = Vector256.Create(W0), w1 = Vector256.Create(W1);
        for (int round = 0; round < 10; round++)
        {
            if (round > 0) { k0 += w0; k1 += w1; }
            var hi0 = MultiplyHigh(c0, m0);
            var lo0 = Avx2.MultiplyLow(c0, m0);
            var hi1 = MultiplyHigh(c2, m1);
            var lo1 = Avx2.MultiplyLow(c2, m1);
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
        }
        // Lane j of c0..c3 holds block j's four words: a 4 x 8 transpose puts them in position order.
        var t0 = Avx2.UnpackLow(c0, c1);    // blocks 0, 1 | 4, 5 of words 0, 1
        var t1 = Avx2.UnpackHigh(c0, c1);   // blocks 2, 3 | 6, 7 of words 0, 1
        var t2 = Avx2.UnpackLow(c2, c3);
        var t3 = Avx2.UnpackHigh(c2, c3);
        var b04 = Avx2.UnpackLow(t0.AsUInt64(), t2.AsUInt64()).AsUInt32();
        var b15 = Avx2.UnpackHigh(t0.AsUInt64(), t2.AsUInt64()).AsUInt32();
        var b26 = Avx2.UnpackLow(t1.AsUInt64(), t3.AsUInt64()).AsUInt32();
        var b37 = Avx2.UnpackHigh(t1.AsUInt64(), t3.AsUInt64()).AsUInt32();
        ref uint start = ref MemoryMarshal.GetReference(words);
        Avx2.Permute2x128(b04, b15, 0x20).StoreUnsafe(ref start, 0);
        Avx2.Permute2x128(b26, b37, 0x20).StoreUnsafe(ref start, 8);
        Avx2.Permute2x128(b04, b15, 0x31).StoreUnsafe(ref start, 16);
        Avx2.Permute2x128(b26, b37, 0x31).StoreUnsafe(ref start, 24);
    }

    // High 32 bits of the 64-bit products a[j] * m[j]: vpmuludq multiplies the even lanes, so the odd lanes go
    // through a second one after a shift, and a blend puts the two halves back in lane order.
    static Vector256<uint> MultiplyHigh(Vector256<uint> a, Vector256<uint> m)
    {
        var even = Avx2.Multiply(a, m);
        var odd = Avx2.Multiply(Avx2.ShiftRightLogical(a.AsUInt64(), 32).AsUInt32(), m);
        return Avx2.Blend(Avx2.ShiftRightLogical(even, 32).AsUInt32(), odd.AsUInt32(), 0b10101010);
    }
}
