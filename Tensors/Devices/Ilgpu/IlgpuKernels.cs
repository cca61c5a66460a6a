using ILGPU;

namespace Sure.Tensors.Devices.Ilgpu;

/// <summary>
/// The generic ops as ILGPU kernels, written once in C#: ILGPU runs them on its CPU accelerator and compiles them to PTX
/// or OpenCL C for a GPU. One thread per output element (per row for softmax and top-k), sizes first, output last,
/// no atomics, as in Kernels/Sources.cs. Booleans travel as ints (0 or 1), which every ILGPU backend passes alike.
/// Scalar maths is Sure.Tensors' own where a scalar form exists (Philox, RowOps.Softplus), so there is one definition.
/// </summary>
public static class IlgpuKernels
{
    // a: [m, k] or [k, m] when transA  b: [k, n] or [n, k] when transB  c: [m, n]; one thread per c element, summing
    // over k in ascending order like the CPU's reference loop.
    public static void Gemm(Index1D id, int m, int n, int k, int transA, int transB, int accumulate,
        ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        int row = id / n, col = id % n;
        float sum = 0f;
        for (int p = 0; p < k; p++)
        {
            float av = transA != 0 ? a[p * m + row] : a[row * k + p];
            float bv = transB != 0 ? b[col * k + p] : b[p * n + col];
            sum += av * bv;
        }
        c[id] = accumulate != 0 ? c[id] + sum : sum;
    }

    // op: (int)UnaryOp  x, y: [n]
    public static void Map(Index1D i, int op, ArrayView<float> x, ArrayView<float> y)
    {
        float v = x[i];
        y[i] = op switch
        {
            (int)UnaryOp.Sigmoid => 1f / (1f + MathF.Exp(-v)),
            (int)UnaryOp.Softplus => RowOps.Softplus(v),
            (int)UnaryOp.Relu => v > 0f ? v : 0f,
            (int)UnaryOp.Tanh => MathF.Tanh(v),
            (int)UnaryOp.Exp => MathF.Exp(v),
            _ => MathF.Log(v),
        };
    }

    public static void Scale(Index1D i, float alpha, ArrayView<float> x, ArrayView<float> y) => y[i] = alpha * x[i];

    // op: (int)BinaryOp  a, b, y: [n]
    public static void Zip(Index1D i, int op, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y) =>
        y[i] = op == (int)BinaryOp.Add ? a[i] + b[i] : a[i] * b[i];

    // x, y: [rows, cols]  bias: [cols]
    public static void AddBias(Index1D i, int cols, ArrayView<float> x, ArrayView<float> bias, ArrayView<float> y) =>
        y[i] = x[i] + bias[i % cols];

    // x, y: [rows, cols]; one thread per row: the max, the sum of exp(x - max), then the quotients
    public static void Softmax(Index1D r, int cols, ArrayView<float> x, ArrayView<float> y)
    {
        int start = r * cols;
        float max = float.NegativeInfinity;
        for (int c = 0; c < cols; c++) max = MathF.Max(max, x[start + c]);
        float sum = 0f;
        for (int c = 0; c < cols; c++) sum += MathF.Exp(x[start + c] - max);
        for (int c = 0; c < cols; c++) y[start + c] = MathF.Exp(x[start + c] - max) / sum;
    }

    // x: [rows, cols]  indices: [rows, k]; one thread per row
    public static void TopK(Index1D r, int cols, int valid, int k, int ascending, ArrayView<float> x, ArrayView<int> indices) =>
        TopKRow(x, r * cols, Math.Min(valid, cols), k, ascending, indices, r * k);

    // Total order of top-k: larger value first, NaN after every number, then the lower index.
    static bool Before(float v, int i, float w, int j)
    {
        if (float.IsNaN(v) || float.IsNaN(w)) return float.IsNaN(w) && (!float.IsNaN(v) || i < j);
        return v > w || (v == w && i < j);
    }

