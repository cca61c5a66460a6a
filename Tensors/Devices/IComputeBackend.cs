namespace Sure.Tensors.Devices;

/// <summary>Element types a device buffer can hold; Philox raw words travel as Int32 (read them back as uint).</summary>
public enum ElementType { Float32, Int32 }

public enum UnaryOp { Sigmoid, Softplus, Relu, Tanh, Exp, Log }

public enum BinaryOp { Add, Mul }

/// <summary>What a Philox4x32-10 stream is turned into: raw words, U(0,1), N(0,1) or Gumbel(0,1).</summary>
public enum RandomDraw { Bits = 0, Uniform = 1, Gaussian = 2, Gumbel = 3 }  // values are passed to the kernels

/// <summary>Memory owned by one backend; only that backend's kernels may read or write it.</summary>
public abstract class DeviceBuffer(ElementType type, int length) : IDisposable
{
    public ElementType Type { get; } = type;
    public int Length { get; } = length;
    public bool IsDisposed { get; private set; }

    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        Release();
        GC.SuppressFinalize(this);
    }

    protected abstract void Release();

    /// <summary>Throws unless count is not negative and every buffer holds at least count elements.</summary>
    public static void CheckElements(int count, params ReadOnlySpan<DeviceBuffer> buffers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        foreach (var b in buffers)
            if (b.Length < count) throw new ArgumentException($"kernel needs {count} elements, buffer has {b.Length}");
    }
}

/// <summary>
/// One compute device. Every call is enqueued in order; downloads wait for the work before them,
/// so <see cref="Synchronize"/> is only needed to time or to hand buffers to another queue.
/// Argument order follows the CPU kernels: inputs and sizes first, outputs last.
/// <para>Only generic ops are here. A model brings kernels of its own through its backend's type: C source for
/// <see cref="KernelBackend.Compile"/> (OpenCL, CUDA), C# kernels for <see cref="Ilgpu.IlgpuBackend.Accelerator"/>,
/// loops over <see cref="CpuBackend.FloatSpan"/> on the CPU (Models/Decision/Kernels does so for SURE's decision).</para>
/// </summary>
public interface IComputeBackend : IDisposable
{
    /// <summary>The name the factory knows it by: "cpu", "opencl", "cuda".</summary>
    string Name { get; }

    /// <summary>Human-readable platform and device, e.g. "Portable Computing Language / pthread-haswell".</summary>
    string Device { get; }

    DeviceBuffer Allocate(ElementType type, int length);

    // source: [n <= destination.Length]; T must be float for Float32 buffers, int or uint for Int32 buffers
    void Upload<T>(ReadOnlySpan<T> source, DeviceBuffer destination) where T : unmanaged;

    // destination: [n <= source.Length]
    void Download<T>(DeviceBuffer source, Span<T> destination) where T : unmanaged;

    void Synchronize();

    // a: [m, k], or [k, m] when transA
    // b: [k, n], or [n, k] when transB
    // c: [m, n]; c = op(a) @ op(b), or c += op(a) @ op(b) when accumulate
    void Gemm(DeviceBuffer a, bool transA, DeviceBuffer b, bool transB, int m, int n, int k, bool accumulate, DeviceBuffer c);

    // x: [n]  y: [n]; y = op(x), y may be x
    void Map(UnaryOp op, DeviceBuffer x, int n, DeviceBuffer y);

    // x: [n]  y: [n]; y = alpha * x
    void Scale(DeviceBuffer x, float alpha, int n, DeviceBuffer y);

    // a: [n]  b: [n]  y: [n]; y = a op b
    void Zip(BinaryOp op, DeviceBuffer a, DeviceBuffer b, int n, DeviceBuffer y);

    // x: [rows, cols]  bias: [cols]  y: [rows, cols]; y[r, c] = x[r, c] + bias[c]
    void AddBias(DeviceBuffer x, DeviceBuffer bias, int rows, int cols, DeviceBuffer y);

    // x: [rows, cols]  y: [rows, cols]; max-subtracted softmax of each row
    void Softmax(DeviceBuffer x, int rows, int cols, DeviceBuffer y);

    // x: [rows, cols] float  indices: [rows, k] int
    // The k largest of x[r, 0..valid), descending, ties to the lower index; in ascending index order when
    // ascendingIndices. Slots past min(k, valid) are -1. NaN ranks below every number (as in Sure.Tensors.TopK).
    void TopK(DeviceBuffer x, int rows, int cols, int valid, int k, bool ascendingIndices, DeviceBuffer indices);

    // rowPtr: [rows + 1] int  colIdx: [nnz] int  x: [*, d]  y: [rows, d]
    // y[v] = mean of x[u] over the neighbours u of v, 0 when v has none (Sparse.MeanAggregate)
    void MeanAggregate(DeviceBuffer rowPtr, DeviceBuffer colIdx, int rows, DeviceBuffer x, int d, DeviceBuffer y);

