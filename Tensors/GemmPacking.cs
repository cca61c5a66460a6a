using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sure.Tensors;

/// <summary>SIMD fast paths for the packing loops that the float benchmark shapes hit most.</summary>
static unsafe class GemmPacking
{
    // src: six rows of op(a), row stride lda, kc values each
    // dst: [kc, 6], the micro-panel layout of the 6x16 float kernel
    // A scalar loop spends one store per element; 4x4 transposes in SSE registers cut that to a third.
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
}
