using Sure.Tensors.Devices;

namespace Sure.Models;

/// <summary>
/// The decision ops (shapes in <see cref="DecisionOps"/>) on the CPU backend's buffers: the same loops as
/// <see cref="DecisionSource"/> and <see cref="IlgpuDecisionKernels"/>, one kernel work-item per loop iteration, so
/// every backend runs one algorithm and the tests can hold them side by side. The noise is drawn by the ILGPU kernels'
/// own functions, which are plain C#.
/// </summary>
internal sealed class CpuDecisionOps : DecisionOps
{
    static Span<float> F(DeviceBuffer b) => CpuBackend.FloatSpan(b);
    static Span<int> I(DeviceBuffer b) => CpuBackend.IntSpan(b);

    protected override void RunNvssProject(DeviceBuffer features, int rows, int d, DeviceBuffer wMu, DeviceBuffer bMu, DeviceBuffer wSigma,
        DeviceBuffer bSigma, DeviceBuffer mu, DeviceBuffer sigma)
    {
        Span<float> x = F(features), a = F(wMu), b = F(wSigma), m = F(mu), s = F(sigma);
        float biasMu = F(bMu)[0], biasSigma = F(bSigma)[0];
        for (int r = 0; r < rows; r++)
        {
            float logitMu = 0f, logitSigma = 0f;
            for (int c = 0; c < d; c++)
            {
                logitMu += x[r * d + c] * a[c];
                logitSigma += x[r * d + c] * b[c];
            }
            m[r] = 1f / (1f + MathF.Exp(-(logitMu + biasMu)));
            s[r] = RowOps.Softplus(logitSigma + biasSigma) + (float)DecisionMath.SigmaFloor;
        }
    }

    protected override void RunNvssOmega(DeviceBuffer mu, DeviceBuffer sigma, DeviceBuffer x, DeviceBuffer y, int n, DeviceBuffer omega)
    {
        Span<float> m = F(mu), s = F(sigma), xs = F(x), ys = F(y), o = F(omega);
        for (int i = 0; i < n; i++) o[i] = DecisionMath.Omega(m[i], s[i], xs[i], ys[i]);
    }

    protected override void RunNvssTheta(DeviceBuffer mu, DeviceBuffer sigma, int tasks, int L, DeviceBuffer decision, DeviceBuffer theta)
    {
        var (oldest, seed, index) = Scalars(decision);
        Span<float> m = F(mu), s = F(sigma), o = F(theta);
        for (int id = 0; id < tasks * L; id++)
        {
            int i = id / L, t = id % L, row = (oldest + t) % L * tasks + i;
            o[id] = DecisionMath.Omega(m[row], s[row], IlgpuDecisionKernels.Normal(seed, index, (ulong)id), IlgpuDecisionKernels.Gumbel(seed, index, (ulong)id));
        }
    }

    protected override void RunNvssAnchorOmega(DeviceBuffer mu, DeviceBuffer sigma, DeviceBuffer slots, DeviceBuffer valid, DeviceBuffer anchors,
        int tasks, int L, int K, int k1, DeviceBuffer decision, DeviceBuffer omega)
    {
        var (oldest, seed, index) = Scalars(decision);
        Span<float> m = F(mu), s = F(sigma), o = F(omega);
        Span<int> slot = I(slots), count = I(valid), anchor = I(anchors);
        for (int i = 0; i < tasks; i++)
            for (int j = 0; j < k1; j++)
            {
                int t = anchor[i * k1 + j];
                if (t < 0) continue;
                for (int q = 0; q < count[i]; q++)
                {
                    int row = (oldest + t) % L * tasks + slot[i * K + q];
                    ulong position = (ulong)tasks * (ulong)L + ((ulong)i * (ulong)L + (ulong)t) * (ulong)K + (ulong)q;
                    o[(i * k1 + j) * K + q] = DecisionMath.Omega(m[row], s[row], IlgpuDecisionKernels.Normal(seed, index, position), IlgpuDecisionKernels.Gumbel(seed, index, position));
                }
            }
    }

    protected override void RunChooseNeighbours(DeviceBuffer omega, bool everySnapshot, DeviceBuffer valid, DeviceBuffer anchors,
        int tasks, int L, int K, int k1, int k2, DeviceBuffer neighbours)
    {
        Span<float> o = F(omega);
        Span<int> count = I(valid), anchor = I(anchors), chosen = I(neighbours);
        for (int id = 0; id < tasks * k1; id++)
        {
            int i = id / k1, t = anchor[id];
            var output = chosen.Slice(id * k2, k2);
            if (t < 0)
            {
                output.Fill(-1);
                continue;
            }
            int start = everySnapshot ? (i * L + t) * (1 + K) + 1 : id * K;
            TopK.Row<float>(o.Slice(start, count[i]), TopKOrder.ByIndexAscending, output);
        }
    }

