using System.Numerics;

namespace Sure.Tensors;

/// <summary>Numerically stable row-wise and elementwise functions (TensorPrimitives.SoftMax is not max-subtracted).</summary>
public static class RowOps
{
    // x: [rows, cols]  y: [rows, cols]
    public static void Softmax<T>(ReadOnlySpan<T> x, int cols, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r * cols < x.Length; r++)
        {
            var xs = x.Slice(r * cols, cols); var ys = y.Slice(r * cols, cols);
            T max = T.NegativeInfinity;
            foreach (var v in xs) max = T.Max(max, v);
            T sum = T.Zero;
            for (int c = 0; c < cols; c++) { ys[c] = T.Exp(xs[c] - max); sum += ys[c]; }
            for (int c = 0; c < cols; c++) ys[c] /= sum;
        }
    }

    // x: [rows, cols]  y: [rows, cols]
    public static void LogSoftmax<T>(ReadOnlySpan<T> x, int cols, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r * cols < x.Length; r++)
        {
            var xs = x.Slice(r * cols, cols); var ys = y.Slice(r * cols, cols);
            T lse = LogSumExp(xs);
            for (int c = 0; c < cols; c++) ys[c] = xs[c] - lse;
        }
    }

    // x: [rows, cols]  y: [rows]
    public static void LogSumExp<T>(ReadOnlySpan<T> x, int cols, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < y.Length; r++) y[r] = LogSumExp(x.Slice(r * cols, cols));
    }

    public static T LogSumExp<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = T.NegativeInfinity;
        foreach (var v in x) max = T.Max(max, v);
        if (T.IsNegativeInfinity(max)) return max;
        T sum = T.Zero;
        foreach (var v in x) sum += T.Exp(v - max);
        return max + T.Log(sum);
    }

    // x: [len]  y: [len]; softplus(x) = ln(1 + e^x) without overflow
    public static void Softplus<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = Softplus(x[i]);
    }

    public static T Softplus<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
        => T.Max(x, T.Zero) + T.LogP1(T.Exp(-T.Abs(x)));
}