    // x[start, start + limit)  output[outStart, outStart + k). Pick t is the best element after pick t-1 in Before's
    // order, so no scratch is needed (O(k limit), k small); slots past min(k, limit) are -1; ascending sorts by index.
    // Public for the kernels of a model (its neighbour choice), as topk_row is in the C library (Sources.Library).
    public static void TopKRow(ArrayView<float> x, int start, int limit, int k, int ascending, ArrayView<int> output, int outStart)
    {
        int take = Math.Min(k, limit);
        float previousValue = 0f;
        int previous = -1;
        for (int t = 0; t < take; t++)
        {
            int best = -1;
            float bestValue = 0f;
            for (int c = 0; c < limit; c++)
            {
                float v = x[start + c];
                if (previous >= 0 && !Before(previousValue, previous, v, c)) continue;
                if (best < 0 || Before(v, c, bestValue, best)) { best = c; bestValue = v; }
            }
            output[outStart + t] = best;
            previousValue = bestValue;
            previous = best;
        }
        for (int t = take; t < k; t++) output[outStart + t] = -1;
        if (ascending == 0) return;
        for (int t = 1; t < take; t++)
        {
            int v = output[outStart + t], s = t - 1;
            while (s >= 0 && output[outStart + s] > v)
            {
                output[outStart + s + 1] = output[outStart + s];
                s--;
            }
            output[outStart + s + 1] = v;
        }
    }

    // rowPtr: [rows + 1]  colIdx: [nnz]  x: [*, d]  y: [rows, d]; the sum in CSR order, then times 1/deg as the CPU
    public static void MeanAggregate(Index1D i, int d, ArrayView<int> rowPtr, ArrayView<int> colIdx, ArrayView<float> x, ArrayView<float> y)
    {
        int v = i / d, c = i % d, lo = rowPtr[v], hi = rowPtr[v + 1];
        float sum = 0f;
        for (int e = lo; e < hi; e++) sum += x[colIdx[e] * d + c];
        y[i] = hi == lo ? 0f : sum * (1f / (hi - lo));
    }

    // The scatter dx[u] += dy[v] / deg(v) read as a gather over the transposed CSR, one thread per dx element.
    public static void MeanAggregateBackward(Index1D i, int d, ArrayView<int> tRowPtr, ArrayView<int> tColIdx, ArrayView<int> rowPtr,
        ArrayView<float> dy, ArrayView<float> dx)
    {
        int u = i / d, c = i % d;
        float sum = dx[i];
        for (int e = tRowPtr[u]; e < tRowPtr[u + 1]; e++)
        {
            int v = tColIdx[e];
            sum += dy[v * d + c] * (1f / (rowPtr[v + 1] - rowPtr[v]));
        }
        dx[i] = sum;
    }

    // segStart: [segments + 1]  x: [segStart[segments], d]  y: [segments, d]
    public static void SegmentMean(Index1D i, int d, ArrayView<int> segStart, ArrayView<float> x, ArrayView<float> y)
    {
        int j = i / d, c = i % d, lo = segStart[j], hi = segStart[j + 1];
        float sum = 0f;
        for (int r = lo; r < hi; r++) sum += x[r * d + c];
        y[i] = hi == lo ? 0f : sum * (1f / (hi - lo));
    }

    // One thread per dx element, which finds its segment by binary search (the largest j with segStart[j] <= row).
    public static void SegmentMeanBackward(Index1D i, int segments, int d, ArrayView<int> segStart, ArrayView<float> dy, ArrayView<float> dx)
    {
        int r = i / d, c = i % d;
        if (r < segStart[0] || r >= segStart[segments]) return;
        int lo = 0, hi = segments;   // segStart[lo] <= r < segStart[hi]
        while (hi - lo > 1)
        {
            int middle = (lo + hi) / 2;
            if (segStart[middle] <= r) lo = middle; else hi = middle;
        }
        dx[i] += dy[lo * d + c] * (1f / (segStart[lo + 1] - segStart[lo]));
    }

    // index: [count]  x: [*, d]  y: [count, d]
    public static void GatherRows(Index1D i, int d, ArrayView<int> index, ArrayView<float> x, ArrayView<float> y) =>
        y[i] = x[index[i / d] * d + i % d];

