namespace Sure.Tensors.Devices.Kernels;

/// <summary>
/// Kernel sources, written once against the macros in <see cref="Prelude"/>. Every kernel takes its sizes first
/// and its output last, checks its own bounds (global sizes are rounded up to the work-group size) and uses
/// no atomics: scatter-style work is written as a gather over a transposed index.
/// </summary>
internal static class Sources
{
    /// <summary>Work-group edge of the GEMM tile; the launcher uses TILE x TILE groups.</summary>
    public const int GemmTile = 16;

    /// <summary>c elements per GEMM work-item along each dimension (BLOCK in the kernel).</summary>
    public const int GemmBlock = 4;

    /// <summary>Work-items cooperating on one softmax row.</summary>
    public const int RowGroup = 64;

    /// <summary>
    /// The device functions (not kernels) any program may call: Philox (philox_block, philox_uniform) and top-k of one
    /// row (topk_row). Every program a backend builds, its own and those compiled for a caller, starts with them.
    /// </summary>
    public static string Library => PhiloxKernel.Functions + TopKRow;

    public static string All => Library + Gemm + Elementwise + Rows + Sparse + PhiloxKernel.Kernels;

    public const string Gemm = """
        #define TILE 16
        #define BLOCK 4
        #define WIDE (TILE * BLOCK)
        // a: [m, k], or [k, m] when transA;  b: [k, n], or [n, k] when transB;  c: [m, n]
        // A TILE x TILE work-group computes a WIDE x WIDE block of c, each work-item BLOCK x BLOCK elements (rows
        // ty + i TILE, columns tx + j TILE) in registers: every value staged in local memory is used BLOCK times per
        // work-item instead of once. WIDE x TILE slices of a and TILE x WIDE slices of b are staged per step, loaded
        // with consecutive work-items on consecutive addresses when untransposed. Out-of-range entries load as 0, so
        // m, n, k need not be multiples of anything. Each c element sums over k in ascending order, as before.
        KERNEL void gemm_f32(const int m, const int n, const int k, const int transA, const int transB,
                             const int accumulate, GLOBAL const float* a, GLOBAL const float* b, GLOBAL float* c)
        {
            LOCAL float tileA[TILE][WIDE];   // [k within the step][row within the block]
            LOCAL float tileB[TILE][WIDE];   // [k within the step][column within the block]
            const int tx = LOCAL_ID(0), ty = LOCAL_ID(1), flat = ty * TILE + tx;
            const int row0 = GROUP_ID(1) * WIDE, col0 = GROUP_ID(0) * WIDE;
            float acc[BLOCK][BLOCK];
            for (int i = 0; i < BLOCK; i++)
                for (int j = 0; j < BLOCK; j++) acc[i][j] = 0.0f;
            for (int p0 = 0; p0 < k; p0 += TILE) {
                for (int e = 0; e < BLOCK; e++) {
                    const int f = flat + e * TILE * TILE;
                    const int ra = f / TILE, qa = f % TILE, gr = row0 + ra, ga = p0 + qa;
                    tileA[qa][ra] = (gr < m && ga < k) ? (transA ? a[(size_t)ga * m + gr] : a[(size_t)gr * k + ga]) : 0.0f;
                    const int qb = f / WIDE, cb = f % WIDE, gb = p0 + qb, gc = col0 + cb;
                    tileB[qb][cb] = (gb < k && gc < n) ? (transB ? b[(size_t)gc * k + gb] : b[(size_t)gb * n + gc]) : 0.0f;
                }
                BARRIER;
                for (int q = 0; q < TILE; q++) {
                    float av[BLOCK], bv[BLOCK];
                    for (int i = 0; i < BLOCK; i++) av[i] = tileA[q][ty + i * TILE];
                    for (int j = 0; j < BLOCK; j++) bv[j] = tileB[q][tx + j * TILE];
                    for (int i = 0; i < BLOCK; i++)
                        for (int j = 0; j < BLOCK; j++) acc[i][j] += av[i] * bv[j];
                }
                BARRIER;
            }
            for (int i = 0; i < BLOCK; i++)
                for (int j = 0; j < BLOCK; j++) {
                    const int row = row0 + ty + i * TILE, col = col0 + tx + j * TILE;
                    if (row < m && col < n) {
                        const size_t o = (size_t)row * n + col;
                        c[o] = accumulate ? c[o] + acc[i][j] : acc[i][j];
                    }
                }
        }

        """;

