namespace Sure.Autodiff;

/// <summary>
/// What a model's forward needs from a tape, so that one definition of the model's maths records on the CPU tape
/// (<see cref="Tape{T}"/>, TVar = <see cref="Var{T}"/>) or on a device (<see cref="Device.DeviceTape"/>, TVar =
/// <see cref="Device.DeviceVar"/>, T = float). Shapes and semantics are the CPU tape's (one file per op under Ops/).
/// Index arrays are kept by reference until Backward, as the CPU tape keeps them.
/// </summary>
public interface IDiffTape<TVar, T> where TVar : struct where T : unmanaged, IFloatingPointIeee754<T>
{
    TVar Constant(Tensor<T> value);
    TVar Param(Parameter<T> parameter);
    /// <summary>A host tensor with unspecified contents for building an input (valid until the tape's Reset).</summary>
    Tensor<T> NewTensor(params ReadOnlySpan<int> dims);
    /// <summary>The value on the host: the CPU tape's own memory, or a device download (a synchronisation point).</summary>
    ReadOnlySpan<T> Read(TVar x);
    Shape ShapeOf(TVar x);
    /// <summary>Seeds d(output)/d(output) = 1 for a one-element output and runs the tape backwards.</summary>
    void Backward(TVar output);

    TVar MatMul(TVar a, TVar b, bool transA = false, bool transB = false);
    TVar AddBias(TVar x, TVar bias);
    TVar Add(TVar a, TVar b);
    TVar Sub(TVar a, TVar b);
    TVar Mul(TVar a, TVar b);
    TVar Scale(TVar x, T c);
    TVar Neg(TVar x);
    TVar AddScalar(TVar x, T c);
    TVar Sigmoid(TVar x);
    TVar Softplus(TVar x);
    TVar Relu(TVar x);
    TVar Tanh(TVar x);
    TVar Exp(TVar x);
    TVar Log(TVar x);
    TVar Sum(TVar x);
    TVar Mean(TVar x);
    TVar SoftmaxRows(TVar x);
    TVar GatherRows(TVar x, ReadOnlyMemory<int> index);
    TVar SegmentMean(TVar x, ReadOnlyMemory<int> segStart);
    TVar CsrMean(TVar x, Csr graph);
    TVar Concat(TVar a, TVar b);
    TVar ScaleRows(TVar x, TVar s);
    TVar Reshape(TVar x, params ReadOnlySpan<int> dims);
    TVar StopGradient(TVar x);
    TVar Bilinear(TVar x, TVar w, TVar z);
    TVar GaussianLogDensity(TVar u, TVar mean, TVar logStd);
}
