using Sure.Tests;
using System.Numerics;
using FsCheck;
using FsCheck.Fluent;

namespace Sure.Tensors.Tests;

public class RowOpsTests
{
    const int Rows = 3;

    // Plain double references, one row at a time.
    static double RefLogSumExp(double[] x)
    {
        double max = x.Max(), sum = 0;
        foreach (var v in x) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }

    static double[] RefSoftmax(double[] x)
    {
        double lse = RefLogSumExp(x);
        return x.Select(v => Math.Exp(v - lse)).ToArray();
    }

    static double[] RowOf<T>(T[] x, int r, int cols) where T : unmanaged, IFloatingPointIeee754<T>
        => x.Skip(r * cols).Take(cols).Select(double.CreateChecked).ToArray();

    static T[] RandomMatrix<T>(Random rng, int count, double scale) where T : unmanaged, IFloatingPointIeee754<T>
        => Enumerable.Range(0, count).Select(_ => T.CreateChecked((rng.NextDouble() * 2 - 1) * scale)).ToArray();

    [Fact]
    public void MatchDoubleReferenceForEveryLength1To256_Float() => MatchReference<float>(relTol: 2e-5);

    [Fact]
    public void MatchDoubleReferenceForEveryLength1To256_Double() => MatchReference<double>(relTol: 1e-13);

