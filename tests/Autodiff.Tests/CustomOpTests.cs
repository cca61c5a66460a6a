using Sure.Autodiff;
using Sure.Tensors;
using Sure.Tests;

namespace Sure.Autodiff.Tests;

/// <summary>Custom ops through the public API only, and the public checker catching wrong backwards.</summary>
public class CustomOpTests
{
    // y = a * b^2 elementwise; WrongAt >= 0 makes the backward of b wrong at that one element.
    sealed class MulSquare<T>(int wrongAt = -1) : ICustomOp<T> where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        public Shape OutputShape(ReadOnlySpan<Tensor<T>> inputs) => inputs[0].Shape;

        public void Forward(ReadOnlySpan<Tensor<T>> inputs, Tensor<T> output)
        {
            Span<T> a = inputs[0].Span, b = inputs[1].Span, y = output.Span;
            for (int i = 0; i < y.Length; i++) y[i] = a[i] * b[i] * b[i];
        }

        public void Backward(ReadOnlySpan<Tensor<T>> inputs, Tensor<T> output, Tensor<T> outputGrad, ReadOnlySpan<Tensor<T>> inputGrads)
        {
            Span<T> a = inputs[0].Span, b = inputs[1].Span, dy = outputGrad.Span;
            if (!inputGrads[0].IsNull)
            {
                var da = inputGrads[0].Span;
                for (int i = 0; i < da.Length; i++) da[i] += dy[i] * b[i] * b[i];
            }
            if (!inputGrads[1].IsNull)
            {
                var db = inputGrads[1].Span;
                T two = T.CreateChecked(2), wrong = T.CreateChecked(1.5); // 1.5 a b instead of 2 a b
                for (int i = 0; i < db.Length; i++) db[i] += dy[i] * (i == wrongAt ? wrong : two) * a[i] * b[i];
            }
        }
    }

    // The same op for both float types, so FloatVsDouble can run it.
    sealed class MulSquareFunction(int wrongAt = -1) : ITapeFunction
    {
        public Var<T> Build<T>(Tape<T> tape, Var<T>[] x) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
            => tape.Custom(new MulSquare<T>(wrongAt), x[0], x[1]);
    }

    static Tensor<double>[] Inputs() =>
    [
        Tensor<double>.FromArray([0.5, -1.2, 0.8, 1.7, -0.3, 0.9], 2, 3),
        Tensor<double>.FromArray([1.1, 0.4, -0.7, 1.3, 0.6, -1.5], 2, 3),
    ];

    [Fact]
    public void A_correct_custom_op_passes_the_gradient_check()
    {
        var r = GradCheck.Run((t, x) => t.Custom(new MulSquare<double>(), x[0], x[1]), Inputs());
        Assert.True(r.Passed, r.Message);
        Assert.Equal(12, r.Checked);
        Assert.Equal(0, r.Failures);
    }

    [Fact]
    public void A_wrong_backward_is_caught_at_its_element()
    {
        var r = GradCheck.Run((t, x) => t.Custom(new MulSquare<double>(wrongAt: 4), x[0], x[1]), Inputs(),
            new GradCheckOptions { Names = ["a", "b"] });
        Assert.False(r.Passed);
        Assert.Equal(1, r.Failures);
        Assert.Equal(("b", 1, 4, "b[1, 1]", 0.6), (r.Input, r.InputIndex, r.Element, r.Where, r.Value));
        // the numeric side is the true derivative 2 a b dy; the tape's is 3/4 of it
        Assert.Equal(0.75 * r.Expected, r.Actual, 8);
        var e = Assert.Throws<GradCheckException>(() =>
            GradCheck.Assert((t, x) => t.Custom(new MulSquare<double>(wrongAt: 4), x[0], x[1]), Inputs(),
                new GradCheckOptions { Names = ["a", "b"] }));
        Assert.Contains("gradient check failed at b[1, 1]", e.Message);
        Assert.Equal(r, e.Result);
    }

    [Fact]
    public void Tolerances_are_the_options()
    {
        // a 25% error passes once rtol allows it, and fails again with a tighter one
        GradCheckResult Run(double rtol) => GradCheck.Run((t, x) => t.Custom(new MulSquare<double>(wrongAt: 4), x[0], x[1]),
            Inputs(), new GradCheckOptions { Rtol = rtol, Atol = 0 });
        Assert.True(Run(0.5).Passed);
        Assert.False(Run(0.2).Passed);
    }

    [Fact]
    public void A_gradient_through_a_stopped_input_must_be_exactly_zero()
    {
        var options = new GradCheckOptions { NoGrad = [false, true] };
        Assert.True(GradCheck.Run((t, x) => t.Custom(new MulSquare<double>(), x[0], t.StopGradient(x[1])), Inputs(), options).Passed);
        // without the stop the second input's gradient is not zero, and NoGrad says it must be
        var r = GradCheck.Run((t, x) => t.Custom(new MulSquare<double>(), x[0], x[1]), Inputs(), options);
        Assert.False(r.Passed);
        Assert.Equal(1, r.InputIndex);
        Assert.Equal(6, r.Failures);
    }

    [Fact]
    public void Float_vs_double_passes_and_catches_a_float_only_error()
    {
        Assert.True(GradCheck.FloatVsDouble(new MulSquareFunction(), Inputs()).Passed);
        var r = GradCheck.FloatVsDouble(new FloatOnlyBug(), Inputs());
        Assert.False(r.Passed);
        Assert.Equal(("x0", 2), (r.Input, r.Element));
        Assert.Throws<GradCheckException>(() => GradCheck.AssertFloatVsDouble(new FloatOnlyBug(), Inputs()));
    }

    // a * b, and in float only a gradient wrong by 1e-2 dy at a[2]: (a - stop(a)) is exactly 0 but has gradient 1
    sealed class FloatOnlyBug : ITapeFunction
    {
        public Var<T> Build<T>(Tape<T> tape, Var<T>[] x) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            var y = x[0] * x[1];
            if (typeof(T) != typeof(float)) return y;
            var bump = Tensor<T>.Zeros(2, 3);
            bump[2] = T.CreateChecked(1e-2);
            return y + (x[0] - tape.StopGradient(x[0])) * tape.Constant(bump);
        }
    }

    [Fact]
    public void A_custom_op_is_differentiated_like_a_built_in_one()
    {
        // a custom op used twice, next to built-in ops, against the same graph made of built-in ops only
        var inputs = Inputs();
        var custom = Gradients((t, a, b) => t.Sum(t.Custom(new MulSquare<double>(), a, b) + t.Tanh(t.Custom(new MulSquare<double>(), b, a))), inputs);
        var builtIn = Gradients((t, a, b) => t.Sum(a * b * b + t.Tanh(b * a * a)), inputs);
        for (int k = 0; k < 2; k++) Assert.Equal(builtIn[k], custom[k], new ToleranceComparer(1e-12));
    }

    static double[][] Gradients(Func<Tape<double>, Var<double>, Var<double>, Var<double>> f, Tensor<double>[] inputs)
    {
        var tape = new Tape<double>();
        var a = tape.Variable(inputs[0]);
        var b = tape.Variable(inputs[1]);
        tape.Backward(f(tape, a, b));
        return [a.Grad.ToArray(), b.Grad.ToArray()];
    }

    sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }

    [Fact]
    public void A_constant_input_gets_no_gradient_buffer_and_inference_records_no_backward()
    {
        var tape = new Tape<double>();
        var a = tape.Constant(Inputs()[0]);
        var b = tape.Variable(Inputs()[1]);
        var y = tape.Custom(new MulSquare<double>(), a, b); // Backward sees inputGrads[0].IsNull and skips it
        tape.Backward(tape.Sum(y));
        Assert.True(a.Grad.IsNull);
        Assert.Equal(2 * 0.5 * 1.1, b.Grad[0], 12);

        var inference = new Tape<double>(inference: true);
        var z = inference.Custom(new MulSquare<double>(), inference.Constant(Inputs()[0]), inference.Constant(Inputs()[1]));
        Assert.Equal(0.5 * 1.1 * 1.1, z.Value[0], 12);
        Assert.False(z.RequiresGrad);
    }

    [Fact]
    public void Recording_a_cached_custom_op_allocates_nothing_after_warm_up()
    {
        var op = new MulSquare<float>();
        var tape = new Tape<float>();
        var a = Tensor<float>.FromArray([0.5f, -1.2f, 0.8f], 3);
        var b = Tensor<float>.FromArray([1.1f, 0.4f, -0.7f], 3);
        float grad = 0;
        void Step()
        {
            tape.Reset();
            var va = tape.Variable(a);
            var y = tape.Custom(op, va, tape.Variable(b));
            tape.Backward(tape.Sum(tape.Custom(op, y, y)));
            grad = va.Grad[0];
        }
        Assert.Equal(0, Allocations.SteadyState(Step));
        Assert.NotEqual(0f, grad); // the step really ran the custom backward
    }
}
