using System.Numerics;
using Sure.Autodiff;
using Sure.Tensors;

namespace Sure.Autodiff.Tests;

/// <summary>
/// Every op and the composite against the committed PyTorch golden fixtures (tests/fixtures/FIXTURES.md):
/// forward values, and gradients of sum(y * dy) for the fixture's upstream gradient dy.
/// </summary>
public class FixtureTests
{
    // Double: the same formulas in the same precision as PyTorch's float64, so only summation order differs
    // (~1e-15 relative); 1e-9 leaves a wide margin and still catches any real mistake.
    const double DoubleAbs = 1e-9, DoubleRel = 1e-9;

    // Float: inputs rounded to float (relative 6e-8), then a few dozen float operations on values of size up to ~20
    // (exp of a normal draw). Every op and composite file agrees within 1e-6 + 1e-6 |expected| (measured), so 1e-5
    // keeps a margin of ten for other CPUs' rounding, while a wrong formula, sign or index is off by far more.
    const double FloatAbs = 1e-5, FloatRel = 1e-5;

    static readonly string[] CompositeInputs = Composite.InputNames;

    public static TheoryData<string> OpFiles => [.. FixtureOps.OpFileNames()];
    public static TheoryData<string> CompositeFiles => [.. FixtureOps.CompositeFileNames()];

    [Fact]
    public void Every_op_of_the_contract_has_a_fixture_file_and_a_tape_build()
    {
        var contract = FixtureOps.ContractOps();
        Assert.Contains("matmul", contract);
        Assert.Contains("gaussian_log_density", contract); // the table was read to its last row
        var withFiles = FixtureOps.OpFileNames().Select(FixtureOps.OpOf).ToHashSet();
        Assert.All(contract, op => Assert.True(withFiles.Contains(op), $"no fixture file for contract op {op}"));
        Assert.All(contract, op => Assert.Contains(op, OpCase.Names));
        Assert.All(withFiles, op => Assert.Contains(op, contract));
    }

    [Fact]
    public void There_are_composite_fixtures()
    {
        Assert.True(FixtureOps.CompositeFileNames().Length >= 2);
    }

    [Theory]
    [MemberData(nameof(OpFiles))]
    public void Op_in_double_matches_pytorch(string fileName) => CompareOp<double>(fileName, DoubleAbs, DoubleRel);

    [Theory]
    [MemberData(nameof(OpFiles))]
    public void Op_in_float_matches_pytorch(string fileName) => CompareOp<float>(fileName, FloatAbs, FloatRel);

    [Theory]
    [MemberData(nameof(CompositeFiles))]
    public void Composite_in_double_matches_pytorch(string fileName) => CompareComposite<double>(fileName, DoubleAbs, DoubleRel);

    [Theory]
    [MemberData(nameof(CompositeFiles))]
    public void Composite_in_float_matches_pytorch(string fileName) => CompareComposite<float>(fileName, FloatAbs, FloatRel);

    static void CompareOp<T>(string fileName, double abs, double rel) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var file = FixtureOps.ReadOp(fileName);
        var c = FixtureOps.Load(file, FixtureOps.OpOf(fileName));

        var tape = new Tape<T>();
        var x = new Var<T>[c.Shapes.Length];
        for (int k = 0; k < x.Length; k++) x[k] = tape.Variable(ToTensor<T>(c.Values[k], c.Shapes[k]));
        var y = c.Build(tape, x);
        AssertClose(file, "y", y.Value, abs, rel, fileName);

        tape.Backward(y, ToTensor<T>(file.GetDouble("dy").Values, y.Shape).Span);
        for (int k = 0; k < x.Length; k++)
        {
            if (c.NoGrad is not null && c.NoGrad[k])
                Assert.All(x[k].Grad.ToArray(), g => Assert.Equal(T.Zero, g));
            AssertClose(file, $"dx{k}", x[k].Grad, abs, rel, fileName);
        }
    }

    static void CompareComposite<T>(string fileName, double abs, double rel) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var file = SafetensorsFile.Read(Path.Combine(FixtureOps.Dir, fileName));
        var nodes = file["x"].Shape[0];
        var graph = FixtureOps.Graph(file.GetInt32("edges").Values, nodes, undirected: true);
        var seg = file.GetInt32("seg").Values;

        var tape = new Tape<T>();
        var v = CompositeInputs.Select(name =>
        {
            var (values, dims) = file.GetDouble(name);
            return tape.Variable(ToTensor<T>(values, new Shape(dims)));
        }).ToArray();
        var outputs = Composite.Build(tape, v[0], graph, seg, v[1], v[2], v[3], v[4], v[5], v[6]);
        AssertClose(file, "h1", outputs.H1.Value, abs, rel, fileName);
        AssertClose(file, "h2", outputs.H2.Value, abs, rel, fileName);
        AssertClose(file, "hg", outputs.Hg.Value, abs, rel, fileName);
        AssertClose(file, "T", outputs.Scores.Value, abs, rel, fileName);
        AssertClose(file, "I", outputs.I.Value, abs, rel, fileName);

        tape.Backward(outputs.I);
        for (int k = 0; k < v.Length; k++) AssertClose(file, "grad." + CompositeInputs[k], v[k].Grad, abs, rel, fileName);
    }

    static Tensor<T> ToTensor<T>(double[] values, Shape shape) where T : unmanaged, IFloatingPointIeee754<T>
        => new(values.Select(T.CreateChecked).ToArray(), 0, shape);

    // shape and every element: |actual - expected| <= abs + rel * |expected|
    static void AssertClose<T>(SafetensorsFile file, string name, Tensor<T> actual, double abs, double rel, string label)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (expected, dims) = file.GetDouble(name);
        var actualDims = Enumerable.Range(0, actual.Rank).Select(actual.Dim).ToArray();
        Assert.True(dims.SequenceEqual(actualDims),
            $"{label} {name}: shape [{string.Join(", ", actualDims)}], PyTorch [{string.Join(", ", dims)}]");
        var span = actual.Span;
        for (int i = 0; i < expected.Length; i++)
        {
            double value = double.CreateChecked(span[i]);
            double error = Math.Abs(value - expected[i]);
            Assert.True(error <= abs + rel * Math.Abs(expected[i]),
                $"{label} {name}[{i}]: {typeof(T).Name} {value:R}, PyTorch {expected[i]:R}, error {error:E2}");
        }
    }
}
