using System.Globalization;

namespace Sure.Autodiff;

/// <summary>
/// A function of tensors recorded on a tape, generic in the float type so that the same code can run on
/// Tape&lt;float&gt; and Tape&lt;double&gt; (<see cref="GradCheck.FloatVsDouble"/>).
/// </summary>
public interface ITapeFunction
{
    Var<T> Build<T>(Tape<T> tape, Var<T>[] inputs) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>Settings of <see cref="GradCheck"/>; the defaults are the ones this repository's own op tests use.</summary>
public sealed record GradCheckOptions
{
    public static GradCheckOptions Default { get; } = new();

    /// <summary>Step of the central difference (f(x + eps) - f(x - eps)) / 2 eps, in double.</summary>
    public double Eps { get; init; } = 1e-6;

    /// <summary>An element passes when |tape - numeric| &lt;= Atol + Rtol * |numeric|.</summary>
    public double Atol { get; init; } = 1e-5;
    public double Rtol { get; init; } = 1e-3;

    /// <summary>Tolerances of FloatVsDouble: |float - double| &lt;= FloatAtol + FloatRtol * |double|.</summary>
    public double FloatAtol { get; init; } = 1e-4;
    public double FloatRtol { get; init; } = 1e-4;

    /// <summary>Seed of the random upstream gradient dy (the checked scalar is sum(y * dy)).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Names of the inputs for messages; "x0", "x1", ... when absent.</summary>
    public string[]? Names { get; init; }

    /// <summary>Inputs that reach the output only through StopGradient: their gradient must be exactly 0.</summary>
    public bool[]? NoGrad { get; init; }
}

/// <summary>
/// Outcome of a check, naming its worst element: the one furthest outside (or closest to) its tolerance.
/// For <see cref="GradCheck.Run(Func{Tape{double}, Var{double}[], Var{double}}, Tensor{double}[], GradCheckOptions?)"/>
/// Actual is the tape's gradient and Expected the central difference; for FloatVsDouble Actual is float's and
/// Expected double's value or gradient.
/// </summary>
public sealed record GradCheckResult
{
    public required bool Passed { get; init; }
    /// <summary>What was compared: "gradient" (tape vs central difference) or "float vs double".</summary>
    public required string Kind { get; init; }
    /// <summary>Name of the worst input, or "output" for FloatVsDouble's output value.</summary>
    public required string Input { get; init; }
    /// <summary>Index of the worst input in the inputs array, -1 for the output.</summary>
    public required int InputIndex { get; init; }
    /// <summary>Flat (row-major) index of the worst element.</summary>
    public required int Element { get; init; }
    public required Shape Shape { get; init; }
    /// <summary>The input's value at that element (NaN for FloatVsDouble's output).</summary>
    public required double Value { get; init; }
    public required double Actual { get; init; }
    public required double Expected { get; init; }
    public required double Error { get; init; }
    public required double Allowed { get; init; }
    /// <summary>Elements compared and how many of them were outside their tolerance.</summary>
    public required int Checked { get; init; }
    public required int Failures { get; init; }

    /// <summary>The element as the user wrote the input, e.g. "W[1, 2]".</summary>
    public string Where => $"{Input}[{Coordinates(Shape, Element)}]";

    public string Message
    {
        get
        {
            var c = CultureInfo.InvariantCulture;
            var (actual, expected) = Kind == GradCheck.GradientKind ? ("tape", "central difference") : ("float", "double");
            string head = Passed
                ? $"{Kind} check passed ({Checked} elements); worst {Where}"
                : $"{Kind} check failed at {Where}{(InputIndex >= 0 ? $" = {Value:G7}" : "")} ({Failures} of {Checked} elements out of tolerance)";
            return string.Create(c, $"{head}: {actual} {Actual:G7}, {expected} {Expected:G7}, error {Error:G3} " +
                $"{(Passed ? "<=" : ">")} allowed {Allowed:G3} (input {InputIndex}, element {Element} of {Shape})");
        }
    }

    public override string ToString() => Message;

