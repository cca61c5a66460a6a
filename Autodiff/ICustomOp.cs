namespace Sure.Autodiff;

/// <summary>
/// An op defined outside this assembly: its forward and backward, recorded with <see cref="Tape{T}.Custom(ICustomOp{T}, Var{T})"/>
/// and differentiated like a built-in op. The tape keeps a reference to the instance until its next Reset, so create
/// it once and reuse it: recording then allocates nothing (a struct would be boxed on every call).
/// </summary>
public interface ICustomOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Shape of the output for these inputs (1 to 3); throw here if they don't fit the op.</summary>
    Shape OutputShape(ReadOnlySpan<Tensor<T>> inputs);

    /// <summary>Writes the output into <paramref name="output"/> (arena memory, contents unspecified).</summary>
    void Forward(ReadOnlySpan<Tensor<T>> inputs, Tensor<T> output);

    /// <summary>
    /// Adds d(loss)/d(input k) into <c>inputGrads[k]</c> given <paramref name="outputGrad"/> = d(loss)/d(output).
    /// Add, never overwrite: an input used twice gets both contributions. Skip k when <c>inputGrads[k].IsNull</c>
    /// (that input has no gradient). Inputs and output are as they were in Forward.
    /// </summary>
    void Backward(ReadOnlySpan<Tensor<T>> inputs, Tensor<T> output, Tensor<T> outputGrad, ReadOnlySpan<Tensor<T>> inputGrads);
}
