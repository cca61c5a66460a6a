namespace Sure.Tensors.Devices;

/// <summary>
/// The decision ops (shapes in <see cref="IComputeBackend"/>) on the CPU: the same loops as Kernels/Decision.cs, one
/// kernel work-item per loop iteration, so every backend runs one algorithm and the tests can hold them side by side.
/// </summary>
public sealed partial class CpuBackend
{
    public void NvssProject(DeviceBuffer features, int rows, int d, DeviceBuffer wMu, DeviceBuffer bMu, DeviceBuffer wSigma,
        DeviceBuffer bSigma, DeviceBuffer mu, DeviceBuffer sigma)
    {
        CheckElements(rows * d, features);
        CheckElements(d, wMu, wSigma);
        CheckElements(1, bMu, bSigma);
        CheckElements(rows, mu, sigma);
        float[] x = F(features), a = F(wMu), b = F(wSigma), m = F(mu), s = F(sigma);
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

    public void NvssOmega(DeviceBuffer mu, DeviceBuffer sigma, DeviceBuffer x, DeviceBuffer y, int n, DeviceBuffer omega)
    {
        CheckElements(n, mu, sigma, x, y, omega);
        float[] m = F(mu), s = F(sigma), xs = F(x), ys = F(y), o = F(omega);
        for (int i = 0; i < n; i++) o[i] = DecisionMath.Omega(m[i], s[i], xs[i], ys[i]);
    }

    public void NvssTheta(DeviceBuffer mu, DeviceBuffer sigma, int tasks, int L, DeviceBuffer decision, DeviceBuffer theta)
    {
        CheckElements(L * tasks, mu, sigma, theta);
        CheckElements(DecisionScalars.Length, decision);
        var (oldest, seed, index) = Scalars(decision);
        float[] m = F(mu), s = F(sigma), o = F(theta);
        for (int id = 0; id < tasks * L; id++)
        {
            int i = id / L, t = id % L, row = (oldest + t) % L * tasks + i;
            o[id] = DecisionMath.Omega(m[row], s[row], Normal(seed, index, (ulong)id), Gumbel(seed, index, (ulong)id));
        }
    }

    public void NvssAnchorOmega(DeviceBuffer mu, DeviceBuffer sigma, DeviceBuffer slots, DeviceBuffer valid, DeviceBuffer anchors,
        int tasks, int L, int K, int k1, DeviceBuffer decision, DeviceBuffer omega)
    {
        CheckElements(L * tasks, mu, sigma);
        CheckElements(tasks * K, slots);
        CheckElements(tasks, valid);
        CheckElements(tasks * k1, anchors);
        CheckElements(tasks * k1 * K, omega);
        CheckElements(DecisionScalars.Length, decision);
        var (oldest, seed, index) = Scalars(decision);
        float[] m = F(mu), s = F(sigma), o = F(omega);
        int[] slot = I(slots), count = I(valid), anchor = I(anchors);
        for (int i = 0; i < tasks; i++)
            for (int j = 0; j < k1; j++)
            {
                int t = anchor[i * k1 + j];
                if (t < 0) continue;
                for (int q = 0; q < count[i]; q++)
                {
                    int row = (oldest + t) % L * tasks + slot[i * K + q];
                    ulong position = (ulong)tasks * (ulong)L + ((ulong)i * (ulong)L + (ulong)t) * (ulong)K + (ulong)q;
                    o[(i * k1 + j) * K + q] = DecisionMath.Omega(m[row], s[row], Normal(seed, index, position), Gumbel(seed, index, position));
                }
            }
    }

    public void ChooseNeighbours(DeviceBuffer omega, bool everySnapshot, DeviceBuffer valid, DeviceBuffer anchors,
        int tasks, int L, int K, int k1, int k2, DeviceBuffer neighbours)
    {
        CheckElements(everySnapshot ? tasks * L * (1 + K) : tasks * k1 * K, omega);
        CheckElements(tasks, valid);
        CheckElements(tasks * k1, anchors);
        CheckElements(tasks * k1 * k2, neighbours);
        if (k2 == 0) return;
        float[] o = F(omega);
        int[] count = I(valid), anchor = I(anchors), chosen = I(neighbours);
        for (int id = 0; id < tasks * k1; id++)
        {
            int i = id / k1, t = anchor[id];
            var output = chosen.AsSpan(id * k2, k2);
            if (t < 0)
            {
                output.Fill(-1);
                continue;
            }
            int start = everySnapshot ? (i * L + t) * (1 + K) + 1 : id * K;
            Tensors.TopK.Row<float>(o.AsSpan(start, count[i]), TopKOrder.ByIndexAscending, output);
        }
    }

    internal static void CheckSubgraphs(DeviceBuffer anchors, DeviceBuffer neighbours, DeviceBuffer slots, DeviceBuffer valid,
        DeviceBuffer linked, DeviceBuffer taskStarts, int tasks, int K, int k1, int k2, DeviceBuffer decision)
    {
        CheckElements(tasks * k1, anchors);
        CheckElements(tasks * k1 * k2, neighbours);
        CheckElements(tasks * K, slots);
        CheckElements(tasks, valid);
        CheckElements(tasks * K * LinkWords(K), linked);
        CheckElements(tasks + 1, taskStarts);
        CheckElements(DecisionScalars.Length, decision);
    }

    /// <summary>Words per row of the linked-slots bit table: ceil(K / 32).</summary>
    public static int LinkWords(int K) => (K + 31) / 32;

    public void BuildSubgraphs(DeviceBuffer anchors, DeviceBuffer neighbours, DeviceBuffer slots, DeviceBuffer valid,
        DeviceBuffer linked, DeviceBuffer taskStarts, int tasks, int L, int K, int k1, int k2, bool ring,
        DeviceBuffer decision, DeviceBuffer nodeRow, DeviceBuffer degree, DeviceBuffer adjacency)
    {
        CheckSubgraphs(anchors, neighbours, slots, valid, linked, taskStarts, tasks, K, k1, k2, decision);
        int oldest = I(decision)[0], cap = 2 + Math.Min(k2, K), words = LinkWords(K), present = Math.Min(k1, L);
        int[] anchor = I(anchors), chosen = I(neighbours), slot = I(slots), count = I(valid), links = I(linked);
        int[] starts = I(taskStarts), rows = I(nodeRow), degrees = I(degree), lists = I(adjacency);
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

    public void SageInput(DeviceBuffer features, int d, DeviceBuffer nodeRow, DeviceBuffer degree, DeviceBuffer adjacency,
        int nodes, int cap, DeviceBuffer input)
    {
        CheckElements(nodes, nodeRow, degree);
        CheckElements(nodes * cap, adjacency);
        CheckElements(nodes * 2 * d, input);
        float[] x = F(features), output = F(input);
        int[] rows = I(nodeRow), degrees = I(degree), lists = I(adjacency);
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

    public void SageCombine(DeviceBuffer y, DeviceBuffer bias, int h, DeviceBuffer degree, DeviceBuffer adjacency,
        int nodes, int cap, DeviceBuffer output)
    {
        CheckElements(nodes * 2 * h, y);
        CheckElements(h, bias);
        CheckElements(nodes, degree);
        CheckElements(nodes * cap, adjacency);
        CheckElements(nodes * h, output);
        float[] ys = F(y), b = F(bias), o = F(output);
        int[] degrees = I(degree), lists = I(adjacency);
        for (int v = 0; v < nodes; v++)
            for (int c = 0; c < h; c++) o[v * h + c] = Combine(v, c, h, cap, degrees, lists, ys, b);
    }

    public void SageCombineMean(DeviceBuffer y, DeviceBuffer bias, int h, DeviceBuffer degree, DeviceBuffer adjacency,
        int cap, DeviceBuffer taskStarts, int tasks, DeviceBuffer hg)
    {
        CheckElements(h, bias);
        CheckElements(tasks + 1, taskStarts);
        CheckElements(tasks * h, hg);
        float[] ys = F(y), b = F(bias), o = F(hg);
        int[] degrees = I(degree), lists = I(adjacency), starts = I(taskStarts);
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

    public void ActionHead(DeviceBuffer hg, int h, int tasks, DeviceBuffer weight, DeviceBuffer bias, DeviceBuffer actionMean)
    {
        CheckElements(tasks * h, hg);
        CheckElements(h, weight);
        CheckElements(1, bias);
        CheckElements(tasks, actionMean);
        float[] g = F(hg), w = F(weight), m = F(actionMean);
        for (int i = 0; i < tasks; i++)
        {
            float sum = 0f;
            for (int c = 0; c < h; c++) sum += g[i * h + c] * w[c];
            m[i] = sum + F(bias)[0];
        }
    }

    public void Rescale(DeviceBuffer actionMean, DeviceBuffer parallelism, int tasks, int pMax, DeviceBuffer newParallelism)
    {
        CheckElements(tasks, actionMean, parallelism, newParallelism);
        float[] m = F(actionMean);
        int[] p = I(parallelism), output = I(newParallelism);
        for (int i = 0; i < tasks; i++) output[i] = DecisionMath.RescaleSingle(m[i], p[i], pMax);
    }

    static (int Oldest, ulong Seed, ulong Index) Scalars(DeviceBuffer decision)
    {
        var w = I(decision);
        return (w[0], (uint)w[1] | (ulong)(uint)w[2] << 32, (uint)w[3] | (ulong)(uint)w[4] << 32);
    }

    // Policy/Decision/DecisionNoise.cs's draws, scalar: Box-Muller on the word pair of position q in stream 2d (cos(t - pi/2)
    // at odd q), Gumbel of word q in stream 2d + 1.
    static float Normal(ulong seed, ulong index, ulong q)
    {
        var block = Philox.Block(seed, 2 * index, q / 4);
        bool secondPair = (q & 2) != 0;
        return Philox.BoxMullerCosine(secondPair ? block.X2 : block.X0, secondPair ? block.X3 : block.X1, (q & 1) != 0);
    }

    static float Gumbel(ulong seed, ulong index, ulong q) => Philox.Gumbel<float>(seed, 2 * index + 1, q);

    static float Combine(int v, int c, int h, int cap, int[] degrees, int[] lists, float[] y, float[] bias)
    {
        int deg = degrees[v];
        float sum = 0f;
        for (int e = 0; e < deg; e++) sum += y[lists[v * cap + e] * 2 * h + h + c];
        float value = sum * (deg > 0 ? 1f / deg : 0f) + y[v * 2 * h + c] + bias[c];
        return value > 0f ? value : 0f;
    }
}
