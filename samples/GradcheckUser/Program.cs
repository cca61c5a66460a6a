// A user of Sure.Autodiff defines an op of their own, softsign(x) = x / (1 + |x|), records it on the tape and
// checks its gradient; then checks a copy with a typical bug in its backward and expects the checker to catch it.
// Exit code 0 only when the right op passes and the wrong one is caught, so CI fails if the checker goes blind.
using System.Numerics;
using Sure.Autodiff;
using Sure.Autodiff.Testing;
using Sure.Tensors;

var x = Tensor<double>.FromArray([0.7, -1.3, 0.2, -0.4, 1.9, -2.5], 2, 3);
var names = new GradCheckOptions { Names = ["x"] };
var inputs = Generators.SameShape(Domain.Finite); // one [rows, cols] tensor, sizes 1..9, values in [-2, 2]
bool ok = true;

// 1. The right backward: one fixed input, a property over generated shapes and values, and float against double.
var right = new Softsign<double>(buggy: false);
var r = GradCheck.Run((tape, v) => tape.Custom(right, v[0]), [x], names);
Console.WriteLine($"softsign: {r.Message}");
ok &= r.Passed;
ok &= Passes("softsign property, 100 generated inputs", () => GradProperty.Check(inputs, (tape, v) => tape.Custom(right, v[0])));
ok &= Passes("softsign float vs double, 100 generated inputs", () => GradProperty.CheckFloat(inputs, new SoftsignFunction()));

// 2. The wrong backward (1 / (1 + x)^2: the |x| forgotten, so only negative elements are wrong) must be caught.
var wrong = new Softsign<double>(buggy: true);
var w = GradCheck.Run((tape, v) => tape.Custom(wrong, v[0]), [x], names);
Console.WriteLine($"buggy softsign: {w.Message}");
if (w.Passed) { Console.WriteLine("FAIL: the checker did not catch the wrong backward"); ok = false; }
else Console.WriteLine($"caught: the wrong backward is reported at {w.Where}");
bool propertyCaught = !Passes("buggy softsign property", () => GradProperty.Check(inputs, (tape, v) => tape.Custom(wrong, v[0])));
if (!propertyCaught) { Console.WriteLine("FAIL: the property did not catch the wrong backward"); ok = false; }

Console.WriteLine(ok ? "OK: the right backward passes and the wrong one was caught" : "FAILED");
return ok ? 0 : 1;

static bool Passes(string what, Action check)
{
    try
    {
        check();
        Console.WriteLine($"{what}: passed");
        return true;
    }
    catch (Exception e)
    {
        // FsCheck's message: the counterexample, then GradCheck's line naming the element
        Console.WriteLine($"{what}: failed\n  {e.Message.Trim().Replace("\n", "\n  ")}");
        return false;
    }
}

/// <summary>softsign(x) = x / (1 + |x|), elementwise; its derivative is 1 / (1 + |x|)^2.</summary>
sealed class Softsign<T>(bool buggy) : ICustomOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public Shape OutputShape(ReadOnlySpan<Tensor<T>> inputs) => inputs[0].Shape;

    public void Forward(ReadOnlySpan<Tensor<T>> inputs, Tensor<T> output)
    {
        Span<T> x = inputs[0].Span, y = output.Span;
        for (int i = 0; i < y.Length; i++) y[i] = x[i] / (T.One + T.Abs(x[i]));
    }

    public void Backward(ReadOnlySpan<Tensor<T>> inputs, Tensor<T> output, Tensor<T> outputGrad, ReadOnlySpan<Tensor<T>> inputGrads)
    {
        if (inputGrads[0].IsNull) return;
        Span<T> x = inputs[0].Span, dy = outputGrad.Span, dx = inputGrads[0].Span;
        for (int i = 0; i < dx.Length; i++)
        {
            T d = T.One + (buggy ? x[i] : T.Abs(x[i]));
            dx[i] += dy[i] / (d * d); // add: x may feed other ops too
        }
    }
}

/// <summary>The op for both float types, for the float-against-double check.</summary>
sealed class SoftsignFunction : ITapeFunction
{
    public Var<T> Build<T>(Tape<T> tape, Var<T>[] inputs) where T : unmanaged, IFloatingPointIeee754<T>
        => tape.Custom(new Softsign<T>(buggy: false), inputs[0]);
}
