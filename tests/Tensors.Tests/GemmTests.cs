using Sure.Tests;
using FsCheck;
using FsCheck.Fluent;

namespace Sure.Tensors.Tests;

public class GemmTests
{
    // Sizes around the microkernel tiles (6, 8, 16), the block sizes (KC = 256, MC = 144), 1, and primes.
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 1, 300, 7 }, { 2, 64, 300 }, { 2, 31, 5 }, { 300, 1, 13 }, { 5, 17, 1 }, { 2, 3, 4 },
        { 6, 16, 8 }, { 7, 15, 9 }, { 12, 32, 64 }, { 11, 33, 97 }, { 13, 47, 31 },
        { 143, 145, 144 }, { 144, 16, 255 }, { 145, 17, 256 }, { 29, 95, 257 },
        { 97, 101, 103 }, { 64, 64, 64 }, { 300, 257, 300 }, { 255, 300, 143 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FloatMatchesDoubleReference(int m, int n, int k)
    {
        var rng = new Random(m * 1_000_003 + n * 1009 + k);
        var p = Problem.Random(rng, m, n, k);
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
                foreach (bool accumulate in new[] { false, true })
                    foreach (int threads in new[] { 1, 2 })
                        p.CheckFloat(transA, transB, accumulate, threads, portable: false);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DoubleMatchesDoubleReference(int m, int n, int k)
    {
        var rng = new Random(m * 7 + n * 1_000_003 + k * 31);
        var p = Problem.Random(rng, m, n, k);
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
                foreach (bool accumulate in new[] { false, true })
                    foreach (int threads in new[] { 1, 2 })
                        p.CheckDouble(transA, transB, accumulate, threads, portable: false);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 7, 3)]
    [InlineData(17, 13, 260)]
    [InlineData(150, 70, 33)]
    public void PortableKernelMatchesDoubleReference(int m, int n, int k)
    {
        var p = Problem.Random(new Random(m + n + k), m, n, k);
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
                foreach (bool accumulate in new[] { false, true })
                {
                    p.CheckFloat(transA, transB, accumulate, threads: 1, portable: true);
                    p.CheckDouble(transA, transB, accumulate, threads: 2, portable: true);
                }
    }

    [Fact]
    public void RandomShapesMatchReference()
    {
        var shapes =
            from m in Gen.Choose(1, 120)
            from n in Gen.Choose(1, 120)
            from k in Gen.Choose(1, 300)
            from flags in Gen.Choose(0, 15)
            from threads in Gen.Choose(1, 3)
            select (m, n, k, flags, threads);
        Prop.ForAll(shapes.ToArbitrary(), s =>
        {
            var p = Problem.Random(new Random(s.m ^ (s.n << 10) ^ (s.k << 20)), s.m, s.n, s.k);
            bool transA = (s.flags & 1) != 0, transB = (s.flags & 2) != 0, accumulate = (s.flags & 4) != 0;
            if ((s.flags & 8) != 0) p.CheckDouble(transA, transB, accumulate, s.threads, portable: false);
            else p.CheckFloat(transA, transB, accumulate, s.threads, portable: false);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void MatchesHandComputedProduct()
    {
        // [1 2; 3 4] @ [5 6; 7 8] = [19 22; 43 50]
        float[] a = [1, 2, 3, 4], b = [5, 6, 7, 8], c = new float[4];
        Gemm.Multiply<float>(a, false, b, false, c, 2, 2, 2);
        Assert.Equal([19f, 22f, 43f, 50f], c);
        // [1 3; 2 4]^T @ [5 7; 6 8]^T is the same product.
        float[] at = [1, 3, 2, 4], bt = [5, 7, 6, 8];
        Gemm.Multiply<float>(at, true, bt, true, c, 2, 2, 2, accumulate: true);
        Assert.Equal([38f, 44f, 86f, 100f], c);
    }

    [Fact]
    public void EmptyInnerDimensionClearsOrKeepsC()
    {
        float[] c = [1, 2, 3, 4, 5, 6];
        Gemm.Multiply<float>([], false, [], false, c, 2, 3, 0, accumulate: true);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], c);
        Gemm.Multiply<float>([], false, [], false, c, 2, 3, 0);
        Assert.All(c, x => Assert.Equal(0f, x));
    }

    [Fact]
    public void ShortSpansAreRejected()
    {
        Assert.Throws<ArgumentException>(() => Gemm.Multiply<float>(new float[5], false, new float[6], false, new float[4], 2, 2, 3));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply<float>(new float[6], false, new float[6], false, new float[3], 2, 2, 3));
    }

    [Fact]
    public void SteadyStateSingleThreadedCallsAllocateNothing()
    {
        const int size = 200;
        var a = new float[size * size];
        var b = new float[size * size];
        var c = new float[size * size];
        var ad = new double[size * size];
        var cd = new double[size * size];
        Assert.Equal(0, Allocations.SteadyState(() =>
        {
            Gemm.Multiply<float>(a, false, b, true, c, size, size, size);
            Gemm.Multiply<float>(a, true, b, false, c, size - 3, size, size - 7, accumulate: true);
            Gemm.Multiply<double>(ad, true, ad, false, cd, size, size, size);
            Gemm.Multiply<float>(a, false, b, false, c, 1, size, size);
        }, warmUp: 2, calls: 1));
    }

    /// <summary>Logical operands op(a) [m, k] and op(b) [k, n], a starting C, and their exact-ish product.</summary>
    sealed class Problem
    {
        readonly int m, n, k;
        readonly double[] opA, opB, c0, product, absProduct;

        Problem(int m, int n, int k, double[] opA, double[] opB, double[] c0)
        {
            (this.m, this.n, this.k, this.opA, this.opB, this.c0) = (m, n, k, opA, opB, c0);
            product = new double[m * n];
            absProduct = new double[m * n];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double sum = 0, abs = 0;
                    for (int p = 0; p < k; p++)
                    {
                        double x = opA[i * k + p] * opB[p * n + j];
                        sum += x;
                        abs += Math.Abs(x);
                    }
                    product[i * n + j] = sum;
                    absProduct[i * n + j] = abs;
                }
        }

        // Values are float-representable, so the float and double runs multiply the same numbers.
        public static Problem Random(Random rng, int m, int n, int k)
        {
            double[] Fill(int count) => Enumerable.Range(0, count).Select(_ => (double)(float)(rng.NextDouble() * 2 - 1)).ToArray();
            return new Problem(m, n, k, Fill(m * k), Fill(k * n), Fill(m * n));
        }

        public void CheckFloat(bool transA, bool transB, bool accumulate, int threads, bool portable)
        {
            float[] a = Layout(opA, m, k, transA).Select(x => (float)x).ToArray();
            float[] b = Layout(opB, k, n, transB).Select(x => (float)x).ToArray();
            float[] c = c0.Select(x => (float)x).ToArray();
            Gemm.Multiply<float>(a, transA, b, transB, c, m, n, k, accumulate, threads, portable);
            Compare(c.Select(x => (double)x).ToArray(), accumulate, Math.Pow(2, -24), $"float tA={transA} tB={transB} acc={accumulate} threads={threads} portable={portable}");
        }

        public void CheckDouble(bool transA, bool transB, bool accumulate, int threads, bool portable)
        {
            double[] a = Layout(opA, m, k, transA);
            double[] b = Layout(opB, k, n, transB);
            double[] c = (double[])c0.Clone();
            Gemm.Multiply<double>(a, transA, b, transB, c, m, n, k, accumulate, threads, portable);
            Compare(c, accumulate, Math.Pow(2, -53), $"double tA={transA} tB={transB} acc={accumulate} threads={threads} portable={portable}");
        }

        // Any summation order of k products has error at most about k * u * sum|a_ip * b_pj| (u: unit
        // roundoff); twice that bound leaves room for the final add into C, yet a single wrong or missing
        // term (magnitude ~|a||b|, here ~0.25 on average) is far outside it.
        void Compare(double[] actual, bool accumulate, double unitRoundoff, string what)
        {
            for (int i = 0; i < m * n; i++)
            {
                double expected = accumulate ? c0[i] + product[i] : product[i];
                double bound = 2 * (k + 1) * unitRoundoff * (absProduct[i] + (accumulate ? Math.Abs(c0[i]) : 0)) + 1e-300;
                if (!(Math.Abs(actual[i] - expected) <= bound))
                    Assert.Fail($"{what} m={m} n={n} k={k}: c[{i / n},{i % n}] = {actual[i]}, expected {expected} within {bound}");
            }
        }

        // logical: [rows, cols]; returns it row-major, or its transpose [cols, rows] when transposed.
        static double[] Layout(double[] logical, int rows, int cols, bool transposed)
        {
            if (!transposed) return (double[])logical.Clone();
            var stored = new double[rows * cols];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    stored[c * rows + r] = logical[r * cols + c];
            return stored;
        }
    }
}
