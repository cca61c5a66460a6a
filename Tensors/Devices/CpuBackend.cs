using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Sure.Tensors.Devices;

/// <summary>The CPU engine behind the backend interface: buffers are managed arrays, kernels are Sure.Tensors'.</summary>
public sealed class CpuBackend : IComputeBackend
{
    public string Name => "cpu";
    public string Device => $"{Environment.ProcessorCount} CPU threads, .NET {Environment.Version}";

    sealed class CpuBuffer(ElementType type, int length) : DeviceBuffer(type, length)
    {
        public readonly float[] Floats = type == ElementType.Float32 ? new float[length] : [];
        public readonly int[] Ints = type == ElementType.Int32 ? new int[length] : [];
        protected override void Release() { }
    }

    public DeviceBuffer Allocate(ElementType type, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new CpuBuffer(type, length);
    }

    static CpuBuffer Own(DeviceBuffer buffer, ElementType type, string argument)
    {
        if (buffer is not CpuBuffer b) throw new ArgumentException($"{argument} belongs to another backend", argument);
        ObjectDisposedException.ThrowIf(b.IsDisposed, b);
        if (b.Type != type) throw new ArgumentException($"{argument} holds {b.Type}, expected {type}", argument);
        return b;
    }

    static float[] F(DeviceBuffer b) => Own(b, ElementType.Float32, "buffer").Floats;
    static int[] I(DeviceBuffer b) => Own(b, ElementType.Int32, "buffer").Ints;

    /// <summary>The memory of a Float32 buffer of this backend, for a model's own CPU ops.</summary>
    public static Span<float> FloatSpan(DeviceBuffer b) => F(b);

    /// <summary>The memory of an Int32 buffer of this backend, for a model's own CPU ops.</summary>
    public static Span<int> IntSpan(DeviceBuffer b) => I(b);

    internal static ElementType ElementOf<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? ElementType.Float32
        : typeof(T) == typeof(int) || typeof(T) == typeof(uint) ? ElementType.Int32
        : throw new NotSupportedException($"device buffers hold float, int or uint, not {typeof(T).Name}");

    internal static void CheckLength(int count, int capacity, string argument)
    {
        if (count > capacity) throw new ArgumentException($"{count} elements do not fit a buffer of {capacity}", argument);
    }

    internal static void CheckGemm(DeviceBuffer a, DeviceBuffer b, DeviceBuffer c, int m, int n, int k)
    {
        DeviceBuffer.CheckElements(m * k, a);
        DeviceBuffer.CheckElements(k * n, b);
        DeviceBuffer.CheckElements(m * n, c);
    }

    public void Upload<T>(ReadOnlySpan<T> source, DeviceBuffer destination) where T : unmanaged
    {
        var b = Own(destination, ElementOf<T>(), nameof(destination));
        CheckLength(source.Length, b.Length, nameof(source));
        var bytes = MemoryMarshal.AsBytes(source);
        if (b.Type == ElementType.Float32) bytes.CopyTo(MemoryMarshal.AsBytes(b.Floats.AsSpan()));
        else bytes.CopyTo(MemoryMarshal.AsBytes(b.Ints.AsSpan()));
    }

    public void Download<T>(DeviceBuffer source, Span<T> destination) where T : unmanaged
    {
        var b = Own(source, ElementOf<T>(), nameof(source));
        CheckLength(destination.Length, b.Length, nameof(destination));
        var bytes = b.Type == ElementType.Float32 ? MemoryMarshal.AsBytes(b.Floats.AsSpan()) : MemoryMarshal.AsBytes(b.Ints.AsSpan());
        bytes[..(destination.Length * 4)].CopyTo(MemoryMarshal.AsBytes(destination));
    }

    public void Synchronize() { }

    public void Gemm(DeviceBuffer a, bool transA, DeviceBuffer b, bool transB, int m, int n, int k, bool accumulate, DeviceBuffer c)
    {
        CheckGemm(a, b, c, m, n, k);
        Tensors.Gemm.Multiply<float>(F(a).AsSpan(0, m * k), transA, F(b).AsSpan(0, k * n), transB,
            F(c).AsSpan(0, m * n), m, n, k, accumulate, Environment.ProcessorCount);
    }