    public const string Elementwise = """
        #define UNARY_KERNEL(name, expr) \
            KERNEL void name(const int n, GLOBAL const float* x, GLOBAL float* y) \
            { const int i = GLOBAL_ID(0); if (i < n) { const float v = x[i]; y[i] = (expr); } }
        UNARY_KERNEL(sigmoid_f32, 1.0f / (1.0f + exp(-v)))
        // softplus = max(v, 0) + log1p(exp(-|v|)): never overflows, exact for large |v|
        UNARY_KERNEL(softplus_f32, fmax(v, 0.0f) + log1p(exp(-fabs(v))))
        UNARY_KERNEL(relu_f32, v > 0.0f ? v : 0.0f)
        UNARY_KERNEL(tanh_f32, tanh(v))
        UNARY_KERNEL(exp_f32, exp(v))
        UNARY_KERNEL(log_f32, log(v))

        KERNEL void scale_f32(const int n, const float alpha, GLOBAL const float* x, GLOBAL float* y)
        { const int i = GLOBAL_ID(0); if (i < n) y[i] = alpha * x[i]; }

        KERNEL void add_f32(const int n, GLOBAL const float* a, GLOBAL const float* b, GLOBAL float* y)
        { const int i = GLOBAL_ID(0); if (i < n) y[i] = a[i] + b[i]; }

        KERNEL void mul_f32(const int n, GLOBAL const float* a, GLOBAL const float* b, GLOBAL float* y)
        { const int i = GLOBAL_ID(0); if (i < n) y[i] = a[i] * b[i]; }

        // x: [rows, cols]  bias: [cols]  y: [rows, cols]
        KERNEL void add_bias_f32(const int rows, const int cols, GLOBAL const float* x, GLOBAL const float* bias,
                                 GLOBAL float* y)
        { const int i = GLOBAL_ID(0); if (i < rows * cols) y[i] = x[i] + bias[i % cols]; }

        // Reverse mode: the accumulating steps of backward passes, and Adam (IComputeBackend's comments give the maths).
        KERNEL void axpy_f32(const int n, const float alpha, GLOBAL const float* x, GLOBAL float* y)
        { const int i = GLOBAL_ID(0); if (i < n) y[i] = x[i] * alpha + y[i]; }

        KERNEL void mul_add_f32(const int n, GLOBAL const float* a, GLOBAL const float* b, GLOBAL float* y)
        { const int i = GLOBAL_ID(0); if (i < n) y[i] = a[i] * b[i] + y[i]; }

        KERNEL void fill_f32(const int n, const float value, GLOBAL float* y)
        { const int i = GLOBAL_ID(0); if (i < n) y[i] = value; }

        // op: UnaryOp's order (Sigmoid, Softplus, Relu, Tanh, Exp, Log), as UnaryDerivative.Times
        KERNEL void map_backward_f32(const int n, const int op, GLOBAL const float* x, GLOBAL const float* y,
                                     GLOBAL const float* dy, GLOBAL float* dx)
        {
            const int i = GLOBAL_ID(0);
            if (i >= n) return;
            const float g = dy[i];
            float d;
            if (op == 0) d = g * y[i] * (1.0f - y[i]);
            else if (op == 1) d = g / (1.0f + exp(-x[i]));
            else if (op == 2) d = x[i] > 0.0f ? g : 0.0f;
            else if (op == 3) d = g * (1.0f - y[i] * y[i]);
            else if (op == 4) d = g * y[i];
            else d = g / x[i];
            dx[i] += d;
        }

        KERNEL void copy_block_f32(const int rows, const int cols, const int srcOffset, const int srcStride,
                                   const int dstOffset, const int dstStride, const int accumulate,
                                   GLOBAL const float* src, GLOBAL float* dst)
        {
            const int i = GLOBAL_ID(0);
            if (i >= rows * cols) return;
            const int r = i / cols, c = i % cols;
            const float v = src[(size_t)srcOffset + (size_t)r * srcStride + c];
            const size_t o = (size_t)dstOffset + (size_t)r * dstStride + c;
            dst[o] = accumulate ? dst[o] + v : v;
        }

        KERNEL void adam_f32(const int n, const float beta1, const float beta2, const float eps, const float stepSize,
                             const float invSqrtCorrection2, GLOBAL const float* g, GLOBAL float* m, GLOBAL float* v,
                             GLOBAL float* p)
        {
            const int i = GLOBAL_ID(0);
            if (i >= n) return;
            const float gi = g[i];
            const float mi = gi * (1.0f - beta1) + m[i] * beta1;
            const float vi = gi * gi * (1.0f - beta2) + v[i] * beta2;
            m[i] = mi;
            v[i] = vi;
            p[i] = mi / (sqrt(vi) * invSqrtCorrection2 + eps) * stepSize + p[i];
        }

        """;

