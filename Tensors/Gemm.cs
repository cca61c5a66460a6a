using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sure.Tensors;

/// <summary>
/// General matrix multiply on row-major spans: a packed, cache-blocked GEMM in the GotoBLAS/BLIS
/// style. Loops: columns of C in NC blocks, k in KC blocks (pack a KC x NC panel of B), rows of C in
/// MC blocks (pack an MC x KC block of A), then an MR x NR register-tiled microkernel.
/// </summary>
public static class Gemm
{
    // KC * NR floats (16 KiB) keep one B micro-panel in L1; MC * KC floats (144 KiB) keep the packed
    // A block in L2; NC * KC floats (3 MiB) keep the packed B panel in L3.
    internal const int KC = 256;
    internal const int MC = 144;
    internal const int NC = 3072;

    // a: [m, k], or [k, m] when transA
    // b: [k, n], or [n, k] when transB
    // c: [m, n]; c = op(a) @ op(b), or c += op(a) @ op(b) when accumulate
    public static void Multiply<T>(ReadOnlySpan<T> a, bool transA, ReadOnlySpan<T> b, bool transB, Span<T> c,
        int m, int n, int k, bool accumulate = false, int threads = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Multiply(a, transA, b, transB, c, m, n, k, accumulate, threads, portable: false);

    // Same contract; portable forces the scalar microkernel (tests use it to cover the fallback).
    internal static unsafe void Multiply<T>(ReadOnlySpan<T> a, bool transA, ReadOnlySpan<T> b, bool transB, Span<T> c,
        int m, int n, int k, bool accumulate, int threads, bool portable)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (a.Length < (long)m * k) throw new ArgumentException($"a holds {a.Length} values, needs {(long)m * k}", nameof(a));
        if (b.Length < (long)k * n) throw new ArgumentException($"b holds {b.Length} values, needs {(long)k * n}", nameof(b));
        if (c.Length < (long)m * n) throw new ArgumentException($"c holds {c.Length} values, needs {(long)m * n}", nameof(c));
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) c[..(m * n)].Clear();
            return;
        }

        if (m <= 2 && n >= 32 && !transB && !portable)
        {
            MultiplyFewRows(a, transA, b, c, m, n, k, accumulate);
            return;
        }

        var kernel = GemmKernels.Select<T>(portable);
        fixed (T* pa = a, pb = b, pc = c)
        {
            var job = new Job<T>(pa, transA, pb, transB, pc, m, n, k, accumulate, kernel);
            int parts = PartCount(m, n, k, threads, kernel, out bool splitColumns);
            if (parts <= 1)
            {
                job.Run(0, m, 0, n);
                return;
            }
            RunParallel(job, parts, splitColumns);
        }
    }

    // With one or two rows, a 6-row register tile is mostly padding and packing B costs as much as the
    // product itself: stream each row of B once into the rows of C instead (c_i += a_ip * b_p).
    static void MultiplyFewRows<T>(ReadOnlySpan<T> a, bool transA, ReadOnlySpan<T> b, Span<T> c,
        int m, int n, int k, bool accumulate) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            Span<T> cRow = c.Slice(i * n, n);
            if (!accumulate) cRow.Clear();
            for (int p = 0; p < k; p++)
            {
                T aip = transA ? a[p * m + i] : a[i * k + p];
                TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), aip, cRow, cRow);
            }
        }
    }

    // Waking workers costs tens of microseconds: below ~4 MFLOP one thread finishes first.
    static int PartCount(int m, int n, int k, int threads, in KernelInfo kernel, out bool splitColumns)
    {
        splitColumns = n >= m;
        if (threads <= 1 || (long)m * n * k < 128L * 128 * 128) return 1;
        int tiles = splitColumns ? (n + kernel.NR - 1) / kernel.NR : (m + kernel.MR - 1) / kernel.MR;
        return Math.Min(threads, Math.Max(1, tiles / 2));
    }

    // Each part owns a disjoint slice of C's columns (or rows) and its own packing buffers.
    static void RunParallel<T>(Job<T> job, int parts, bool splitColumns) where T : unmanaged
    {
        int extent = splitColumns ? job.N : job.M;
        int step = splitColumns ? job.Kernel.NR : job.Kernel.MR;
        int tiles = (extent + step - 1) / step;
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
        {
            int from = (int)((long)tiles * part / parts) * step;
            int to = Math.Min(extent, (int)((long)tiles * (part + 1) / parts) * step);
            if (from >= to) return;
            if (splitColumns) job.Run(0, job.M, from, to);
            else job.Run(from, to, 0, job.N);
        });
    }

    /// <summary>One product's operands as raw pointers, so that worker threads can share them.</summary>
    readonly unsafe struct Job<T>(T* a, bool transA, T* b, bool transB, T* c, int m, int n, int k,
        bool accumulate, KernelInfo kernel) where T : unmanaged
    {
        public readonly int M = m, N = n;
        public readonly KernelInfo Kernel = kernel;

        // Computes the block rows [i0, i1) x columns [j0, j1) of C on the calling thread.
        // AggressiveOptimization: the hot loops skip tier-0 code, so the first calls are fast too.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int i0, int i1, int j0, int j1)
        {
            int mr = Kernel.MR, nr = Kernel.NR;
            // Even k blocks: k = 260 runs as 130 + 130 rather than 256 + 4, which would pay a whole
            // extra pass over C for four steps.
            int kBlocks = (k + KC - 1) / KC;
            int kcMax = (k + kBlocks - 1) / kBlocks;
            int ncMax = RoundUp(Math.Min(NC, j1 - j0), nr);
            int mcMax = RoundUp(Math.Min(MC, i1 - i0), mr);
            T* packedB = Scratch<T>.B(kcMax * ncMax);
            T* packedA = Scratch<T>.A(kcMax * mcMax);
            var micro = (delegate*<int, T*, T*, T*, int, int, int, bool, void>)Kernel.Micro;

            for (int jc = j0; jc < j1; jc += NC)
            {
                int nc = Math.Min(NC, j1 - jc);
                for (int pc = 0; pc < k; pc += kcMax)
                {
                    int kc = Math.Min(kcMax, k - pc);
                    // The first k block overwrites C unless the caller asked to accumulate.
                    bool add = accumulate || pc > 0;
                    PackB(packedB, pc, kc, jc, nc, nr);
                    for (int ic = i0; ic < i1; ic += MC)
                    {
                        int mc = Math.Min(MC, i1 - ic);
                        PackA(packedA, ic, mc, pc, kc, mr);
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int nrUsed = Math.Min(nr, nc - jr);
                            T* bPanel = packedB + (long)jr * kc;
                            for (int ir = 0; ir < mc; ir += mr)
                            {
                                T* cTile = c + (long)(ic + ir) * N + jc + jr;
                                micro(kc, packedA + (long)ir * kc, bPanel, cTile, N, Math.Min(mr, mc - ir), nrUsed, add);
                            }
                        }
                    }
                }
            }
        }

        // Packs rows [i0, i0+mc) x k-range [p0, p0+kc) of op(a) into micro-panels of mr rows:
        // panel q holds element (row r, step p) at q*mr*kc + p*mr + r; rows past the edge are zero.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void PackA(T* dst, int i0, int mc, int p0, int kc, int mr)
        {
            for (int ir = 0; ir < mc; ir += mr)
            {
                int rows = Math.Min(mr, mc - ir);
                T* panel = dst + (long)ir * kc;
                if (rows < mr) new Span<T>(panel, mr * kc).Clear();
                if (transA && typeof(T) == typeof(float) && rows == 6 && mr == 6 && Sse.IsSupported)
                {
                    GemmPacking.SixRowsFloatTransposed((float*)(a + (long)p0 * M + i0 + ir), M, kc, (float*)panel);
                }
                else if (transA)
                {
                    // a is [k, m]: the mr values of one k step are contiguous.
                    for (int p = 0; p < kc; p++)
                    {
                        T* src = a + (long)(p0 + p) * M + i0 + ir;
                        T* to = panel + p * mr;
                        for (int r = 0; r < rows; r++) to[r] = src[r];
                    }
                }
                else if (typeof(T) == typeof(float) && rows == 6 && mr == 6 && Sse.IsSupported)
                {
                    GemmPacking.SixRowsFloat((float*)(a + (long)(i0 + ir) * k + p0), k, kc, (float*)panel);
                }
                else
                {
                    for (int r = 0; r < rows; r++)
                    {
                        T* src = a + (long)(i0 + ir + r) * k + p0;
                        T* to = panel + r;
                        for (int p = 0; p < kc; p++) to[p * mr] = src[p];
                    }
                }
            }
        }

        // Packs k-range [p0, p0+kc) x columns [j0, j0+nc) of op(b) into micro-panels of nr columns:
        // panel q holds element (step p, column j) at q*nr*kc + p*nr + j; columns past the edge are zero.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void PackB(T* dst, int p0, int kc, int j0, int nc, int nr)
        {
            for (int jr = 0; jr < nc; jr += nr)
            {
                int cols = Math.Min(nr, nc - jr);
                T* panel = dst + (long)jr * kc;
                if (cols < nr) new Span<T>(panel, nr * kc).Clear();
                if (transB && typeof(T) == typeof(float) && cols == 16 && nr == 16 && Avx.IsSupported)
                {
                    GemmPacking.SixteenColumnsFloatTransposed((float*)(b + (long)(j0 + jr) * k + p0), k, kc, (float*)panel);
                }
                else if (transB)
                {
                    // b is [n, k]: one column of op(b) is contiguous.
                    for (int j = 0; j < cols; j++)
                    {
                        T* src = b + (long)(j0 + jr + j) * k + p0;
                        T* to = panel + j;
                        for (int p = 0; p < kc; p++) to[p * nr] = src[p];
                    }
                }
                else if (cols == nr && nr * sizeof(T) == 64 && (typeof(T) == typeof(float) || typeof(T) == typeof(double)) && Vector256.IsHardwareAccelerated)
                {
                    // One packed row of a full panel is one cache line: two vector moves.
                    for (int p = 0; p < kc; p++)
                    {
                        T* src = b + (long)(p0 + p) * N + j0 + jr;
                        T* to = panel + p * nr;
                        Vector256.Store(Vector256.Load(src), to);
                        Vector256.Store(Vector256.Load(src + 32 / sizeof(T)), to + 32 / sizeof(T));
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                        new ReadOnlySpan<T>(b + (long)(p0 + p) * N + j0 + jr, cols).CopyTo(new Span<T>(panel + p * nr, cols));
                }
            }
        }
    }

    static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    /// <summary>
    /// Per-thread packing buffers, grown on demand and never shrunk, so that steady-state calls allocate
    /// nothing. They live on the pinned object heap (stable addresses) and are handed out 64-byte aligned
    /// so that every packed vector load stays inside one cache line.
    /// </summary>
    static unsafe class Scratch<T> where T : unmanaged
    {
        [ThreadStatic] static T[]? a;
        [ThreadStatic] static T[]? b;

        public static T* A(int length) => Aligned(ref a, length);
        public static T* B(int length) => Aligned(ref b, length);

        static T* Aligned(ref T[]? buffer, int length)
        {
            int slack = 64 / sizeof(T);
            if (buffer is null || buffer.Length < length + slack)
                buffer = GC.AllocateUninitializedArray<T>(length + slack, pinned: true);
            nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
            return (T*)((start + 63) & ~(nint)63);
        }
    }
}
