using System.Numerics;
using Sure.Autodiff;
using Sure.Tensors;

namespace Sure.Autodiff.Tests;

/// <summary>
/// Relu's and AddBias's backward and softplus's forward take vector paths (register sums, masks, a vectorised finish)
/// that must give the scalar loops' numbers exactly: every length 1..256 and bias widths on and off the vector path,
/// in float and double, against sums written out here.
/// </summary>
public class VectorisedBackwardTests
{
    public static TheoryData<int> Lengths() => [.. Enumerable.Range(1, 256)];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Relu_backward_adds_the_gradient_where_the_input_is_positive(int length)
    {
        Relu<float>(length);
        Relu<double>(length);
    }

    static void Relu<T>(int length) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(length);
        var x = Tensor<T>.FromArray([.. Enumerable.Range(0, length).Select(k => T.CreateChecked(k % 7 == 0 ? 0 : rng.NextDouble() - 0.5))], length);
        var w = new ParameterSet<T>().Add("x", length);
        x.Span.CopyTo(w.Value.Span);
        var before = Enumerable.Range(0, length).Select(k => T.CreateChecked(0.25 * k)).ToArray();
        before.CopyTo(w.Grad.Span);
        var dy = Enumerable.Range(0, length).Select(k => T.CreateChecked(rng.NextDouble() - 0.5)).ToArray();
        var tape = new Tape<T>();
        var y = tape.Relu(tape.Param(w));
        tape.Backward(tape.Sum(tape.Mul(y, tape.Constant(Tensor<T>.FromArray(dy, length)))));
        for (int k = 0; k < length; k++)
            Assert.Equal(x.Span[k] > T.Zero ? before[k] + dy[k] : before[k], w.Grad.Span[k]);
    }

    [Theory]
    [InlineData(1, 64)]
    [InlineData(3, 64)]
    [InlineData(5, 8)]
    [InlineData(7, 16)]
    [InlineData(2, 4)]
    [InlineData(4, 72)]     // wider than the register sums: the row loop
    [InlineData(6, 12)]     // not a multiple of float's vector: the row loop
    [InlineData(3, 1)]
    public void AddBias_backward_sums_rows_in_order(int rows, int cols)
    {
        AddBias<float>(rows, cols);
        AddBias<double>(rows, cols);
    }

    static void AddBias<T>(int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(rows * 100 + cols);
        var parameters = new ParameterSet<T>();
        var b = parameters.Add("b", cols);
        var start = Enumerable.Range(0, cols).Select(c => T.CreateChecked(rng.NextDouble())).ToArray();
        start.CopyTo(b.Grad.Span);
        var dy = Enumerable.Range(0, rows * cols).Select(_ => T.CreateChecked(rng.NextDouble() * 1e3 - 500)).ToArray();
        var tape = new Tape<T>();
        var y = tape.AddBias(tape.Constant(Tensor<T>.Zeros(rows, cols)), tape.Param(b));
        tape.Backward(tape.Sum(tape.Mul(y, tape.Constant(Tensor<T>.FromArray(dy, rows, cols)))));
        for (int c = 0; c < cols; c++)
        {
            T sum = start[c];
            for (int r = 0; r < rows; r++) sum += dy[r * cols + c];   // row by row: the order the op promises
            Assert.Equal(sum, b.Grad.Span[c]);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Softplus_forward_is_the_scalar_formula(int length)
    {
        var rng = new Random(length);
        float[] x = [.. Enumerable.Range(0, length).Select(k => k % 5 == 0 ? (float)(rng.NextDouble() * 200 - 100) : (float)(rng.NextDouble() * 8 - 4))];
        var y = new float[length];
        RowOps.Softplus<float>(x, y);
        // The scalar finish on the same vectorised e = exp(-|x|) and ln(1 + e) (one chunk: lengths up to 256).
        var e = new float[length];
        var logU = new float[length];
        System.Numerics.Tensors.TensorPrimitives.Abs(x, e);
        System.Numerics.Tensors.TensorPrimitives.Negate(e, e);
        System.Numerics.Tensors.TensorPrimitives.Exp(e, e);
        System.Numerics.Tensors.TensorPrimitives.Add(e, 1f, logU);
        System.Numerics.Tensors.TensorPrimitives.Log(logU, logU);
        for (int k = 0; k < length; k++)
        {
            float u = e[k] + 1f;
            float expected = MathF.Max(x[k], 0f) + (u == 1f ? e[k] : logU[k] * e[k] / (u - 1f));
            Assert.Equal(expected, y[k]);
            Assert.Equal(RowOps.Softplus((double)x[k]), y[k], 1e-6 * (1 + Math.Abs(x[k])));
        }
    }
}