    public const string TopKRow = """
        // Total order used by top-k: larger value first, NaN after every number, then lower index.
        INLINE int topk_before(const float v, const int i, const float w, const int j)
        {
            if (isnan(v) || isnan(w)) return isnan(w) && (!isnan(v) || i < j);
            return v > w || (v == w && i < j);
        }

        // xr: [limit]  out: [k]. Pick t is the best element that comes after pick t-1 in topk_before order, so no
        // scratch is needed: O(k * limit), k small. Slots past min(k, limit) are -1; ascending sorts the picks by index.
        INLINE void topk_row(GLOBAL const float* xr, const int limit, const int k, const int ascending, GLOBAL int* out)
        {
            const int take = min(k, limit);
            float prevV = 0.0f;
            int prevI = -1;
            for (int t = 0; t < take; t++) {
                int best = -1;
                float bestV = 0.0f;
                for (int c = 0; c < limit; c++) {
                    const float v = xr[c];
                    if (prevI >= 0 && !topk_before(prevV, prevI, v, c)) continue;
                    if (best < 0 || topk_before(v, c, bestV, best)) { best = c; bestV = v; }
                }
                out[t] = best;
                prevV = bestV;
                prevI = best;
            }
            for (int t = take; t < k; t++) out[t] = -1;
            if (ascending) {
                for (int t = 1; t < take; t++) {
                    const int v = out[t];
                    int s = t - 1;
                    while (s >= 0 && out[s] > v) { out[s + 1] = out[s]; s--; }
                    out[s + 1] = v;
                }
            }
        }

        """;

    public const string Rows = """
        #define ROW_GROUP 64
        // x: [rows, cols]  y: [rows, cols]; one work-group of ROW_GROUP items per row, tree reductions in local memory
        KERNEL void softmax_rows_f32(const int rows, const int cols, GLOBAL const float* x, GLOBAL float* y)
        {
            LOCAL float scratch[ROW_GROUP];
            const int r = GROUP_ID(0), t = LOCAL_ID(0);
            GLOBAL const float* xr = x + (size_t)r * cols;
            GLOBAL float* yr = y + (size_t)r * cols;
            float m = -INFINITY;
            for (int c = t; c < cols; c += ROW_GROUP) m = fmax(m, xr[c]);
            scratch[t] = m;
            BARRIER;
            for (int s = ROW_GROUP / 2; s > 0; s >>= 1) {
                if (t < s) scratch[t] = fmax(scratch[t], scratch[t + s]);
                BARRIER;
            }
            m = scratch[0];
            BARRIER;
            float sum = 0.0f;
            for (int c = t; c < cols; c += ROW_GROUP) sum += exp(xr[c] - m);
            scratch[t] = sum;
            BARRIER;
            for (int s = ROW_GROUP / 2; s > 0; s >>= 1) {
                if (t < s) scratch[t] += scratch[t + s];
                BARRIER;
            }
            sum = scratch[0];
            for (int c = t; c < cols; c += ROW_GROUP) yr[c] = exp(xr[c] - m) / sum;
        }

        // y, dy, dx: [rows, cols]; one work-item per row: the dot product, then dx += y (dy - dot)
        KERNEL void softmax_backward_f32(const int rows, const int cols, GLOBAL const float* y, GLOBAL const float* dy,
                                         GLOBAL float* dx)
        {
            const int r = GLOBAL_ID(0);
            if (r >= rows) return;
            const size_t o = (size_t)r * cols;
            float dot = 0.0f;
            for (int c = 0; c < cols; c++) dot += y[o + c] * dy[o + c];
            for (int c = 0; c < cols; c++) dx[o + c] += y[o + c] * (dy[o + c] - dot);
        }

        // x: [rows, cols]  indices: [rows, k]; one work-item per row
        KERNEL void topk_rows_f32(const int rows, const int cols, const int valid, const int k, const int ascending,
                                  GLOBAL const float* x, GLOBAL int* indices)
        {
            const int r = GLOBAL_ID(0);
            if (r >= rows) return;
            topk_row(x + (size_t)r * cols, min(valid, cols), k, ascending, indices + (size_t)r * k);
        }

        """;

