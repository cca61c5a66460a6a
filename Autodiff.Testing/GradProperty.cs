using FsCheck;
using FsCheck.Fluent;
using Sure.Tensors;

namespace Sure.Autodiff.Testing;

/// <summary>
/// GradCheck as an FsCheck property: for every input drawn by a generator, the tape's gradient matches central
/// differences (or float matches double). A failure throws with FsCheck's counterexample and, as the failing
/// property's label, GradCheck's message naming the worst element, so it reads well in any test framework.
/// </summary>
public static class GradProperty
{
    public static Property ForAll(Gen<Tensor<double>[]> inputs, Func<Tape<double>, Var<double>[], Var<double>> f,
        GradCheckOptions? options = null)
        => Prop.ForAll(inputs.ToArbitrary(), (Tensor<double>[] x) => Labelled(GradCheck.Run(f, x, options)));

    public static Property FloatMatchesDouble(Gen<Tensor<double>[]> inputs, ITapeFunction f, GradCheckOptions? options = null)
        => Prop.ForAll(inputs.ToArbitrary(), (Tensor<double>[] x) => Labelled(GradCheck.FloatVsDouble(f, x, options)));

    // A label rather than an exception: FsCheck then prints the message without a stack trace.
    static Property Labelled(GradCheckResult r) => r.Passed.Label(r.Message);

    // Silent when it passes: test runners show the output of failures only.
    static Config Quick(int tests) => Config.QuickThrowOnFailure.WithQuietOnSuccess(true).WithMaxTest(tests);

    /// <summary>Checks <see cref="ForAll"/> on <paramref name="tests"/> draws; throws on the first failure.</summary>
    public static void Check(Gen<Tensor<double>[]> inputs, Func<Tape<double>, Var<double>[], Var<double>> f,
        GradCheckOptions? options = null, int tests = 100)
        => FsCheck.Check.One(Quick(tests), ForAll(inputs, f, options));

    public static void Check(Gen<Tensor<double>[]> inputs, ITapeFunction f, GradCheckOptions? options = null, int tests = 100)
        => Check(inputs, f.Build, options, tests);

    /// <summary>Checks <see cref="FloatMatchesDouble"/> on <paramref name="tests"/> draws; throws on the first failure.</summary>
    public static void CheckFloat(Gen<Tensor<double>[]> inputs, ITapeFunction f, GradCheckOptions? options = null, int tests = 100)
        => FsCheck.Check.One(Quick(tests), FloatMatchesDouble(inputs, f, options));
}