    static string Coordinates(Shape shape, int flat)
    {
        if (shape.Rank <= 1) return flat.ToString(CultureInfo.InvariantCulture);
        var parts = new int[shape.Rank];
        for (int axis = shape.Rank - 1; axis >= 0; axis--)
        {
            parts[axis] = flat % shape[axis];
            flat /= shape[axis];
        }
        return string.Join(", ", parts);
    }
}

/// <summary>Thrown by the Assert forms of <see cref="GradCheck"/>; the message names the worst element.</summary>
public sealed class GradCheckException(GradCheckResult result) : Exception(result.Message)
{
    public GradCheckResult Result { get; } = result;
}

/// <summary>
/// Checks a tape's gradients. The function's output y may have any shape: the checked scalar is sum(y * dy) for a
/// random dy in [-1, 1), so every output element and every input element is exercised in one backward pass.
/// The caller's input tensors are never modified.
/// </summary>
public static class GradCheck
{
    internal const string GradientKind = "gradient", FloatKind = "float vs double";

    /// <summary>Tape gradient against central differences, all in double.</summary>
    public static GradCheckResult Run(Func<Tape<double>, Var<double>[], Var<double>> f, Tensor<double>[] inputs,
        GradCheckOptions? options = null)
    {
        var o = options ?? GradCheckOptions.Default;
        Validate(inputs, o);
        var tape = new Tape<double>();
        var vars = new Var<double>[inputs.Length];
        for (int k = 0; k < inputs.Length; k++) vars[k] = tape.Variable(Copy(inputs[k]));
        var y = f(tape, vars);
        double[] dy = RandomSeed(y.Value.Length, o.Seed);
        tape.Backward(y, dy);

        var probe = new Tape<double>(inference: true);
        var x = new Tensor<double>[inputs.Length];
        for (int k = 0; k < inputs.Length; k++) x[k] = Copy(inputs[k]);
        var worst = new Worst(GradientKind, o);
        for (int k = 0; k < inputs.Length; k++)
        {
            var analytic = vars[k].Grad.Span;
            bool noGrad = o.NoGrad is not null && o.NoGrad[k];
            var xk = x[k].Span;
            for (int i = 0; i < xk.Length; i++)
            {
                if (noGrad)
                {
                    // A stopped input still moves the output, so the difference quotient is not 0; only exact 0 is right.
                    worst.Add(k, i, inputs[k], analytic[i], 0, allowed: 0);
                    continue;
                }
                double saved = xk[i];
                xk[i] = saved + o.Eps;
                double plus = Loss(probe, f, x, dy);
                xk[i] = saved - o.Eps;
                double minus = Loss(probe, f, x, dy);
                xk[i] = saved;
                double numeric = (plus - minus) / (2 * o.Eps);
                worst.Add(k, i, inputs[k], analytic[i], numeric, o.Atol + o.Rtol * Math.Abs(numeric));
            }
        }
        return worst.Result();
    }

    public static GradCheckResult Run(ITapeFunction f, Tensor<double>[] inputs, GradCheckOptions? options = null)
        => Run(f.Build, inputs, options);

    /// <summary>Run, throwing <see cref="GradCheckException"/> when an element is out of tolerance.</summary>
    public static GradCheckResult Assert(Func<Tape<double>, Var<double>[], Var<double>> f, Tensor<double>[] inputs,
        GradCheckOptions? options = null) => ThrowIfFailed(Run(f, inputs, options));

    public static GradCheckResult Assert(ITapeFunction f, Tensor<double>[] inputs, GradCheckOptions? options = null)
        => ThrowIfFailed(Run(f, inputs, options));

    /// <summary>
    /// The same function on Tape&lt;float&gt; and Tape&lt;double&gt; with the same inputs and upstream gradient:
    /// output values and input gradients must agree within FloatAtol + FloatRtol * |double|.
    /// Catches float-only problems (overflow, cancellation, a kernel's float path) that a double check cannot see.
    /// </summary>
    public static GradCheckResult FloatVsDouble(ITapeFunction f, Tensor<double>[] inputs, GradCheckOptions? options = null)
    {
        var o = options ?? GradCheckOptions.Default;
        Validate(inputs, o);
        var (yd, shape, gd) = Evaluate<double>(f, inputs, o.Seed);
        var (yf, _, gf) = Evaluate<float>(f, inputs, o.Seed);
        var worst = new Worst(FloatKind, o);
        var output = new Tensor<double>(yd, 0, shape);
        for (int i = 0; i < yd.Length; i++) worst.Add(-1, i, output, yf[i], yd[i], o.FloatAtol + o.FloatRtol * Math.Abs(yd[i]));
        for (int k = 0; k < inputs.Length; k++)
            for (int i = 0; i < gd[k].Length; i++)
                worst.Add(k, i, inputs[k], gf[k][i], gd[k][i], o.FloatAtol + o.FloatRtol * Math.Abs(gd[k][i]));
        return worst.Result();
    }

