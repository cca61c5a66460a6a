namespace Sure.Tensors.Devices;

/// <summary>
/// The derivative of each <see cref="UnaryOp"/> times an upstream gradient, from the op's input x or output y
/// (whichever is cheaper and exact): the scalar form behind <see cref="IComputeBackend.MapBackward"/> on the CPU and in
/// the ILGPU kernels (the OpenCL/CUDA source spells the same six lines). The CPU tape's ops use the same expressions.
/// </summary>
public static class UnaryDerivative
{
    public static float Times(UnaryOp op, float x, float y, float dy) => op switch
    {
        UnaryOp.Sigmoid => dy * y * (1f - y),
        UnaryOp.Softplus => dy / (1f + MathF.Exp(-x)),
        UnaryOp.Relu => x > 0f ? dy : 0f,
        UnaryOp.Tanh => dy * (1f - y * y),
        UnaryOp.Exp => dy * y,
        _ => dy / x,
    };
}