    public void Map(UnaryOp op, DeviceBuffer x, int n, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(n, x, y);
        ReadOnlySpan<float> xs = F(x).AsSpan(0, n);
        var ys = F(y).AsSpan(0, n);
        switch (op)
        {
            case UnaryOp.Sigmoid: TensorPrimitives.Sigmoid(xs, ys); break;
            case UnaryOp.Softplus: RowOps.Softplus(xs, ys); break;
            case UnaryOp.Relu: TensorPrimitives.Max(xs, 0f, ys); break;
            case UnaryOp.Tanh: TensorPrimitives.Tanh(xs, ys); break;
            case UnaryOp.Exp: TensorPrimitives.Exp(xs, ys); break;
            case UnaryOp.Log: TensorPrimitives.Log(xs, ys); break;
            default: throw new ArgumentOutOfRangeException(nameof(op));
        }
    }

    public void Scale(DeviceBuffer x, float alpha, int n, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(n, x, y);
        TensorPrimitives.Multiply(F(x).AsSpan(0, n), alpha, F(y).AsSpan(0, n));
    }

    public void Zip(BinaryOp op, DeviceBuffer a, DeviceBuffer b, int n, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(n, a, b, y);
        ReadOnlySpan<float> xa = F(a).AsSpan(0, n), xb = F(b).AsSpan(0, n);
        var ys = F(y).AsSpan(0, n);
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(xa, xb, ys); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(xa, xb, ys); break;
            default: throw new ArgumentOutOfRangeException(nameof(op));
        }
    }

    public void AddBias(DeviceBuffer x, DeviceBuffer bias, int rows, int cols, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(rows * cols, x, y);
        DeviceBuffer.CheckElements(cols, bias);
        var bs = F(bias).AsSpan(0, cols);
        for (int r = 0; r < rows; r++)
            TensorPrimitives.Add(F(x).AsSpan(r * cols, cols), bs, F(y).AsSpan(r * cols, cols));
    }

    public void Softmax(DeviceBuffer x, int rows, int cols, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(rows * cols, x, y);
        if (cols == 0) return;
        RowOps.Softmax<float>(F(x).AsSpan(0, rows * cols), cols, F(y).AsSpan(0, rows * cols));
    }

    public void TopK(DeviceBuffer x, int rows, int cols, int valid, int k, bool ascendingIndices, DeviceBuffer indices)
    {
        DeviceBuffer.CheckElements(rows * cols, x);
        DeviceBuffer.CheckElements(rows * k, indices);
        if (k == 0) return;
        Tensors.TopK.Indices<float>(F(x).AsSpan(0, rows * cols), cols, Math.Min(valid, cols), k,
            ascendingIndices ? TopKOrder.ByIndexAscending : TopKOrder.ByValueDescending, I(indices).AsSpan(0, rows * k));
    }

    public void MeanAggregate(DeviceBuffer rowPtr, DeviceBuffer colIdx, int rows, DeviceBuffer x, int d, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(rows + 1, rowPtr);
        DeviceBuffer.CheckElements(rows * d, y);
        if (rows * d == 0) return;
        var g = ToCsr(I(rowPtr), I(colIdx), rows);
        Sparse.MeanAggregate<float>(g, F(x), d, F(y).AsSpan(0, rows * d));
    }

    public void MeanAggregateBackward(DeviceBuffer tRowPtr, DeviceBuffer tColIdx, int xRows, DeviceBuffer rowPtr, int rows,
        DeviceBuffer dy, int d, DeviceBuffer dx)
    {
        DeviceBuffer.CheckElements(xRows + 1, tRowPtr);
        DeviceBuffer.CheckElements(rows + 1, rowPtr);
        DeviceBuffer.CheckElements(xRows * d, dx);
        DeviceBuffer.CheckElements(rows * d, dy);
        if (xRows * d == 0) return;
        // The CPU kernel scatters over the forward CSR: recover it from the transposed one and the degrees.
        var g = Transpose(I(tRowPtr), I(tColIdx), xRows, rows);
        Sparse.MeanAggregateBackward<float>(g, F(dy), d, F(dx).AsSpan(0, xRows * d));
    }

    public void SegmentMean(DeviceBuffer x, int d, DeviceBuffer segStart, int segments, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(segments + 1, segStart);
        DeviceBuffer.CheckElements(segments * d, y);
        if (segments * d == 0) return;
        Sparse.SegmentMean<float>(F(x), d, I(segStart).AsSpan(0, segments + 1), F(y).AsSpan(0, segments * d));
    }

    public void SegmentMeanBackward(DeviceBuffer dy, int d, DeviceBuffer segStart, int segments, int xRows, DeviceBuffer dx)
    {
        DeviceBuffer.CheckElements(segments + 1, segStart);
        DeviceBuffer.CheckElements(segments * d, dy);
        DeviceBuffer.CheckElements(xRows * d, dx);
        if (segments * d == 0) return;
        Sparse.SegmentMeanBackward<float>(F(dy).AsSpan(0, segments * d), d, I(segStart).AsSpan(0, segments + 1),
            F(dx).AsSpan(0, xRows * d));
    }

    public void GatherRows(DeviceBuffer x, int d, DeviceBuffer index, int count, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(count, index);
        DeviceBuffer.CheckElements(count * d, y);
        Sparse.GatherRows<float>(F(x), d, I(index).AsSpan(0, count), F(y).AsSpan(0, count * d));
    }

    public void ScatterAddRows(DeviceBuffer dy, int d, DeviceBuffer invRowPtr, DeviceBuffer invPos, int xRows, DeviceBuffer dx)
    {
        DeviceBuffer.CheckElements(xRows + 1, invRowPtr);
        DeviceBuffer.CheckElements(xRows * d, dx);
        // The CPU kernel takes the index itself: invert the inverse.
        var rowPtr = I(invRowPtr);
        var index = new int[rowPtr[xRows]];
        for (int u = 0; u < xRows; u++)
            foreach (int i in I(invPos).AsSpan(rowPtr[u], rowPtr[u + 1] - rowPtr[u])) index[i] = u;
        DeviceBuffer.CheckElements(index.Length * d, dy);
        Sparse.ScatterAddRows<float>(F(dy).AsSpan(0, index.Length * d), d, index, F(dx).AsSpan(0, xRows * d));
    }

    public void Random(RandomDraw draw, ulong seed, ulong stream, ulong offset, int n, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(n, y);
        if (draw == RandomDraw.Bits)
        {
            var words = I(y);
            for (int i = 0; i < n; i++) words[i] = (int)Tensors.Philox.Bits(seed, stream, offset + (ulong)i);
            return;
        }
        var ys = F(y).AsSpan(0, n);
        switch (draw)
        {
            case RandomDraw.Uniform: Tensors.Philox.FillUniform(seed, stream, offset, ys); break;
            case RandomDraw.Gaussian: Tensors.Philox.FillNormal(seed, stream, offset, ys); break;
            case RandomDraw.Gumbel: Tensors.Philox.FillGumbel(seed, stream, offset, ys); break;
            default: throw new ArgumentOutOfRangeException(nameof(draw));
        }
    }

    public void Axpy(float alpha, DeviceBuffer x, int n, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(n, x, y);
        TensorPrimitives.MultiplyAdd(F(x).AsSpan(0, n), alpha, F(y).AsSpan(0, n), F(y).AsSpan(0, n));
    }

    public void MultiplyAdd(DeviceBuffer a, DeviceBuffer b, int n, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(n, a, b, y);
        TensorPrimitives.MultiplyAdd(F(a).AsSpan(0, n), F(b).AsSpan(0, n), F(y).AsSpan(0, n), F(y).AsSpan(0, n));
    }

    public void Fill(float value, int n, DeviceBuffer y)
    {
        DeviceBuffer.CheckElements(n, y);
        F(y).AsSpan(0, n).Fill(value);
    }

    public void MapBackward(UnaryOp op, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, int n, DeviceBuffer dx)
    {
        DeviceBuffer.CheckElements(n, x, y, dy, dx);
        if (!Enum.IsDefined(op)) throw new ArgumentOutOfRangeException(nameof(op));
        float[] xs = F(x), ys = F(y), dys = F(dy), dxs = F(dx);
        for (int i = 0; i < n; i++) dxs[i] += UnaryDerivative.Times(op, xs[i], ys[i], dys[i]);
    }

    public void SoftmaxBackward(DeviceBuffer y, DeviceBuffer dy, int rows, int cols, DeviceBuffer dx)
    {
        DeviceBuffer.CheckElements(rows * cols, y, dy, dx);
        for (int r = 0; r < rows; r++)
        {
            var yr = F(y).AsSpan(r * cols, cols);
            var dyr = F(dy).AsSpan(r * cols, cols);
            var dxr = F(dx).AsSpan(r * cols, cols);
            float dot = TensorPrimitives.Dot<float>(yr, dyr);
            for (int c = 0; c < cols; c++) dxr[c] += yr[c] * (dyr[c] - dot);
        }
    }

    public void CopyBlock(DeviceBuffer src, int srcOffset, int srcStride, int rows, int cols, int dstOffset, int dstStride,
        bool accumulate, DeviceBuffer dst)
    {
        CheckBlock(src, srcOffset, srcStride, rows, cols);
        CheckBlock(dst, dstOffset, dstStride, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            var from = F(src).AsSpan(srcOffset + r * srcStride, cols);
            var to = F(dst).AsSpan(dstOffset + r * dstStride, cols);
            if (accumulate) TensorPrimitives.Add(to, from, to);
            else from.CopyTo(to);
        }
    }

    // a [rows, cols] block at offset, rows stride apart, must lie in the buffer
    internal static void CheckBlock(DeviceBuffer b, int offset, int stride, int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        if (rows > 0 && cols > 0)
        {
            if (stride < cols) throw new ArgumentException($"block of {cols} columns with rows {stride} apart overlaps itself");
            DeviceBuffer.CheckElements(offset + (rows - 1) * stride + cols, b);
        }
    }

    public void AdamStep(DeviceBuffer g, int n, float beta1, float beta2, float eps, float stepSize, float invSqrtCorrection2,
        DeviceBuffer m, DeviceBuffer v, DeviceBuffer p)
    {
        DeviceBuffer.CheckElements(n, g, m, v, p);
        float[] gs = F(g), ms = F(m), vs = F(v), ps = F(p);
        for (int i = 0; i < n; i++) AdamRule.Step(gs[i], beta1, beta2, eps, stepSize, invSqrtCorrection2, ref ms[i], ref vs[i], ref ps[i]);
    }

    // rowPtr: [rows + 1]  colIdx: [nnz] -> the same graph as a Csr (edges u -> v for u in row v, in order)
    static Csr ToCsr(int[] rowPtr, int[] colIdx, int rows)
    {
        int nnz = rowPtr[rows];
        var dst = new int[nnz];
        for (int v = 0; v < rows; v++) dst.AsSpan(rowPtr[v], rowPtr[v + 1] - rowPtr[v]).Fill(v);
        return Csr.FromEdges(rows, colIdx.AsSpan(0, nnz), dst, undirected: false);
    }

    // The forward CSR (rows of v, listing u) from the transposed one (rows of u, listing v).
    static Csr Transpose(int[] tRowPtr, int[] tColIdx, int xRows, int rows)
    {
        int nnz = tRowPtr[xRows];
        var src = new int[nnz];
        for (int u = 0; u < xRows; u++) src.AsSpan(tRowPtr[u], tRowPtr[u + 1] - tRowPtr[u]).Fill(u);
        return Csr.FromEdges(rows, src, tColIdx.AsSpan(0, nnz), undirected: false);
    }

    public void Dispose() { }
}