    // tRowPtr: [xRows + 1]  tColIdx: [nnz]: the transposed CSR (row u lists every v with u in N(v))
    // rowPtr: [rows + 1]: the forward CSR, for deg(v)  dy: [rows, d]  dx: [xRows, d], accumulated
    // dx[u] += sum over v listing u of dy[v] / deg(v) (Sparse.MeanAggregateBackward, as a gather: no atomics)
    void MeanAggregateBackward(DeviceBuffer tRowPtr, DeviceBuffer tColIdx, int xRows, DeviceBuffer rowPtr, int rows,
        DeviceBuffer dy, int d, DeviceBuffer dx);

    // x: [segStart[segments], d]  segStart: [segments + 1] int  y: [segments, d] (Sparse.SegmentMean)
    void SegmentMean(DeviceBuffer x, int d, DeviceBuffer segStart, int segments, DeviceBuffer y);

    // dy: [segments, d]  segStart: [segments + 1] int  dx: [xRows >= segStart[segments], d], accumulated:
    // dx[r] += dy[j] / len(j) for every row r of segment j (Sparse.SegmentMeanBackward); other rows untouched
    void SegmentMeanBackward(DeviceBuffer dy, int d, DeviceBuffer segStart, int segments, int xRows, DeviceBuffer dx);

    // x: [*, d]  index: [count] int  y: [count, d]; y[i] = x[index[i]]
    void GatherRows(DeviceBuffer x, int d, DeviceBuffer index, int count, DeviceBuffer y);

    // dy: [count, d]  inverse: the gather index as a CSR over target rows, invRowPtr: [xRows + 1],
    // invPos: [count] (row u lists every i with index[i] == u, ascending: GatherIndex.Invert)
    // dx: [xRows, d], accumulated: dx[index[i]] += dy[i] (Sparse.ScatterAddRows, as a gather: no atomics)
    void ScatterAddRows(DeviceBuffer dy, int d, DeviceBuffer invRowPtr, DeviceBuffer invPos, int xRows, DeviceBuffer dx);

    // The ops below serve reverse mode (Autodiff's DeviceTape) and its optimiser: accumulating backward steps and Adam.

    // x: [n]  y: [n]; y += alpha * x
    void Axpy(float alpha, DeviceBuffer x, int n, DeviceBuffer y);

    // a: [n]  b: [n]  y: [n]; y += a * b
    void MultiplyAdd(DeviceBuffer a, DeviceBuffer b, int n, DeviceBuffer y);

    // y: [n]; y = value
    void Fill(float value, int n, DeviceBuffer y);

    // x: [n] the op's input  y: [n] its output  dy: [n]  dx: [n]; dx += dy * op'(x), from x or y as
    // UnaryDerivative says (Sigmoid y(1 - y), Softplus sigmoid(x), Relu [x > 0], Tanh 1 - y^2, Exp y, Log 1 / x)
    void MapBackward(UnaryOp op, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, int n, DeviceBuffer dx);

    // y: [rows, cols] the softmax's output  dy: [rows, cols]  dx: [rows, cols]; dx += y * (dy - dy_r . y_r) per row r
    void SoftmaxBackward(DeviceBuffer y, DeviceBuffer dy, int rows, int cols, DeviceBuffer dx);

    // src: a [rows, cols] block starting at srcOffset with rows srcStride apart; dst: likewise at dstOffset, dstStride.
    // dst block = src block, or dst block += src block when accumulate (columns of a concatenation and their gradients)
    void CopyBlock(DeviceBuffer src, int srcOffset, int srcStride, int rows, int cols, int dstOffset, int dstStride,
        bool accumulate, DeviceBuffer dst);

    // g: [n] gradient  m, v: [n] moments  p: [n] parameter; one Adam step as Autodiff's Adam takes it, with the bias
    // corrections folded into stepSize = -lr / (1 - beta1^t) and invSqrtCorrection2 = 1 / sqrt(1 - beta2^t):
    // m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;  p += stepSize m / (sqrt(v) invSqrtCorrection2 + eps)
    void AdamStep(DeviceBuffer g, int n, float beta1, float beta2, float eps, float stepSize, float invSqrtCorrection2,
        DeviceBuffer m, DeviceBuffer v, DeviceBuffer p);

    // y: [n] (Int32 for Bits, else Float32); y[i] = the draw at position offset + i of Sure.Tensors.Philox's
    // (seed, stream) sequence, the same numbers Philox.Bits / FillUniform / FillNormal / FillGumbel give
    void Random(RandomDraw draw, ulong seed, ulong stream, ulong offset, int n, DeviceBuffer y);
}
