using FsCheck;
using FsCheck.Fluent;
using Sure.Autodiff;
using Sure.Autodiff.Testing;
using Sure.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Sure.Autodiff.Tests;

/// <summary>Built-in ops property-tested through Sure.Autodiff.Testing, as a user would test their own.</summary>
public class TestingPackageTests
{
    static Gen<Tensor<double>[]> One(Domain domain) => Generators.SameShape(domain);

    public static TheoryData<string> Unary => ["exp", "log", "tanh", "sigmoid", "softplus", "relu", "clamp", "softmax_rows"];

    static (Domain, Func<Tape<double>, Var<double>, Var<double>>) UnaryOp(string op) => op switch
    {
        "exp" => (Domain.Between(-3, 3), (t, x) => t.Exp(x)),
        "log" => (Domain.Positive, (t, x) => t.Log(x)),
        "tanh" => (Domain.Finite, (t, x) => t.Tanh(x)),
        "sigmoid" => (Domain.Finite, (t, x) => t.Sigmoid(x)),
        "softplus" => (Domain.Finite, (t, x) => t.Softplus(x)),
        "relu" => (Domain.Finite.AwayFrom(0), (t, x) => t.Relu(x)),
        "clamp" => (Domain.Finite.AwayFrom(-0.5, 0.5), (t, x) => t.Clamp(x, -0.5, 0.5)),
        "softmax_rows" => (Domain.Finite, (t, x) => t.SoftmaxRows(x)),
        _ => throw new ArgumentException(op),
    };

    [Theory]
    [MemberData(nameof(Unary))]
    public void Unary_op_gradient_holds_on_generated_inputs(string op)
    {
        var (domain, f) = UnaryOp(op);
        GradProperty.Check(One(domain), (t, x) => f(t, x[0]), tests: 30);
    }

    [Fact]
    public void Matmul_gradient_and_float_hold_on_generated_shapes()
    {
        var inputs =
            from m in Generators.Dim()
            from k in Generators.Dim()
            from n in Generators.Dim()
            from x in Generators.Inputs(Domain.Finite, new Shape(m, k), new Shape(k, n))
            select x;
        GradProperty.Check(inputs, (t, x) => t.MatMul(x[0], x[1]), tests: 30);
        GradProperty.CheckFloat(inputs, new MatMulFunction(), tests: 30);
    }

    sealed class MatMulFunction : ITapeFunction
    {
        public Var<T> Build<T>(Tape<T> tape, Var<T>[] x) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
            => tape.MatMul(x[0], x[1]);
    }

    [Fact]
    public void The_property_fails_for_a_wrong_gradient_and_names_the_element()
    {
        var e = Assert.ThrowsAny<Exception>(() =>
            GradProperty.Check(One(Domain.Positive), (t, x) => t.Custom(WrongSquare.Instance, x[0]), tests: 10));
        Assert.Contains("gradient check failed at x0[", e.Message);
    }

    // y = x^2 with the factor 2 forgotten in the backward: wrong at every x > 0
    sealed class WrongSquare : ICustomOp<double>
    {
        public static readonly WrongSquare Instance = new();
        public Shape OutputShape(ReadOnlySpan<Tensor<double>> x) => x[0].Shape;
        public void Forward(ReadOnlySpan<Tensor<double>> x, Tensor<double> y) => TensorPrimitives.Multiply(x[0].Span, x[0].Span, y.Span);
        public void Backward(ReadOnlySpan<Tensor<double>> x, Tensor<double> y, Tensor<double> dy, ReadOnlySpan<Tensor<double>> dx)
            => TensorPrimitives.MultiplyAdd(dy.Span, x[0].Span, dx[0].Span, dx[0].Span);
    }

    [Fact]
    public void Same_shape_inputs_share_one_shape()
    {
        foreach (var x in Generators.SameShape(Domain.Finite, count: 3, rank: 3).Sample(10, 50))
        {
            Assert.Equal(3, x.Length);
            Assert.Equal(3, x[0].Rank);
            Assert.True(x[1].Shape == x[0].Shape && x[2].Shape == x[0].Shape);
        }
    }

    [Fact]
    public void Shapes_include_size_one_odd_and_even_sizes_within_bounds()
    {
        // 300 shapes of size 10 from a fixed seed. Before, Sample(10, 300) drew 10 shapes (its first argument is the count),
        // and one CI run in about 16 saw no 9 among 30 sizes.
        var dims = Generators.Shape(rank: 3, maxDim: 9).Sample(300, new FsCheck.Rnd(1UL), 10).SelectMany(s => new[] { s[0], s[1], s[2] }).ToArray();
        Assert.Equal(900, dims.Length);
        Assert.All(dims, d => Assert.InRange(d, 1, 9));
        Assert.True(dims.Count(d => d == 1) > dims.Length / 10, "size 1 must come up often");
        Assert.Contains(dims, d => d > 1 && d % 2 == 1);
        Assert.Contains(dims, d => d % 2 == 0);
        Assert.Contains(9, dims);
    }

    [Fact]
    public void Tensors_are_finite_and_inside_their_domain()
    {
        var domains = new[] { Domain.Finite, Domain.Positive, Domain.Between(-3, 3), Domain.Finite.AwayFrom(0, 1) };
        foreach (var domain in domains)
        {
            var values = Generators.Tensor(new Shape(4, 5), domain).Sample(10, 50).SelectMany(t => t.ToArray()).ToArray();
            Assert.All(values, v => Assert.True(double.IsFinite(v) && domain.Contains(v), $"{v} outside {domain}"));
            Assert.True(values.Distinct().Count() > values.Length / 2, "values must vary");
        }
        Assert.All(Generators.Value(Domain.Positive).Sample(10, 200), v => Assert.True(v >= 0.2));
        Assert.DoesNotContain(Generators.Value(Domain.Finite.AwayFrom(0)).Sample(10, 500), v => Math.Abs(v) < 0.05);
    }
}
