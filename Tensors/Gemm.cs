using System.Numerics;

namespace Sure.Tensors;

/// <summary>General matrix multiply on row-major spans.</summary>
public static class Gemm
{
    // a: [m, k], or [k, m] when transA
    // b: [k, n], or [n, k] when transB
    // c: [m, n]; c = op(a) @ op(b), or c += op(a) @ op(b) when accumulate
    public static void Multiply<T>(ReadOnlySpan<T> a, bool transA, ReadOnlySpan<T> b, bool transB, Span<T> c,
        int m, int n, int k, bool accumulate = false, int threads = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Naive placeholder: replaced by the packed kernel.
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                    sum += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
                c[i * n + j] = accumulate ? c[i * n + j] + sum : sum;
            }
    }
}