    public const string Sparse = """
        // rowPtr: [rows + 1]  colIdx: [nnz]  x: [*, d]  y: [rows, d]; one work-item per y element,
        // summing neighbours in CSR order then scaling by 1/deg, as Sparse.MeanAggregate does.
        KERNEL void csr_mean_f32(const int rows, const int d, GLOBAL const int* rowPtr, GLOBAL const int* colIdx,
                                 GLOBAL const float* x, GLOBAL float* y)
        {
            const int i = GLOBAL_ID(0);
            if (i >= rows * d) return;
            const int v = i / d, c = i % d;
            const int lo = rowPtr[v], hi = rowPtr[v + 1];
            float sum = 0.0f;
            for (int e = lo; e < hi; e++) sum += x[(size_t)colIdx[e] * d + c];
            y[i] = hi == lo ? 0.0f : sum * (1.0f / (float)(hi - lo));
        }

        // tRowPtr: [xRows + 1]  tColIdx: [nnz] (transposed CSR)  rowPtr: [rows + 1] (forward, for degrees)
        // dy: [rows, d]  dx: [xRows, d], accumulated. The scatter dx[u] += dy[v] / deg(v) read as a gather per u.
        KERNEL void csr_mean_backward_f32(const int xRows, const int d, GLOBAL const int* tRowPtr,
                                          GLOBAL const int* tColIdx, GLOBAL const int* rowPtr,
                                          GLOBAL const float* dy, GLOBAL float* dx)
        {
            const int i = GLOBAL_ID(0);
            if (i >= xRows * d) return;
            const int u = i / d, c = i % d;
            float sum = dx[i];
            for (int e = tRowPtr[u]; e < tRowPtr[u + 1]; e++) {
                const int v = tColIdx[e];
                sum += dy[(size_t)v * d + c] * (1.0f / (float)(rowPtr[v + 1] - rowPtr[v]));
            }
            dx[i] = sum;
        }

        // x: [segStart[segments], d]  segStart: [segments + 1]  y: [segments, d]
        KERNEL void segment_mean_f32(const int segments, const int d, GLOBAL const int* segStart,
                                     GLOBAL const float* x, GLOBAL float* y)
        {
            const int i = GLOBAL_ID(0);
            if (i >= segments * d) return;
            const int j = i / d, c = i % d;
            const int lo = segStart[j], hi = segStart[j + 1];
            float sum = 0.0f;
            for (int r = lo; r < hi; r++) sum += x[(size_t)r * d + c];
            y[i] = hi == lo ? 0.0f : sum * (1.0f / (float)(hi - lo));
        }

        // dy: [segments, d]  segStart: [segments + 1]  dx: [xRows, d], accumulated; one work-item per dx element,
        // which finds its segment by binary search (the largest j with segStart[j] <= row skips empty segments)
        KERNEL void segment_mean_backward_f32(const int segments, const int d, const int xRows, GLOBAL const int* segStart,
                                              GLOBAL const float* dy, GLOBAL float* dx)
        {
            const int i = GLOBAL_ID(0);
            if (i >= xRows * d) return;
            const int r = i / d, c = i % d;
            if (r < segStart[0] || r >= segStart[segments]) return;
            int lo = 0, hi = segments;   // segStart[lo] <= r < segStart[hi]
            while (hi - lo > 1) {
                const int mid = (lo + hi) / 2;
                if (segStart[mid] <= r) lo = mid; else hi = mid;
            }
            dx[i] += dy[(size_t)lo * d + c] * (1.0f / (float)(segStart[lo + 1] - segStart[lo]));
        }

        // x: [*, d]  index: [count]  y: [count, d]
        KERNEL void gather_rows_f32(const int count, const int d, GLOBAL const int* index, GLOBAL const float* x,
                                    GLOBAL float* y)
        {
            const int i = GLOBAL_ID(0);
            if (i >= count * d) return;
            y[i] = x[(size_t)index[i / d] * d + i % d];
        }

        // invRowPtr: [xRows + 1]  invPos: [count] (the gather index inverted)  dy: [count, d]  dx: [xRows, d],
        // accumulated; one work-item per dx element, adding the rows that gathered from it in ascending order
        KERNEL void scatter_add_rows_f32(const int xRows, const int d, GLOBAL const int* invRowPtr,
                                         GLOBAL const int* invPos, GLOBAL const float* dy, GLOBAL float* dx)
        {
            const int i = GLOBAL_ID(0);
            if (i >= xRows * d) return;
            const int u = i / d, c = i % d;
            float sum = dx[i];
            for (int e = invRowPtr[u]; e < invRowPtr[u + 1]; e++) sum += dy[(size_t)invPos[e] * d + c];
            dx[i] = sum;
        }

        """;
}
