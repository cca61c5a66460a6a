using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sure.Tensors;

/// <summary>SIMD fast paths for the packing loops that the float benchmark shapes hit most.</summary>
static unsafe class GemmPacking
{
    // src: six rows of op(a), row stride lda, kc values each
    // dst: [kc, 6], the micro-panel layout of the 6x16 float kernel
    // A scalar loop spends one store per element; 4x4 transposes in SSE registers cut that to a third.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SixRowsFloat(float* src, long lda, int kc, float* dst)
    {
        float* r0 = src, r1 = src + lda, r2 = src + 2 * lda, r3 = src + 3 * lda, r4 = src + 4 * lda, r5 = src + 5 * lda;
        int p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            // Rows 0-3, steps p..p+3 -> one 4-vector per step.
            var a0 = Sse.LoadVector128(r0 + p);
            var a1 = Sse.LoadVector128(r1 + p);
            var a2 = Sse.LoadVector128(r2 + p);
            var a3 = Sse.LoadVector128(r3 + p);
            var lo01 = Sse.UnpackLow(a0, a1);   // r0p0 r1p0 r0p1 r1p1
            var lo23 = Sse.UnpackLow(a2, a3);   // r2p0 r3p0 r2p1 r3p1
            var hi01 = Sse.UnpackHigh(a0, a1);  // r0p2 r1p2 r0p3 r1p3
            var hi23 = Sse.UnpackHigh(a2, a3);  // r2p2 r3p2 r2p3 r3p3
            // Rows 4-5 -> one pair per step.
            var e45lo = Sse.UnpackLow(Sse.LoadVector128(r4 + p), Sse.LoadVector128(r5 + p));  // p0 pair, p1 pair
            var e45hi = Sse.UnpackHigh(Sse.LoadVector128(r4 + p), Sse.LoadVector128(r5 + p)); // p2 pair, p3 pair

            float* to = dst + p * 6;
            Sse.Store(to, Sse.MoveLowToHigh(lo01, lo23));
            Sse.StoreLow(to + 4, e45lo);
            Sse.Store(to + 6, Sse.MoveHighToLow(lo23, lo01));
            Sse.StoreHigh(to + 10, e45lo);
            Sse.Store(to + 12, Sse.MoveLowToHigh(hi01, hi23));
            Sse.StoreLow(to + 16, e45hi);
            Sse.Store(to + 18, Sse.MoveHighToLow(hi23, hi01));
            Sse.StoreHigh(to + 22, e45hi);
        }
        for (; p < kc; p++)
        {
            float* to = dst + p * 6;
            to[0] = r0[p]; to[1] = r1[p]; to[2] = r2[p]; to[3] = r3[p]; to[4] = r4[p]; to[5] = r5[p];
        }
    }

    // src: op(a) columns stored as rows (a is [k, m]): step p of the six rows starts at src + p * lda
    // dst: [kc, 6]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SixRowsFloatTransposed(float* src, long lda, int kc, float* dst)
    {
        for (int p = 0; p < kc; p++, src += lda, dst += 6)
        {
            Sse.Store(dst, Sse.LoadVector128(src));
            *(ulong*)(dst + 4) = *(ulong*)(src + 4);
        }
    }

    // src: sixteen columns of op(b) stored as rows (b is [n, k]), row stride ldb, kc values each
    // dst: [kc, 16], the micro-panel layout of the 6x16 float kernel
    // Strided scalar stores would touch 16 cache lines per step; 8x8 transposes in AVX registers write
    // whole half-lines instead.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SixteenColumnsFloatTransposed(float* src, long ldb, int kc, float* dst)
    {
        for (int half = 0; half < 16; half += 8)
        {
            float* col = src + half * ldb;
            int p = 0;
            for (; p + 8 <= kc; p += 8)
            {
                // x_i: column i, steps p..p+7
                var t0 = Avx.UnpackLow(Avx.LoadVector256(col + p), Avx.LoadVector256(col + ldb + p));
                var t1 = Avx.UnpackHigh(Avx.LoadVector256(col + p), Avx.LoadVector256(col + ldb + p));
                var t2 = Avx.UnpackLow(Avx.LoadVector256(col + 2 * ldb + p), Avx.LoadVector256(col + 3 * ldb + p));
                var t3 = Avx.UnpackHigh(Avx.LoadVector256(col + 2 * ldb + p), Avx.LoadVector256(col + 3 * ldb + p));
                var t4 = Avx.UnpackLow(Avx.LoadVector256(col + 4 * ldb + p), Avx.LoadVector256(col + 5 * ldb + p));
                var t5 = Avx.UnpackHigh(Avx.LoadVector256(col + 4 * ldb + p), Avx.LoadVector256(col + 5 * ldb + p));
                var t6 = Avx.UnpackLow(Avx.LoadVector256(col + 6 * ldb + p), Avx.LoadVector256(col + 7 * ldb + p));
                var t7 = Avx.UnpackHigh(Avx.LoadVector256(col + 6 * ldb + p), Avx.LoadVector256(col + 7 * ldb + p));
                // s_q (per 128-bit lane): columns 0-3 (or 4-7) at steps q and q+4
                var s0 = Avx.Shuffle(t0, t2, 0x44);
                var s1 = Avx.Shuffle(t0, t2, 0xEE);
                var s2 = Avx.Shuffle(t1, t3, 0x44);
                var s3 = Avx.Shuffle(t1, t3, 0xEE);
                var s4 = Avx.Shuffle(t4, t6, 0x44);
                var s5 = Avx.Shuffle(t4, t6, 0xEE);
                var s6 = Avx.Shuffle(t5, t7, 0x44);
                var s7 = Avx.Shuffle(t5, t7, 0xEE);
                float* to = dst + p * 16 + half;
                Avx.Store(to, Avx.Permute2x128(s0, s4, 0x20));
                Avx.Store(to + 16, Avx.Permute2x128(s1, s5, 0x20));
                Avx.Store(to + 32, Avx.Permute2x128(s2, s6, 0x20));
                Avx.Store(to + 48, Avx.Permute2x128(s3, s7, 0x20));
                Avx.Store(to + 64, Avx.Permute2x128(s0, s4, 0x31));
                Avx.Store(to + 80, Avx.Permute2x128(s1, s5, 0x31));
                Avx.Store(to + 96, Avx.Permute2x128(s2, s6, 0x31));
                Avx.Store(to + 112, Avx.Permute2x128(s3, s7, 0x31));
            }
            for (; p < kc; p++)
                for (int j = 0; j < 8; j++)
                    dst[p * 16 + half + j] = col[j * ldb + p];
        }
    }
}
