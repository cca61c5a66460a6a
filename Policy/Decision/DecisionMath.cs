using System.Globalization;

namespace Sure.Policy;

/// <summary>
/// The scalar formulas and constants of one SURE decision (SPEC 4), declared once for every place that computes a
/// decision: the tape model (Models/Model/SureModel.cs), the CPU decider (Policy/Decision/SureDecider.cs) and the
/// device decision ops (Models/Decision/Kernels/: the CPU loops, the ILGPU kernels, and the OpenCL/CUDA source, which
/// takes its constants from <see cref="KernelDefines"/>). The vectorised forms (SureDecider, RowOps) follow the same order of
/// operations, so that values match the tape's.
/// </summary>
public static class DecisionMath
{
    /// <summary>sigma = softplus(logit) + SigmaFloor (SPEC 4.1): sigma stays positive.</summary>
    public const double SigmaFloor = 1e-3;
    /// <summary>Omega = ln(softplus(mu + sigma x) + WeightFloor) + y (SPEC 4.1): the logarithm stays finite.</summary>
    public const double WeightFloor = 1e-6;
    /// <summary>Padding slots' logit before the neighbour softmax (and omega's value in `sure forward`'s files):
    /// their probability is exactly 0 and they are never chosen.</summary>
    public const double PaddingLogit = -1e30;

    /// <summary>SPEC 4.1's Omega in float, in the tape's order: ln(softplus(mu + sigma x) + WeightFloor) + y.</summary>
    public static float Omega(float mu, float sigma, float x, float y) => MathF.Log(RowOps.Softplus(mu + sigma * x) + (float)WeightFloor) + y;

    /// <summary>a = 2 sigmoid(u), in (0, 2) (SPEC 4.4); with a dead band, a within <paramref name="deadBand"/> of 1 is 1.</summary>
    public static double Ratio(double actionMean, double deadBand = 0)
    {
        double ratio = 2 / (1 + Math.Exp(-actionMean));
        return Math.Abs(ratio - 1) <= deadBand ? 1 : ratio;
    }

    /// <summary>p' = clamp(round(a p), 1, p_max), halves to even (SPEC 2, SPEC 4.4), in double: the CPU's rule.</summary>
    public static int Rescale(int parallelism, double ratio, int maxParallelism) =>
        (int)Math.Clamp(Math.Round(ratio * parallelism, MidpointRounding.ToEven), 1, maxParallelism);

    /// <summary>
    /// The same rule as the devices compute it, in float: a = 2 / (1 + e^-m), p' = clamp(rint(a p), 1, p_max) with
    /// rint halves to even. It can differ from <see cref="Rescale"/> only where a p lies within a float ulp of a half,
    /// so device and CPU deciders may disagree by one there (docs/devices.md).
    /// </summary>
    public static int RescaleSingle(float actionMean, int parallelism, int maxParallelism)
    {
        // MathF.Round(x) rounds halves to even, as rint does. Not the overload that takes a MidpointRounding: ILGPU
        // compiles this method into its kernels, and in a trimmed publish that overload's argument check stops it.
        float scaled = MathF.Round(2f / (1f + MathF.Exp(-actionMean)) * parallelism);
        return scaled < 1f ? 1 : scaled > maxParallelism ? maxParallelism : (int)scaled;
    }

    /// <summary>The constants as C preprocessor definitions for the kernel source.</summary>
    public static string KernelDefines => string.Create(CultureInfo.InvariantCulture,
        $"#define SURE_SIGMA_FLOOR {(float)SigmaFloor:R}f\n#define SURE_WEIGHT_FLOOR {(float)WeightFloor:R}f\n");
}
