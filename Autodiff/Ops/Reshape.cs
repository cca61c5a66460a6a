namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // returns a view of x with new dims (same element count); value and gradient share x's buffers,
    // so the gradient needs no backward step
    public Var<T> Reshape(Var<T> x, params ReadOnlySpan<int> dims)
    {
        var shape = new Shape(dims);
        var (value, grad) = (x.Value.Reshape(shape), x.Grad);
        ref var node = ref Push();
        node.Value = value;
        node.Grad = grad.IsNull ? default : grad.Reshape(shape);
        return Last;
    }
}
