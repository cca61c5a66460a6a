namespace Sure.Autodiff.Testing;

/// <summary>
/// Where an op's inputs are drawn: the interval [Lo, Hi], keeping Margin away from each kink (a point where the
/// derivative jumps, such as 0 for relu), since a central difference across a kink measures neither side.
/// </summary>
public sealed record Domain(double Lo, double Hi)
{
    public double[] Kinks { get; init; } = [];
    public double Margin { get; init; } = 0.05;

    /// <summary>[-2, 2]: ops defined everywhere (tanh, sigmoid, matmul, ...) with values and slopes of order 1.</summary>
    public static Domain Finite { get; } = new(-2, 2);

    /// <summary>[0.2, 3]: log and other ops defined for x &gt; 0, kept off 0 where the slope 1/x blows up.</summary>
    public static Domain Positive { get; } = new(0.2, 3);

    /// <summary>[lo, hi]: e.g. Between(-3, 3) for exp, so e^x stays near 1 and the difference's rounding small.</summary>
    public static Domain Between(double lo, double hi) => new(lo, hi);

    /// <summary>The same interval, Margin away from each of these points.</summary>
    public Domain AwayFrom(params double[] kinks) => this with { Kinks = kinks };

    public bool Contains(double x)
    {
        if (!(x >= Lo && x <= Hi)) return false;
        foreach (double k in Kinks)
            if (Math.Abs(x - k) < Margin) return false;
        return true;
    }
}
