using Sure.Autodiff;
using Sure.Autodiff.Testing;
using Sure.Tensors;

namespace Sure.Autodiff.Tests;

// docs/gradcheck.md's example, kept compiling and passing (as UsageTests keeps the README's).
public class GradcheckDocTests
{
    // y = x * sigmoid(x) (SiLU), elementwise
    sealed class Silu : ICustomOp<double>
    {
        public static readonly Silu Instance = new(); // one instance: recording allocates nothing
        public Shape OutputShape(ReadOnlySpan<Tensor<double>> x) => x[0].Shape;
        public void Forward(ReadOnlySpan<Tensor<double>> x, Tensor<double> y)
        {
            for (int i = 0; i < y.Length; i++) y[i] = x[0][i] / (1 + Math.Exp(-x[0][i]));
        }
        public void Backward(ReadOnlySpan<Tensor<double>> x, Tensor<double> y, Tensor<double> dy, ReadOnlySpan<Tensor<double>> dx)
        {
            if (dx[0].IsNull) return;
            for (int i = 0; i < y.Length; i++)
            {
                double s = 1 / (1 + Math.Exp(-x[0][i]));
                dx[0][i] += dy[i] * (s + x[0][i] * s * (1 - s)); // add: x may feed other ops too
            }
        }
    }

    [Fact]
    public void Silu_gradient_holds() =>
        GradProperty.Check(Generators.SameShape(Domain.Finite), (tape, x) => tape.Custom(Silu.Instance, x[0]));

    [Fact]
    public void Silu_matches_the_built_in_ops_it_could_be_written_with()
    {
        var x = Tensor<double>.FromArray([-1.5, 0.3, 2.0], 3);
        var tape = new Tape<double>(inference: true);
        var v = tape.Constant(x);
        var custom = tape.Custom(Silu.Instance, v).Value.ToArray();
        var builtIn = (v * tape.Sigmoid(v)).Value.ToArray();
        for (int i = 0; i < 3; i++) Assert.Equal(builtIn[i], custom[i], 12);
    }
}
