using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Sure.Tensors;

/// <summary>
/// Numerically stable row-wise and elementwise functions (TensorPrimitives.SoftMax is not max-subtracted).
/// Every output may be the same span as its input (exact in-place); partial overlap is not allowed.
/// A row whose maximum is not finite (all -inf, any +inf, any NaN) gives NaN from Softmax and LogSoftmax,
/// and that maximum from LogSumExp.
/// </summary>
public static class RowOps
{
    // Stack scratch for the exp terms of one slice of a row: big enough to amortise the vector loops, small for the stack.
    const int Chunk = 256;

    // x: [rows, cols]  y: [rows, cols]
    public static void Softmax<T>(ReadOnlySpan<T> x, int cols, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = RowCount(x.Length, cols, y.Length, cols);
        for (int r = 0; r < rows; r++) Softmax(x.Slice(r * cols, cols), y.Slice(r * cols, cols));
    }

    // x: [cols]  y: [cols]
    public static void Softmax<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length == 0) return;
        var ys = y[..x.Length];
        T max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, ys);
        TensorPrimitives.Exp(ys, ys);
        TensorPrimitives.Divide(ys, TensorPrimitives.Sum<T>(ys), ys);
    }

    // x: [rows, cols]  y: [rows, cols]
    public static void LogSoftmax<T>(ReadOnlySpan<T> x, int cols, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = RowCount(x.Length, cols, y.Length, cols);
        for (int r = 0; r < rows; r++) LogSoftmax(x.Slice(r * cols, cols), y.Slice(r * cols, cols));
    }

    // x: [cols]  y: [cols]; y = (x - max) - ln(sum exp(x - max)), subtracting the max first keeps the small terms exact
    public static void LogSoftmax<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length == 0) return;
        var ys = y[..x.Length];
        T max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, ys);
        TensorPrimitives.Subtract(ys, T.Log(SumExp(ys, T.Zero)), ys);
    }

    // x: [rows, cols]  y: [rows]
    public static void LogSumExp<T>(ReadOnlySpan<T> x, int cols, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = RowCount(x.Length, cols, y.Length, 1);
        for (int r = 0; r < rows; r++) y[r] = LogSumExp(x.Slice(r * cols, cols));
    }

    // x: [cols]; ln(sum exp(x)), -inf for an empty row
    public static T LogSumExp<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length == 0) return T.NegativeInfinity;
        T max = TensorPrimitives.Max(x);
        if (!T.IsFinite(max)) return max;
        return max + T.Log(SumExp(x, max));
    }

    // x: [len]  y: [len]; softplus(x) = ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|): e^-|x| <= 1 never overflows,
    // and the accurate ln(1 + e) keeps softplus(x) ~ e^x for very negative x instead of rounding to 0.
    public static void Softplus<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Length < x.Length) throw new ArgumentException("y is shorter than x", nameof(y));
        Span<T> e = stackalloc T[Chunk], onePlusE = stackalloc T[Chunk], logOnePlusE = stackalloc T[Chunk];
        for (int i = 0; i < x.Length; i += Chunk)
        {
            int n = Math.Min(Chunk, x.Length - i);
            var xc = x.Slice(i, n); var yc = y.Slice(i, n);
            var ec = e[..n]; var uc = onePlusE[..n]; var lc = logOnePlusE[..n];
            TensorPrimitives.Abs(xc, ec);
            TensorPrimitives.Negate(ec, ec);
            TensorPrimitives.Exp(ec, ec);
            TensorPrimitives.Add(ec, T.One, uc);
            TensorPrimitives.Log(uc, lc);
            if (typeof(T) == typeof(float))   // the same operations vectorised (SoftplusFinish): the same bits
                Simd.Map<SoftplusFinish>(Floats(xc), Floats(ec), Floats(lc), MemoryMarshal.Cast<T, float>(yc));
            else
                for (int j = 0; j < n; j++) yc[j] = T.Max(xc[j], T.Zero) + Log1pCorrected(ec[j], uc[j], lc[j]);
        }
    }

    /// <summary>
    /// x = softplus(x) in place, bit for bit <see cref="Softplus{T}(ReadOnlySpan{T}, Span{T})"/> (the same operations
    /// in the same order) with its last step vectorised (<see cref="SoftplusFinish"/>), for callers that own scratch.
    /// x: [count]; e, logU: at least [count], overwritten.
    /// </summary>
    public static void Softplus(Span<float> x, Span<float> e, Span<float> logU)
    {
        e = e[..x.Length];
        logU = logU[..x.Length];
        TensorPrimitives.Abs(x, e);
        TensorPrimitives.Negate(e, e);
        TensorPrimitives.Exp(e, e);
        TensorPrimitives.Add(e, 1f, logU);
        TensorPrimitives.Log(logU, logU);
        Simd.Map<SoftplusFinish>(x, e, logU, x);
    }

    static ReadOnlySpan<float> Floats<T>(ReadOnlySpan<T> x) where T : unmanaged => MemoryMarshal.Cast<T, float>(x);

    public static T Softplus<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
        => T.Max(x, T.Zero) + Log1p(T.Exp(-T.Abs(x)));

    /// <summary>ln(1 + x), accurate for tiny x (the BCL's LogP1 is ln(x + 1) and loses every digit there).</summary>
    public static T Log1p<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T u = T.One + x;
        return Log1pCorrected(x, u, T.Log(u));
    }

    // u = fl(1 + x), logU = ln(u). ln(u) is exact for the rounded u; scaling by x / (u - 1) corrects for the
    // rounding of 1 + x (Goldberg, "What every computer scientist should know about floating-point", thm. 4).
    static T Log1pCorrected<T>(T x, T u, T logU) where T : unmanaged, IFloatingPointIeee754<T>
        => u == T.One ? x : T.IsPositiveInfinity(u) ? u : logU * x / (u - T.One);

    // sum over i of exp(x[i] - shift), exponentiating through stack chunks so no row-sized scratch is needed
    static T SumExp<T>(ReadOnlySpan<T> x, T shift) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> buf = stackalloc T[Chunk];
        T sum = T.Zero;
        for (int i = 0; i < x.Length; i += Chunk)
        {
            var b = buf[..Math.Min(Chunk, x.Length - i)];
            TensorPrimitives.Subtract(x.Slice(i, b.Length), shift, b);
            TensorPrimitives.Exp(b, b);
            sum += TensorPrimitives.Sum<T>(b);
        }
        return sum;
    }

    static int RowCount(int xLength, int cols, int yLength, int yPerRow)
    {
        if (xLength == 0) return 0;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        if (xLength % cols != 0) throw new ArgumentException($"length {xLength} is not a multiple of cols {cols}");
        int rows = xLength / cols;
        if (yLength < rows * yPerRow) throw new ArgumentException($"output holds {yLength} values, needs {rows * yPerRow}");
        return rows;
    }
}