    // invRowPtr: [xRows + 1]  invPos: [count]  dy: [count, d]  dx: [xRows, d], accumulated in ascending order
    public static void ScatterAddRows(Index1D i, int d, ArrayView<int> invRowPtr, ArrayView<int> invPos, ArrayView<float> dy, ArrayView<float> dx)
    {
        int u = i / d, c = i % d;
        float sum = dx[i];
        for (int e = invRowPtr[u]; e < invRowPtr[u + 1]; e++) sum += dy[invPos[e] * d + c];
        dx[i] = sum;
    }

    // Reverse mode: the accumulating steps of backward passes, and Adam (IComputeBackend's comments give the maths).
    public static void Axpy(Index1D i, float alpha, ArrayView<float> x, ArrayView<float> y) => y[i] = x[i] * alpha + y[i];

    public static void MultiplyAdd(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y) => y[i] = a[i] * b[i] + y[i];

    public static void Fill(Index1D i, float value, ArrayView<float> y) => y[i] = value;

    // op: (int)UnaryOp  x, y, dy, dx: [n]
    public static void MapBackward(Index1D i, int op, ArrayView<float> x, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx) =>
        dx[i] += UnaryDerivative.Times((UnaryOp)op, x[i], y[i], dy[i]);

    // y, dy, dx: [rows, cols]; one thread per row
    public static void SoftmaxBackward(Index1D r, int cols, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx)
    {
        int start = r * cols;
        float dot = 0f;
        for (int c = 0; c < cols; c++) dot += y[start + c] * dy[start + c];
        for (int c = 0; c < cols; c++) dx[start + c] += y[start + c] * (dy[start + c] - dot);
    }

    // one thread per element of the [rows, cols] block
    public static void CopyBlock(Index1D i, int cols, int srcOffset, int srcStride, int dstOffset, int dstStride, int accumulate,
        ArrayView<float> src, ArrayView<float> dst)
    {
        int r = i / cols, c = i % cols;
        float v = src[srcOffset + r * srcStride + c];
        int o = dstOffset + r * dstStride + c;
        dst[o] = accumulate != 0 ? dst[o] + v : v;
    }

    public static void AdamStep(Index1D i, float beta1, float beta2, float eps, float stepSize, float invSqrtCorrection2,
        ArrayView<float> g, ArrayView<float> m, ArrayView<float> v, ArrayView<float> p)
    {
        float mi = m[i], vi = v[i], pi = p[i];
        AdamRule.Step(g[i], beta1, beta2, eps, stepSize, invSqrtCorrection2, ref mi, ref vi, ref pi);
        m[i] = mi;
        v[i] = vi;
        p[i] = pi;
    }

    // y: [n] words at positions offset + i, read back as uint
    public static void PhiloxBits(Index1D i, ulong seed, ulong stream, ulong offset, ArrayView<int> y) =>
        y[i] = (int)Philox.Bits(seed, stream, offset + (ulong)i);

    // draw: (int)RandomDraw, not Bits  y: [n]; Box-Muller on the word pairs (0, 1) and (2, 3): cos at even positions,
    // sin at odd, as Philox.FillNormal
    public static void PhiloxFloat(Index1D i, int draw, ulong seed, ulong stream, ulong offset, ArrayView<float> y)
    {
        ulong position = offset + (ulong)i;
        var block = Philox.Block(seed, stream, position / 4);
        if (draw == (int)RandomDraw.Gaussian)
        {
            bool secondPair = (position & 2) != 0;
            float radius = MathF.Sqrt(-2f * MathF.Log(Philox.ToUniformSingle(secondPair ? block.X2 : block.X0)));
            float angle = MathF.Tau * Philox.ToUniformSingle(secondPair ? block.X3 : block.X1);
            y[i] = (position & 1) == 0 ? radius * MathF.Cos(angle) : radius * MathF.Sin(angle);
            return;
        }
        uint word = (position % 4) switch { 0 => block.X0, 1 => block.X1, 2 => block.X2, _ => block.X3 };
        float u = Philox.ToUniformSingle(word);
        y[i] = draw == (int)RandomDraw.Gumbel ? -MathF.Log(-MathF.Log(u)) : u;
    }
}
