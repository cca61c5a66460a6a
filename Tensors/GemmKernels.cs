using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sure.Tensors;

/// <summary>A microkernel and its register tile: MR rows x NR columns of C per call.</summary>
/// <param name="Micro">delegate*&lt;int kc, T* packedA, T* packedB, T* c, int ldc, int rows, int cols, bool add, void&gt;</param>
readonly record struct KernelInfo(int MR, int NR, nint Micro);

/// <summary>
/// Microkernels: c[rows, cols] (row stride ldc) = or += packedA[MR, kc] @ packedB[kc, NR], reading the
/// packed layouts that Gemm.PackA / Gemm.PackB write. rows &lt;= MR and cols &lt;= NR trim edge tiles;
/// the packed operands are zero-padded, so the kernel always computes the whole tile.
/// </summary>
[SkipLocalsInit]
static unsafe class GemmKernels
{
    public static KernelInfo Select<T>(bool portable) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool simd = !portable && Fma.IsSupported && Avx.IsSupported;
        if (simd && typeof(T) == typeof(float))
            return new KernelInfo(6, 16, (nint)(delegate*<int, float*, float*, float*, int, int, int, bool, void>)&Float6x16);
        if (simd && typeof(T) == typeof(double))
            return new KernelInfo(6, 8, (nint)(delegate*<int, double*, double*, double*, int, int, int, bool, void>)&Double6x8);
        return new KernelInfo(PortableMR, PortableNR, (nint)(delegate*<int, T*, T*, T*, int, int, int, bool, void>)&Portable<T>);
    }

    // 12 accumulators + 2 B vectors + 1 broadcast A value = 15 of the 16 ymm registers; 12 independent
    // FMA chains cover the FMA latency x throughput of current x64 cores.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Float6x16(int kc, float* a, float* b, float* c, int ldc, int rows, int cols, bool add)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Avx.LoadVector256(b);
            var b1 = Avx.LoadVector256(b + 8);
            var x = Avx.BroadcastScalarToVector256(a);
            c00 = Fma.MultiplyAdd(x, b0, c00); c01 = Fma.MultiplyAdd(x, b1, c01);
            x = Avx.BroadcastScalarToVector256(a + 1);
            c10 = Fma.MultiplyAdd(x, b0, c10); c11 = Fma.MultiplyAdd(x, b1, c11);
            x = Avx.BroadcastScalarToVector256(a + 2);
            c20 = Fma.MultiplyAdd(x, b0, c20); c21 = Fma.MultiplyAdd(x, b1, c21);
            x = Avx.BroadcastScalarToVector256(a + 3);
            c30 = Fma.MultiplyAdd(x, b0, c30); c31 = Fma.MultiplyAdd(x, b1, c31);
            x = Avx.BroadcastScalarToVector256(a + 4);
            c40 = Fma.MultiplyAdd(x, b0, c40); c41 = Fma.MultiplyAdd(x, b1, c41);
            x = Avx.BroadcastScalarToVector256(a + 5);
            c50 = Fma.MultiplyAdd(x, b0, c50); c51 = Fma.MultiplyAdd(x, b1, c51);
            a += 6;
            b += 16;
        }

        if (rows == 6 && cols == 16)
        {
            StoreRow(c, c00, c01, add); StoreRow(c + ldc, c10, c11, add); StoreRow(c + 2 * ldc, c20, c21, add);
            StoreRow(c + 3 * ldc, c30, c31, add); StoreRow(c + 4 * ldc, c40, c41, add); StoreRow(c + 5 * ldc, c50, c51, add);
            return;
        }
        float* tile = stackalloc float[6 * 16];
        StoreRow(tile, c00, c01, false); StoreRow(tile + 16, c10, c11, false); StoreRow(tile + 32, c20, c21, false);
        StoreRow(tile + 48, c30, c31, false); StoreRow(tile + 64, c40, c41, false); StoreRow(tile + 80, c50, c51, false);
        StoreEdge(tile, 16, c, ldc, rows, cols, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StoreRow(float* c, Vector256<float> x0, Vector256<float> x1, bool add)
    {
        if (add)
        {
            x0 = Avx.Add(x0, Avx.LoadVector256(c));
            x1 = Avx.Add(x1, Avx.LoadVector256(c + 8));
        }
        Avx.Store(c, x0);
        Avx.Store(c + 8, x1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Double6x8(int kc, double* a, double* b, double* c, int ldc, int rows, int cols, bool add)
    {
        Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<double> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Avx.LoadVector256(b);
            var b1 = Avx.LoadVector256(b + 4);
            var x = Avx.BroadcastScalarToVector256(a);
            c00 = Fma.MultiplyAdd(x, b0, c00); c01 = Fma.MultiplyAdd(x, b1, c01);
            x = Avx.BroadcastScalarToVector256(a + 1);
            c10 = Fma.MultiplyAdd(x, b0, c10); c11 = Fma.MultiplyAdd(x, b1, c11);
            x = Avx.BroadcastScalarToVector256(a + 2);
            c20 = Fma.MultiplyAdd(x, b0, c20); c21 = Fma.MultiplyAdd(x, b1, c21);
            x = Avx.BroadcastScalarToVector256(a + 3);
            c30 = Fma.MultiplyAdd(x, b0, c30); c31 = Fma.MultiplyAdd(x, b1, c31);
            x = Avx.BroadcastScalarToVector256(a + 4);
            c40 = Fma.MultiplyAdd(x, b0, c40); c41 = Fma.MultiplyAdd(x, b1, c41);
            x = Avx.BroadcastScalarToVector256(a + 5);
            c50 = Fma.MultiplyAdd(x, b0, c50); c51 = Fma.MultiplyAdd(x, b1, c51);
            a += 6;
            b += 8;
        }

        if (rows == 6 && cols == 8)
        {
            StoreRow(c, c00, c01, add); StoreRow(c + ldc, c10, c11, add); StoreRow(c + 2 * ldc, c20, c21, add);
            StoreRow(c + 3 * ldc, c30, c31, add); StoreRow(c + 4 * ldc, c40, c41, add); StoreRow(c + 5 * ldc, c50, c51, add);
            return;
        }
        double* tile = stackalloc double[6 * 8];
        StoreRow(tile, c00, c01, false); StoreRow(tile + 8, c10, c11, false); StoreRow(tile + 16, c20, c21, false);
        StoreRow(tile + 24, c30, c31, false); StoreRow(tile + 32, c40, c41, false); StoreRow(tile + 40, c50, c51, false);
        StoreEdge(tile, 8, c, ldc, rows, cols, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StoreRow(double* c, Vector256<double> x0, Vector256<double> x1, bool add)
    {
        if (add)
        {
            x0 = Avx.Add(x0, Avx.LoadVector256(c));
            x1 = Avx.Add(x1, Avx.LoadVector256(c + 4));
        }
        Avx.Store(c, x0);
        Avx.Store(c + 4, x1);
    }

    // tile: [MR, tileStride] finished products; copies the rows x cols corner that lies inside C.
    static void StoreEdge<T>(T* tile, int tileStride, T* c, int ldc, int rows, int cols, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++)
                c[r * ldc + j] = add ? c[r * ldc + j] + tile[r * tileStride + j] : tile[r * tileStride + j];
    }

    // Scalar fallback for any T, and for float/double where AVX + FMA are missing.
    const int PortableMR = 4, PortableNR = 4;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Portable<T>(int kc, T* a, T* b, T* c, int ldc, int rows, int cols, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* tile = stackalloc T[PortableMR * PortableNR];
        new Span<T>(tile, PortableMR * PortableNR).Clear();
        for (int p = 0; p < kc; p++)
        {
            for (int r = 0; r < PortableMR; r++)
            {
                T x = a[r];
                for (int j = 0; j < PortableNR; j++) tile[r * PortableNR + j] += x * b[j];
            }
            a += PortableMR;
            b += PortableNR;
        }
        StoreEdge(tile, PortableNR, c, ldc, rows, cols, add);
    }
}