    public static GradCheckResult AssertFloatVsDouble(ITapeFunction f, Tensor<double>[] inputs, GradCheckOptions? options = null)
        => ThrowIfFailed(FloatVsDouble(f, inputs, options));

    static GradCheckResult ThrowIfFailed(GradCheckResult r) => r.Passed ? r : throw new GradCheckException(r);

    static void Validate(Tensor<double>[] inputs, GradCheckOptions o)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length == 0) throw new ArgumentException("no inputs to check");
        if (o.Names is not null && o.Names.Length != inputs.Length) throw new ArgumentException("Names: one per input");
        if (o.NoGrad is not null && o.NoGrad.Length != inputs.Length) throw new ArgumentException("NoGrad: one per input");
        if (!(o.Eps > 0)) throw new ArgumentException("Eps must be positive");
    }

    static Tensor<double> Copy(Tensor<double> t) => new(t.ToArray(), 0, t.Shape);

    static double[] RandomSeed(int length, int seed)
    {
        var rng = new Random(seed);
        var dy = new double[length];
        for (int i = 0; i < length; i++) dy[i] = rng.NextDouble() * 2 - 1;
        return dy;
    }

    static double Loss(Tape<double> probe, Func<Tape<double>, Var<double>[], Var<double>> f, Tensor<double>[] x, double[] dy)
    {
        probe.Reset();
        var inputs = new Var<double>[x.Length];
        for (int k = 0; k < x.Length; k++) inputs[k] = probe.Constant(x[k]);
        var y = f(probe, inputs).Value.Span;
        if (y.Length != dy.Length) throw new InvalidOperationException("the function's output length changed between calls");
        double loss = 0;
        for (int i = 0; i < y.Length; i++) loss += y[i] * dy[i];
        return loss;
    }

    static (double[] Y, Shape Shape, double[][] Grads) Evaluate<T>(ITapeFunction f, Tensor<double>[] inputs, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tape = new Tape<T>();
        var x = new Var<T>[inputs.Length];
        for (int k = 0; k < x.Length; k++) x[k] = tape.Variable(new Tensor<T>(Convert<double, T>(inputs[k].Span), 0, inputs[k].Shape));
        var y = f.Build(tape, x);
        var dy = Convert<double, T>(RandomSeed(y.Value.Length, seed));
        tape.Backward(y, dy);
        var grads = new double[x.Length][];
        for (int k = 0; k < x.Length; k++) grads[k] = Convert<T, double>(x[k].Grad.Span);
        return (Convert<T, double>(y.Value.Span), y.Shape, grads);
    }

    static TTo[] Convert<TFrom, TTo>(ReadOnlySpan<TFrom> s) where TFrom : INumberBase<TFrom> where TTo : INumberBase<TTo>
    {
        var r = new TTo[s.Length];
        for (int i = 0; i < s.Length; i++) r[i] = TTo.CreateChecked(s[i]);
        return r;
    }

    // Keeps the element with the largest error relative to its tolerance; NaN counts as infinitely bad.
    sealed class Worst(string kind, GradCheckOptions o)
    {
        double _score = double.NegativeInfinity;
        int _checked, _failures, _k, _i;
        Shape _shape;
        double _value, _actual, _expected, _error, _allowed;

        // k, i: input (-1 for the output) and element; of: that input (or the output)
        public void Add(int k, int i, Tensor<double> of, double actual, double expected, double allowed)
        {
            double error = Math.Abs(actual - expected);
            double score = double.IsNaN(error) ? double.PositiveInfinity
                : allowed > 0 ? error / allowed
                : error > 0 ? double.PositiveInfinity : 0;
            _checked++;
            if (score > 1) _failures++;
            if (score <= _score) return;
            (_score, _k, _i, _shape, _actual, _expected, _error, _allowed) = (score, k, i, of.Shape, actual, expected, error, allowed);
            _value = k < 0 ? double.NaN : of.Span[i];
        }

        public GradCheckResult Result() => new()
        {
            Passed = _failures == 0, Kind = kind,
            Input = _k < 0 ? "output" : o.Names?[_k] ?? $"x{_k}", InputIndex = _k, Element = _i, Shape = _shape, Value = _value,
            Actual = _actual, Expected = _expected, Error = _error, Allowed = _allowed,
            Checked = _checked, Failures = _failures,
        };
    }
}
