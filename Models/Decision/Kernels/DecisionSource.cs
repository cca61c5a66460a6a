namespace Sure.Models;

/// <summary>
/// The decision ops (SPEC 4 in evaluation mode) as OpenCL C / CUDA source, for <see cref="SourceDecisionOps"/>:
/// written against the macros of Tensors' kernel prelude and compiled by <c>KernelBackend.Compile</c>, which puts the
/// device library (philox_block, philox_uniform, topk_row) before it. Same conventions as Tensors' kernels: sizes
/// first, output last, bounds checked, no atomics. Values that change from one decision to the next (ring head, seed,
/// decision index) are read from a small buffer, never passed as arguments, so that a captured CUDA graph replays
/// with the next decision's values. The layout of that buffer is <see cref="DecisionScalars"/>.
/// </summary>
internal static class DecisionSource
{
    // The constants come from DecisionMath, the one place they are declared.
    public static string Source => DecisionMath.KernelDefines + Body;

    const string Body = """
        INLINE float sure_softplus(const float v) { return fmax(v, 0.0f) + log1p(exp(-fabs(v))); }

        // SPEC 4.1: DecisionMath.Omega, in the tape's order of operations.
        INLINE float sure_omega(const float mu, const float sigma, const float x, const float y)
        {
            return log(sure_softplus(mu + sigma * x) + SURE_WEIGHT_FLOOR) + y;
        }

        // decision: [5] = oldest ring row, seed lo, seed hi, decision index lo, decision index hi
        INLINE u64 sure_u64(GLOBAL const int* decision, const int at)
        {
            return (u64)(uint)decision[at] | ((u64)(uint)decision[at + 1] << 32);
        }

        // Policy/Decision/DecisionNoise.cs: x at position q = Box-Muller on the words (q & ~1, q | 1) of stream 2d,
        // r cos t at even q and r cos(t - pi/2) at odd q; y = -ln(-ln u) of word q of stream 2d + 1.
        INLINE float sure_normal(const u64 seed, const u64 index, const u64 q)
        {
            uint w[4];
            philox_block(seed, 2 * index, q / 4, w);
            const int pair = (int)(q & 2);
            const float r = sqrt(-2.0f * log(philox_uniform(w[pair])));
            float t = 6.28318548f * philox_uniform(w[pair + 1]);
            if ((q & 1) != 0) t -= 1.57079637f;
            return r * cos(t);
        }

        INLINE float sure_gumbel(const u64 seed, const u64 index, const u64 q)
        {
            uint w[4];
            philox_block(seed, 2 * index + 1, q / 4, w);
            return -log(-log(philox_uniform(w[q % 4])));
        }

        // features: [rows, d]  wMu, wSigma: [d]  bMu, bSigma: [1]  mu, sigma: [rows]
        KERNEL void sure_nvss_project(const int rows, const int d, GLOBAL const float* features, GLOBAL const float* wMu,
                                      GLOBAL const float* bMu, GLOBAL const float* wSigma, GLOBAL const float* bSigma,
                                      GLOBAL float* mu, GLOBAL float* sigma)
        {
            const int r = GLOBAL_ID(0);
            if (r >= rows) return;
            GLOBAL const float* x = features + (size_t)r * d;
            float a = 0.0f, b = 0.0f;
            for (int c = 0; c < d; c++) { a += x[c] * wMu[c]; b += x[c] * wSigma[c]; }
            mu[r] = 1.0f / (1.0f + exp(-(a + bMu[0])));
            sigma[r] = sure_softplus(b + bSigma[0]) + SURE_SIGMA_FLOOR;
        }

        // mu, sigma, x, y, omega: [n]
        KERNEL void sure_nvss_omega(const int n, GLOBAL const float* mu, GLOBAL const float* sigma, GLOBAL const float* x,
                                    GLOBAL const float* y, GLOBAL float* omega)
        {
            const int i = GLOBAL_ID(0);
            if (i < n) omega[i] = sure_omega(mu[i], sigma[i], x[i], y[i]);
        }

        // mu, sigma: [L, tasks] ring order  decision: [5]  theta: [tasks, L], snapshot 0 = oldest.
        // Element (i, t) is at noise position i * L + t, which is also its index.
        KERNEL void sure_nvss_theta(const int tasks, const int L, GLOBAL const int* decision, GLOBAL const float* mu,
                                    GLOBAL const float* sigma, GLOBAL float* theta)
        {
            const int id = GLOBAL_ID(0);
            if (id >= tasks * L) return;
            const int i = id / L, t = id % L;
            const int row = (decision[0] + t) % L * tasks + i;
            const u64 seed = sure_u64(decision, 1), index = sure_u64(decision, 3);
            theta[id] = sure_omega(mu[row], sigma[row], sure_normal(seed, index, (u64)id), sure_gumbel(seed, index, (u64)id));
        }

        // mu, sigma: [L, tasks] ring order  slots: [tasks, K] neighbour task ids  valid: [tasks]  anchors: [tasks, k1]
        // omega: [tasks, k1, K]: slot s of task i at its anchor j; written only for s < valid[i] and present anchors.
        KERNEL void sure_nvss_anchor_omega(const int tasks, const int L, const int K, const int k1, GLOBAL const int* decision,
                                           GLOBAL const int* slots, GLOBAL const int* valid, GLOBAL const int* anchors,
                                           GLOBAL const float* mu, GLOBAL const float* sigma, GLOBAL float* omega)
        {
            const int id = GLOBAL_ID(0);
            if (id >= tasks * k1 * K) return;
            const int i = id / (k1 * K), j = id / K % k1, s = id % K;
            const int t = anchors[i * k1 + j];
            if (s >= valid[i] || t < 0) return;
            const int row = (decision[0] + t) % L * tasks + slots[i * K + s];
            const u64 seed = sure_u64(decision, 1), index = sure_u64(decision, 3);
            const u64 q = (u64)tasks * L + ((u64)i * L + t) * K + s;
            omega[id] = sure_omega(mu[row], sigma[row], sure_normal(seed, index, q), sure_gumbel(seed, index, q));
        }

        // valid: [tasks]  anchors: [tasks, k1]  neighbours: [tasks, k1, k2]
        // omega: [tasks, k1, K] at the anchors, or [tasks, L, 1+K] at every snapshot (everySnapshot != 0)
        // The min(k2, valid[i]) best valid slots in ascending order, -1 after them and for absent anchors.
        KERNEL void sure_choose_neighbours(const int tasks, const int L, const int K, const int k1, const int k2,
                                           const int everySnapshot, GLOBAL const int* valid, GLOBAL const int* anchors,
                                           GLOBAL const float* omega, GLOBAL int* neighbours)
        {
            const int id = GLOBAL_ID(0);
            if (id >= tasks * k1) return;
            const int i = id / k1, t = anchors[id];
            GLOBAL int* out = neighbours + (size_t)id * k2;
            if (t < 0) {
                for (int s = 0; s < k2; s++) out[s] = -1;
                return;
            }
            GLOBAL const float* row = everySnapshot ? omega + ((size_t)i * L + t) * (1 + K) + 1 : omega + (size_t)id * K;
            topk_row(row, valid[i], k2, 1, out);
        }

        // One work-item per (task i, anchor j) lays out that anchor's nodes and edges as Policy/Decision/SubgraphSampler.cs
        // does. Node counts are fixed (min(k1, L) anchors, each with m = min(k2, valid[i]) neighbours), so task i's
        // nodes start at taskStarts[i] and anchor j's block at taskStarts[i] + j (1 + m): no prefix sum is needed.
        // Each node's neighbour list sits at a fixed row of width cap = 2 + min(k2, K), in the order the sampler's CSR
        // lists them: an anchor's previous anchor, its neighbours, its next anchor; a neighbour's anchor, then the
        // anchor's other neighbours it shares a DAG edge with, ascending.
        // slots: [tasks, K]  valid: [tasks]  linked: [tasks, K, ceil(K / 32)] bit t of row (i, s): slots s and t of
        // task i share a DAG edge  taskStarts: [tasks + 1]  anchors: [tasks, k1]  neighbours: [tasks, k1, k2]
        // nodeRow: [nodes] row of the node's features: [L, tasks] ring row when ring != 0, else S row (i L + t)(1 + K) + slot
        // degree: [nodes]  adjacency: [nodes, cap]
        KERNEL void sure_build_subgraphs(const int tasks, const int L, const int K, const int k1, const int k2, const int ring,
                                         GLOBAL const int* decision, GLOBAL const int* slots, GLOBAL const int* valid,
                                         GLOBAL const uint* linked, GLOBAL const int* taskStarts, GLOBAL const int* anchors,
                                         GLOBAL const int* neighbours, GLOBAL int* nodeRow, GLOBAL int* degree,
                                         GLOBAL int* adjacency)
        {
            const int id = GLOBAL_ID(0);
            if (id >= tasks * k1) return;
            const int i = id / k1, j = id % k1, t = anchors[id];
            if (t < 0) return;
            const int m = min(k2, valid[i]), cap = 2 + min(k2, K), words = (K + 31) / 32, present = min(k1, L);
            const int a = taskStarts[i] + j * (1 + m);
            const int ringBase = (decision[0] + t) % L * tasks, sBase = (i * L + t) * (1 + K);
            nodeRow[a] = ring ? ringBase + i : sBase;
            GLOBAL int* row = adjacency + (size_t)a * cap;
            int e = 0;
            if (j > 0) row[e++] = a - (1 + m);
            for (int s = 0; s < m; s++) row[e++] = a + 1 + s;
            if (j + 1 < present) row[e++] = a + 1 + m;
            degree[a] = e;
            GLOBAL const int* chosen = neighbours + (size_t)id * k2;
            for (int s = 0; s < m; s++) {
                const int v = a + 1 + s, slot = chosen[s];
                nodeRow[v] = ring ? ringBase + slots[i * K + slot] : sBase + 1 + slot;
                GLOBAL const uint* bits = linked + ((size_t)i * K + slot) * words;
                row = adjacency + (size_t)v * cap;
                e = 0;
                row[e++] = a;
                for (int q = 0; q < m; q++) {
                    const int other = chosen[q];
                    if (q != s && ((bits[other >> 5] >> (other & 31)) & 1u) != 0) row[e++] = a + 1 + q;
                }
                degree[v] = e;
            }
        }

        // features: [*, d]  nodeRow, degree: [nodes]  adjacency: [nodes, cap]  input: [nodes, 2d] = [x_v ; mean_u x_u]
        // (GraphSAGE layer 0's input; the gates are exactly 1 in value)
        KERNEL void sure_sage_input(const int nodes, const int d, const int cap, GLOBAL const int* nodeRow,
                                    GLOBAL const int* degree, GLOBAL const int* adjacency, GLOBAL const float* features,
                                    GLOBAL float* input)
        {
            const int id = GLOBAL_ID(0);
            if (id >= nodes * 2 * d) return;
            const int v = id / (2 * d), c = id % (2 * d);
            if (c < d) {
                input[id] = features[(size_t)nodeRow[v] * d + c];
                return;
            }
            const int deg = degree[v];
            float sum = 0.0f;
            for (int e = 0; e < deg; e++) sum += features[(size_t)nodeRow[adjacency[(size_t)v * cap + e]] * d + c - d];
            input[id] = deg > 0 ? sum * (1.0f / (float)deg) : 0.0f;
        }

        // relu(mean_u y[u, h:] + y[v, :h] + bias) at column c of node v, in SureDecider's order of operations.
        // y: [nodes, 2h] = h_prev @ [W_top | W_bot]
        INLINE float sure_combine(const int v, const int c, const int h, const int cap, GLOBAL const int* degree,
                                  GLOBAL const int* adjacency, GLOBAL const float* y, GLOBAL const float* bias)
        {
            const int deg = degree[v];
            float sum = 0.0f;
            for (int e = 0; e < deg; e++) sum += y[(size_t)adjacency[(size_t)v * cap + e] * 2 * h + h + c];
            const float value = sum * (deg > 0 ? 1.0f / (float)deg : 0.0f) + y[(size_t)v * 2 * h + c] + bias[c];
            return value > 0.0f ? value : 0.0f;
        }

        // GraphSAGE layer e >= 1 after its product. y: [nodes, 2h]  bias: [h]  out: [nodes, h]
        KERNEL void sure_sage_combine(const int nodes, const int h, const int cap, GLOBAL const int* degree,
                                      GLOBAL const int* adjacency, GLOBAL const float* y, GLOBAL const float* bias,
                                      GLOBAL float* out)
        {
            const int id = GLOBAL_ID(0);
            if (id < nodes * h) out[id] = sure_combine(id / h, id % h, h, cap, degree, adjacency, y, bias);
        }

        // The last layer fused with the mean readout (the layer's output is never stored).
        // taskStarts: [tasks + 1]  y: [nodes, 2h]  bias: [h]  hg: [tasks, h]
        KERNEL void sure_sage_combine_mean(const int tasks, const int h, const int cap, GLOBAL const int* taskStarts,
                                           GLOBAL const int* degree, GLOBAL const int* adjacency, GLOBAL const float* y,
                                           GLOBAL const float* bias, GLOBAL float* hg)
        {
            const int id = GLOBAL_ID(0);
            if (id >= tasks * h) return;
            const int i = id / h, c = id % h, lo = taskStarts[i], hi = taskStarts[i + 1];
            float sum = 0.0f;
            for (int v = lo; v < hi; v++) sum += sure_combine(v, c, h, cap, degree, adjacency, y, bias);
            hg[id] = hi > lo ? sum * (1.0f / (float)(hi - lo)) : 0.0f;
        }

        // hg: [tasks, h]  weight: [h]  bias: [1]  actionMean: [tasks]; m_i = weight . hg_i + bias (SPEC 4.4)
        KERNEL void sure_action_head(const int tasks, const int h, GLOBAL const float* hg, GLOBAL const float* weight,
                                     GLOBAL const float* bias, GLOBAL float* actionMean)
        {
            const int i = GLOBAL_ID(0);
            if (i >= tasks) return;
            float m = 0.0f;
            for (int c = 0; c < h; c++) m += hg[(size_t)i * h + c] * weight[c];
            actionMean[i] = m + bias[0];
        }

        // actionMean, parallelism, newParallelism: [tasks]
        // DecisionMath.RescaleSingle: p' = clamp(round-half-even(2 sigmoid(m) p), 1, pMax) (SPEC 4.4, SPEC 2), in float
        KERNEL void sure_rescale(const int tasks, const int pMax, GLOBAL const float* actionMean, GLOBAL const int* parallelism,
                                 GLOBAL int* newParallelism)
        {
            const int i = GLOBAL_ID(0);
            if (i >= tasks) return;
            const float ratio = 2.0f / (1.0f + exp(-actionMean[i]));
            const float scaled = rint(ratio * (float)parallelism[i]);
            newParallelism[i] = scaled < 1.0f ? 1 : scaled > (float)pMax ? pMax : (int)scaled;
        }

        """;
}
