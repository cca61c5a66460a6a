namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // returns x's value (same buffer) with no gradient path back to x
    public Var<T> StopGradient(Var<T> x)
    {
        ref var node = ref Push();
        node.Value = x.Value;
        return Last;
    }
}
