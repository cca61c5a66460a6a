using Sure.Autodiff;
using Sure.Tensors;

namespace Sure.Autodiff.Tests;

public class UsageTests
{
    // The README example, kept compiling and correct: fit y = 2x + 1 with one linear layer.
    [Fact]
    public void Readme_example_fits_a_line()
    {
        var parameters = new ParameterSet<float>();
        var w = parameters.Add("head.weight", 1, 1);
        var b = parameters.Add("head.bias", 1);
        var adam = new Adam<float>(parameters, lr: 0.05f);
        var x = Tensor<float>.FromArray([-1f, 0f, 1f, 2f], 4, 1);
        var y = Tensor<float>.FromArray([-1f, 1f, 3f, 5f], 4, 1);

        var tape = new Tape<float>();
        for (int step = 0; step < 600; step++)
        {
            tape.Reset();                       // rewinds the arena: no allocation after the first step
            parameters.ZeroGrad();
            var prediction = tape.AddBias(tape.MatMul(tape.Constant(x), tape.Param(w)), tape.Param(b));
            var error = prediction - tape.Constant(y);
            var loss = tape.Mean(error * error);
            tape.Backward(loss);                // seeds d loss = 1, accumulates into w.Grad and b.Grad
            parameters.ClipGradNorm(10f);
            adam.Step();
        }

        var inference = new Tape<float>(inference: true); // forward values only, nothing recorded
        var at3 = inference.AddBias(inference.MatMul(inference.Constant(Tensor<float>.FromArray([3f], 1, 1)), inference.Param(w)), inference.Param(b));
        Assert.Equal(7f, at3.Item, 2);
    }

    [Fact]
    public void Vars_from_before_a_reset_or_another_tape_are_refused()
    {
        var tape = new Tape<double>();
        var other = new Tape<double>();
        var stale = tape.Constant(Tensor<double>.Zeros(2));
        tape.Reset();
        Assert.Throws<ArgumentException>(() => tape.Exp(stale));
        Assert.Throws<ArgumentException>(() => stale.Value);
        var foreign = other.Constant(Tensor<double>.Zeros(2));
        Assert.Throws<ArgumentException>(() => tape.Exp(foreign));
    }

    [Fact]
    public void Shape_mismatches_are_reported()
    {
        var tape = new Tape<double>();
        var a = tape.Constant(Tensor<double>.Zeros(2, 3));
        Assert.Throws<ArgumentException>(() => tape.MatMul(a, a));
        Assert.Throws<ArgumentException>(() => a + tape.Constant(Tensor<double>.Zeros(3, 2)));
        Assert.Throws<ArgumentException>(() => tape.AddBias(a, tape.Constant(Tensor<double>.Zeros(2))));
    }
}