    protected override void RunBuildSubgraphs(DeviceBuffer anchors, DeviceBuffer neighbours, DeviceBuffer slots, DeviceBuffer valid,
        DeviceBuffer linked, DeviceBuffer taskStarts, int tasks, int L, int K, int k1, int k2, bool ring,
        DeviceBuffer decision, DeviceBuffer nodeRow, DeviceBuffer degree, DeviceBuffer adjacency)
    {
        int oldest = I(decision)[0], cap = 2 + Math.Min(k2, K), words = LinkWords(K), present = Math.Min(k1, L);
        Span<int> anchor = I(anchors), chosen = I(neighbours), slot = I(slots), count = I(valid), links = I(linked);
        Span<int> starts = I(taskStarts), rows = I(nodeRow), degrees = I(degree), lists = I(adjacency);
        for (int id = 0; id < tasks * k1; id++)
        {
            int i = id / k1, j = id % k1, t = anchor[id];
            if (t < 0) continue;
            int m = Math.Min(k2, count[i]), a = starts[i] + j * (1 + m);
            int ringBase = (oldest + t) % L * tasks, sBase = (i * L + t) * (1 + K);
            rows[a] = ring ? ringBase + i : sBase;
            int e = a * cap;
            if (j > 0) lists[e++] = a - (1 + m);
            for (int s = 0; s < m; s++) lists[e++] = a + 1 + s;
            if (j + 1 < present) lists[e++] = a + 1 + m;
            degrees[a] = e - a * cap;
            for (int s = 0; s < m; s++)
            {
                int v = a + 1 + s, own = chosen[id * k2 + s], bits = (i * K + own) * words;
                rows[v] = ring ? ringBase + slot[i * K + own] : sBase + 1 + own;
                e = v * cap;
                lists[e++] = a;
                for (int q = 0; q < m; q++)
                {
                    int other = chosen[id * k2 + q];
                    if (q != s && ((uint)links[bits + (other >> 5)] >> (other & 31) & 1) != 0) lists[e++] = a + 1 + q;
                }
                degrees[v] = e - v * cap;
            }
        }
    }

    protected override void RunSageInput(DeviceBuffer features, int d, DeviceBuffer nodeRow, DeviceBuffer degree, DeviceBuffer adjacency,
        int nodes, int cap, DeviceBuffer input)
    {
        Span<float> x = F(features), output = F(input);
        Span<int> rows = I(nodeRow), degrees = I(degree), lists = I(adjacency);
        for (int v = 0; v < nodes; v++)
        {
            int deg = degrees[v];
            for (int c = 0; c < d; c++)
            {
                output[v * 2 * d + c] = x[rows[v] * d + c];
                float sum = 0f;
                for (int e = 0; e < deg; e++) sum += x[rows[lists[v * cap + e]] * d + c];
                output[v * 2 * d + d + c] = deg > 0 ? sum * (1f / deg) : 0f;
            }
        }
    }

    protected override void RunSageCombine(DeviceBuffer y, DeviceBuffer bias, int h, DeviceBuffer degree, DeviceBuffer adjacency,
        int nodes, int cap, DeviceBuffer output)
    {
        Span<float> ys = F(y), b = F(bias), o = F(output);
        Span<int> degrees = I(degree), lists = I(adjacency);
        for (int v = 0; v < nodes; v++)
            for (int c = 0; c < h; c++) o[v * h + c] = Combine(v, c, h, cap, degrees, lists, ys, b);
    }

    protected override void RunSageCombineMean(DeviceBuffer y, DeviceBuffer bias, int h, DeviceBuffer degree, DeviceBuffer adjacency,
        int cap, DeviceBuffer taskStarts, int tasks, DeviceBuffer hg)
    {
        Span<float> ys = F(y), b = F(bias), o = F(hg);
        Span<int> degrees = I(degree), lists = I(adjacency), starts = I(taskStarts);
        for (int i = 0; i < tasks; i++)
        {
            int lo = starts[i], hi = starts[i + 1];
            for (int c = 0; c < h; c++)
            {
                float sum = 0f;
                for (int v = lo; v < hi; v++) sum += Combine(v, c, h, cap, degrees, lists, ys, b);
                o[i * h + c] = hi > lo ? sum * (1f / (hi - lo)) : 0f;
            }
        }
    }

    protected override void RunActionHead(DeviceBuffer hg, int h, int tasks, DeviceBuffer weight, DeviceBuffer bias, DeviceBuffer actionMean)
    {
        Span<float> g = F(hg), w = F(weight), m = F(actionMean);
        for (int i = 0; i < tasks; i++)
        {
            float sum = 0f;
            for (int c = 0; c < h; c++) sum += g[i * h + c] * w[c];
            m[i] = sum + F(bias)[0];
        }
    }

    protected override void RunRescale(DeviceBuffer actionMean, DeviceBuffer parallelism, int tasks, int pMax, DeviceBuffer newParallelism)
    {
        Span<float> m = F(actionMean);
        Span<int> p = I(parallelism), output = I(newParallelism);
        for (int i = 0; i < tasks; i++) output[i] = DecisionMath.RescaleSingle(m[i], p[i], pMax);
    }

    static (int Oldest, ulong Seed, ulong Index) Scalars(DeviceBuffer decision)
    {
        var w = I(decision);
        return (w[0], (uint)w[1] | (ulong)(uint)w[2] << 32, (uint)w[3] | (ulong)(uint)w[4] << 32);
    }

    static float Combine(int v, int c, int h, int cap, Span<int> degrees, Span<int> lists, Span<float> y, Span<float> bias)
    {
        int deg = degrees[v];
        float sum = 0f;
        for (int e = 0; e < deg; e++) sum += y[lists[v * cap + e] * 2 * h + h + c];
        float value = sum * (deg > 0 ? 1f / deg : 0f) + y[v * 2 * h + c] + bias[c];
        return value > 0f ? value : 0f;
    }
}
