using Sure.Autodiff;
using Sure.Tensors;

namespace Sure.Autodiff.Tests;

/// <summary>
/// The one finite-difference checker every gradient test uses: loss = sum(y * dy) for a random dy,
/// tape gradient vs central differences in double.
/// </summary>
public static class GradCheck
{
    public const double Eps = 1e-6, Atol = 1e-5, Rtol = 1e-3;

    // shapes[k], values[k]: input k; noGrad[k]: input k sits behind a stop-gradient, so its gradient must be exactly 0
    public static void Run(Shape[] shapes, double[][] values, Func<Tape<double>, Var<double>[], Var<double>> build,
        int seed, bool[]? noGrad = null, string label = "")
    {
        var tape = new Tape<double>();
        var inputs = new Var<double>[shapes.Length];
        for (int k = 0; k < shapes.Length; k++)
            inputs[k] = tape.Variable(new Tensor<double>((double[])values[k].Clone(), 0, shapes[k]));
        var y = build(tape, inputs);
        var rng = new Random(seed);
        var dy = new double[y.Value.Length];
        for (int i = 0; i < dy.Length; i++) dy[i] = rng.NextDouble() * 2 - 1;
        tape.Backward(y, dy);

        var probe = new Tape<double>(inference: true);
        for (int k = 0; k < shapes.Length; k++)
        {
            var analytic = inputs[k].Grad.ToArray();
            if (noGrad is not null && noGrad[k])
            {
                Assert.All(analytic, g => Assert.Equal(0.0, g));
                continue;
            }
            var x = (double[][])values.Clone();
            x[k] = (double[])values[k].Clone();
            for (int i = 0; i < x[k].Length; i++)
            {
                double saved = x[k][i];
                x[k][i] = saved + Eps;
                double plus = Loss(probe, shapes, x, build, dy);
                x[k][i] = saved - Eps;
                double minus = Loss(probe, shapes, x, build, dy);
                x[k][i] = saved;
                double numeric = (plus - minus) / (2 * Eps);
                double error = Math.Abs(analytic[i] - numeric);
                Assert.True(error <= Atol + Rtol * Math.Abs(numeric),
                    $"{label} d/dx{k}[{i}]: tape {analytic[i]:R}, finite difference {numeric:R}");
            }
        }
    }

    static double Loss(Tape<double> probe, Shape[] shapes, double[][] values, Func<Tape<double>, Var<double>[], Var<double>> build, double[] dy)
    {
        probe.Reset();
        var inputs = new Var<double>[shapes.Length];
        for (int k = 0; k < shapes.Length; k++) inputs[k] = probe.Constant(new Tensor<double>(values[k], 0, shapes[k]));
        var y = build(probe, inputs).Value.Span;
        double loss = 0;
        for (int i = 0; i < y.Length; i++) loss += y[i] * dy[i];
        return loss;
    }
}
