using System.Runtime.CompilerServices;

namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    /// <summary>Records a user-defined op of one input (see <see cref="ICustomOp{T}"/>).</summary>
    public Var<T> Custom(ICustomOp<T> op, Var<T> a)
    {
        Three values = default;
        values[0] = a.Value;
        return Custom(op, values, 1, Own(a), -1, -1);
    }

    /// <summary>Records a user-defined op of two inputs.</summary>
    public Var<T> Custom(ICustomOp<T> op, Var<T> a, Var<T> b)
    {
        Three values = default;
        values[0] = a.Value;
        values[1] = b.Value;
        return Custom(op, values, 2, Own(a), Own(b), -1);
    }

    /// <summary>Records a user-defined op of three inputs.</summary>
    public Var<T> Custom(ICustomOp<T> op, Var<T> a, Var<T> b, Var<T> c)
    {
        Three values = default;
        values[0] = a.Value;
        values[1] = b.Value;
        values[2] = c.Value;
        return Custom(op, values, 3, Own(a), Own(b), Own(c));
    }

    Var<T> Custom(ICustomOp<T> op, Three values, int count, int a, int b, int c)
    {
        ArgumentNullException.ThrowIfNull(op);
        ReadOnlySpan<Tensor<T>> inputs = ((ReadOnlySpan<Tensor<T>>)values)[..count];
        var y = NewValue(op.OutputShape(inputs));
        op.Forward(inputs, y);
        ref var node = ref Record(y, CustomBack, a, b, c);
        node.Custom = op;
        node.Flags = count;
        return Last;
    }

    static readonly BackwardFn<T> CustomBack = CustomBackward;

    static void CustomBackward(Tape<T> t, in Node<T> n)
    {
        Three values = default, grads = default;
        ReadOnlySpan<int> ids = [n.A, n.B, n.C];
        for (int k = 0; k < n.Flags; k++)
        {
            values[k] = t.ValueOf(ids[k]);
            grads[k] = t.GradOf(ids[k]);
        }
        n.Custom!.Backward(((ReadOnlySpan<Tensor<T>>)values)[..n.Flags], n.Value, n.Grad, ((ReadOnlySpan<Tensor<T>>)grads)[..n.Flags]);
    }

    // Up to three tensors on the stack, so handing the inputs to a custom op allocates nothing.
    [InlineArray(3)]
    struct Three
    {
        Tensor<T> _first;
    }
}