    static void MatchReference<T>(double relTol) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(1);
        for (int cols = 1; cols <= 256; cols++)
        {
            // Row 0 moderate, row 1 wide (tiny probabilities), row 2 far from 0 (overflows without the max shift).
            var x = RandomMatrix<T>(rng, Rows * cols, 5);
            for (int c = 0; c < cols; c++) { x[cols + c] *= T.CreateChecked(6); x[2 * cols + c] += T.CreateChecked(500); }
            var softmax = new T[x.Length]; var logSoftmax = new T[x.Length]; var lse = new T[Rows];
            RowOps.Softmax<T>(x, cols, softmax);
            RowOps.LogSoftmax<T>(x, cols, logSoftmax);
            RowOps.LogSumExp<T>(x, cols, lse);
            for (int r = 0; r < Rows; r++)
            {
                var row = RowOf(x, r, cols);
                var p = RefSoftmax(row);
                double refLse = RefLogSumExp(row);
                // The rounding of x itself (ulp(500) in float) bounds the achievable relative accuracy of exp(x - max).
                double inputUlp = relTol * Math.Max(1, row.Max(Math.Abs));
                Assert.True(Math.Abs(double.CreateChecked(lse[r]) - refLse) <= relTol * Math.Abs(refLse) + relTol, $"lse cols={cols} r={r}");
                for (int c = 0; c < cols; c++)
                {
                    double s = double.CreateChecked(softmax[r * cols + c]), l = double.CreateChecked(logSoftmax[r * cols + c]);
                    Assert.True(Math.Abs(s - p[c]) <= (relTol + inputUlp) * p[c], $"softmax cols={cols} r={r} c={c}: {s} vs {p[c]}");
                    double refLog = row[c] - refLse;
                    Assert.True(Math.Abs(l - refLog) <= relTol * Math.Abs(refLog) + inputUlp, $"logsoftmax cols={cols} r={r} c={c}: {l} vs {refLog}");
                }
            }
        }
    }

    [Fact]
    public void InPlaceEqualsOutOfPlace()
    {
        var rng = new Random(2);
        var x = RandomMatrix<float>(rng, 4 * 300, 10);
        var expected = new float[x.Length];
        RowOps.Softmax<float>(x, 300, expected);
        var inPlace = (float[])x.Clone();
        RowOps.Softmax<float>(inPlace, 300, inPlace);
        Assert.Equal(expected, inPlace);
        RowOps.LogSoftmax<float>(x, 300, expected);
        inPlace = (float[])x.Clone();
        RowOps.LogSoftmax<float>(inPlace, 300, inPlace);
        Assert.Equal(expected, inPlace);
        RowOps.Softplus<float>(x, expected);
        inPlace = (float[])x.Clone();
        RowOps.Softplus<float>(inPlace, inPlace);
        Assert.Equal(expected, inPlace);
    }

    [Fact]
    public void ExtremeRowsStayFinite()
    {
        double[] y = new double[2];
        RowOps.Softmax<double>([1000, 0], 2, y);
        Assert.Equal([1, Math.Exp(-1000)], y);
        Assert.Equal(1000 + Math.Log(2), RowOps.LogSumExp<double>([1000, 1000]), 12);
        Assert.Equal(-1000 + Math.Log(2), RowOps.LogSumExp<double>([-1000, -1000]), 12);
        RowOps.LogSoftmax<double>([0, -2000], 2, y);
        Assert.Equal([0, -2000], y);
        Assert.Equal(double.NegativeInfinity, RowOps.LogSumExp<double>([double.NegativeInfinity, double.NegativeInfinity]));
        Assert.Equal(1.0, RowOps.LogSumExp<double>([double.NegativeInfinity, 1.0]));
        Assert.Equal(double.NegativeInfinity, RowOps.LogSumExp<double>([]));
    }

    [Fact]
    public void SoftmaxRowsSumToOne()
    {
        Prop.ForAll(Gen.Choose(1, 64).ToArbitrary(), Gen.Choose(0, 1 << 30).ToArbitrary(), (cols, seed) =>
        {
            var x = RandomMatrix<float>(new Random(seed), 2 * cols, 80);
            var y = new float[x.Length];
            RowOps.Softmax<float>(x, cols, y);
            return Math.Abs(y.Take(cols).Sum() - 1) < 1e-5 && Math.Abs(y.Skip(cols).Sum() - 1) < 1e-5 && y.All(v => v >= 0);
        }).QuickCheckThrowOnFailure();
    }

    // ln(1 + e) with e in (0, 1], written plainly: the Taylor series where 1 + e loses digits, the log elsewhere.
    static double RefLog1p(double e)
    {
        if (e >= 0.1) return Math.Log(1 + e);
        double sum = 0, power = 1;
        for (int n = 1; n <= 40; n++) { power *= e; sum += (n % 2 == 1 ? power : -power) / n; }
        return sum;
    }
    static double RefSoftplus(double x) => Math.Max(x, 0) + RefLog1p(Math.Exp(-Math.Abs(x)));

    [Fact]
    public void SoftplusIsAccurateEverywhere()
    {
        double[] xs = [-1000, -745, -700, -100, -50, -30, -17, -1, -1e-8, 0, 1e-8, 0.5, 1, 17, 30, 50, 100, 700, 1000, 1e30];
        var xd = xs.Concat(Enumerable.Range(0, 600).Select(i => -40 + i * 0.137)).ToArray();
        var yd = new double[xd.Length];
        RowOps.Softplus<double>(xd, yd);
        var xf = xd.Select(v => (float)v).ToArray();
        var yf = new float[xf.Length];
        RowOps.Softplus<float>(xf, yf);
        for (int i = 0; i < xd.Length; i++)
        {
            double expected = RefSoftplus(xd[i]), expectedF = RefSoftplus(xf[i]);
            Assert.True(Math.Abs(yd[i] - expected) <= 1e-14 * expected, $"double softplus({xd[i]}) = {yd[i]}, expected {expected}");
            Assert.True(Math.Abs(RowOps.Softplus(xd[i]) - expected) <= 1e-14 * expected, $"scalar softplus({xd[i]})");
            if (double.IsInfinity(expectedF)) continue;
            Assert.True(Math.Abs(yf[i] - expectedF) <= 3e-7 * expectedF + float.Epsilon, $"float softplus({xf[i]}) = {yf[i]}, expected {expectedF}");
            Assert.True(Math.Abs(RowOps.Softplus(xf[i]) - expectedF) <= 3e-7 * expectedF + float.Epsilon, $"scalar float softplus({xf[i]})");
        }
        Assert.Equal(Math.Exp(-50), RowOps.Softplus(-50.0), 1e-30);
    }

    [Fact]
    public void Log1pKeepsTinyArguments()
    {
        Assert.Equal(1e-20, RowOps.Log1p(1e-20));
        Assert.Equal(1e-10 - 5e-21, RowOps.Log1p(1e-10), 1e-25);
        Assert.Equal(Math.Log(2), RowOps.Log1p(1.0), 15);
        Assert.Equal(1e-10f, RowOps.Log1p(1e-10f));
    }

    [Fact]
    public void RowOpsDoNotAllocate()
    {
        var x = RandomMatrix<double>(new Random(11), 4 * 700, 3);
        var y = new double[x.Length]; var lse = new double[4];
        void RunAll()
        {
            RowOps.Softmax<double>(x, 700, y); RowOps.LogSoftmax<double>(x, 700, y);
            RowOps.LogSumExp<double>(x, 700, lse); RowOps.Softplus<double>(x, y);
        }
        Assert.Equal(0, Allocations.SteadyState(RunAll, warmUp: 2, calls: 1));
    }
}
