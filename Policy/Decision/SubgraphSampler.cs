namespace Sure.Policy;

/// <summary>
/// SPEC 4.2-4.3 without gradients: chooses anchors and neighbours from Omega and lays out the batch's
/// subgraphs as one block-diagonal graph. Buffers grow to the largest batch seen and are reused, so a
/// decision loop that samples the same job size allocates nothing after the first call.
/// <para>Node order: task by task; inside a task, anchor a_1, its neighbours in ascending slot order, anchor a_2,
/// its neighbours, and so on (anchors in ascending time order).</para>
/// </summary>
public sealed class SubgraphSampler
{
    int[] _anchors = [], _neighbours = [], _nodeRows = [], _nodeSlot = [], _taskStarts = [], _src = [], _dst = [];
    int[] _slotRows = [];
    int _slotRowsCount = -1, _slotRowsSlots = -1;
    int _L;

    public int Tasks { get; private set; }
    public int K1 { get; private set; }
    public int K2 { get; private set; }
    public int NodeCount { get; private set; }
    public int EdgeCount { get; private set; }

    /// <summary>[Tasks, k1] chosen snapshots in ascending order, -1 where L &lt; k1.</summary>
    public ReadOnlySpan<int> Anchors => _anchors.AsSpan(0, Tasks * K1);
    /// <summary>[Tasks, k1, k2] chosen neighbour slots per anchor in ascending order, -1 where fewer than k2.</summary>
    public ReadOnlySpan<int> Neighbours => _neighbours.AsSpan(0, Tasks * K1 * K2);
    /// <summary>[nodes] row of S (as [Tasks * L * (1+K), D]) that each node reads: ((i * L) + l) * (1+K) + slot, slot 0 = the task.</summary>
    public ReadOnlyMemory<int> NodeRows => _nodeRows.AsMemory(0, NodeCount);
    /// <summary>[Tasks + 1] first node of each task's subgraph (segment starts for the readout).</summary>
    public ReadOnlyMemory<int> TaskStarts => _taskStarts.AsMemory(0, Tasks + 1);
    /// <summary>Undirected edges of all subgraphs, node numbers as in NodeRows.</summary>
    public Csr Graph { get; } = new();

    // theta: [Tasks, L] Omega[i, :, 0]
    // neighbourOmega: [Tasks * L, K] Omega[i, l, 1:]; only the first Valid[i] columns are candidates
    public void Sample<T>(ReadOnlySpan<T> theta, ReadOnlySpan<T> neighbourOmega, int L, NeighbourTable table, int k1, int k2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (neighbourOmega.Length != table.Tasks * L * table.K)
            throw new ArgumentException($"neighbour omega holds {neighbourOmega.Length} values, expected [{table.Tasks * L}, {table.K}]");
        ChooseAnchors(theta, L, table, k1, k2);
        LayOut(neighbourOmega, table, anchorRowsOnly: false);
    }

    /// <summary>
    /// First half of <see cref="Sample"/> for a caller that computes neighbour Omega only where it is needed:
    /// chooses the anchors (readable in <see cref="Anchors"/>); finish with <see cref="SampleAtAnchors"/>.
    /// </summary>
    // theta: [Tasks, L] Omega[i, :, 0]
    /// <summary>Most edges the subgraphs of one batch may have: the buffers are sized by <see cref="EdgeBound"/>, which must
    /// stay far from int overflow. Callers that take k1, k2 or the task count from outside check against it.</summary>
    public const long MaxEdges = 1 << 26;

    /// <summary>The edges <see cref="ChooseAnchors"/> makes room for: k1 anchors of up to k2 neighbours per task.</summary>
    public static long EdgeBound(int tasks, int k1, int k2) =>
        tasks * ((long)k1 + (long)k1 * k2 + (long)k1 * k2 * Math.Max(k2 - 1, 0) / 2);

    public void ChooseAnchors<T>(ReadOnlySpan<T> theta, int L, NeighbourTable table, int k1, int k2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = table.Tasks;
        if (k1 <= 0) throw new ArgumentException($"k1 = {k1} must be positive");
        if (k2 < 0) throw new ArgumentException($"k2 = {k2} must not be negative");
        if (theta.Length != n * L) throw new ArgumentException($"theta holds {theta.Length} values, expected [{n}, {L}]");
        Tasks = n; K1 = k1; K2 = k2; _L = L;
        int maxNodes = n * k1 * (1 + k2);
        int maxEdges = n * (k1 + k1 * k2 + k1 * k2 * Math.Max(k2 - 1, 0) / 2);
        Grow(ref _anchors, n * k1);
        Grow(ref _neighbours, n * k1 * k2);
        Grow(ref _nodeRows, maxNodes);
        Grow(ref _nodeSlot, maxNodes);
        Grow(ref _taskStarts, n + 1);
        Grow(ref _src, maxEdges);
        Grow(ref _dst, maxEdges);
        for (int i = 0; i < n; i++) TopK.Row(theta.Slice(i * L, L), TopKOrder.ByIndexAscending, _anchors.AsSpan(i * k1, k1));
    }

    /// <summary>
    /// Second half after <see cref="ChooseAnchors"/>: neighbours from Omega at the chosen anchors only, packed
    /// task by task with each task's rows K_i = Valid[i] wide (task i starts at k1 * sum of K_i' over i' &lt; i,
    /// its row j, for anchor j, K_i values later; rows of absent anchors are never read).
    /// </summary>
    // anchorOmega: [k1 * sum_i K_i] Omega[i, anchor j, 1 : 1+K_i] in that packed layout
    public void SampleAtAnchors<T>(ReadOnlySpan<T> anchorOmega, NeighbourTable table)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (table.Tasks != Tasks) throw new ArgumentException($"anchors were chosen for {Tasks} tasks, the table has {table.Tasks}");
        long packed = 0;
        for (int i = 0; i < Tasks; i++) packed += (long)K1 * table.Valid[i];
        if (anchorOmega.Length < packed) throw new ArgumentException($"anchor omega holds {anchorOmega.Length} values, expected {packed}");
        LayOut(anchorOmega, table, anchorRowsOnly: true);
    }

    // Neighbour choice, node layout and edges, given the anchors. Omega rows: [Tasks * L, K] (the full slot
    // array) or, when anchorRowsOnly, the packed layout of SampleAtAnchors.
    void LayOut<T>(ReadOnlySpan<T> omega, NeighbourTable table, bool anchorRowsOnly)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = Tasks, k1 = K1, k2 = K2, L = _L, K = table.K;
        int nodes = 0, edges = 0, packedStart = 0;
        for (int i = 0; i < n; i++)
        {
            _taskStarts[i] = nodes;
            var anchors = _anchors.AsSpan(i * k1, k1);
            int valid = table.Valid[i];
            int previousAnchor = -1;
            for (int j = 0; j < k1; j++)
            {
                var slots = _neighbours.AsSpan((i * k1 + j) * k2, k2);
                slots.Fill(-1);
                int a = anchors[j];
                if (a < 0) continue;
                int rowBase = (i * L + a) * (1 + K);
                int anchorNode = nodes;
                _nodeRows[nodes] = rowBase;
                _nodeSlot[nodes++] = -1;
                if (previousAnchor >= 0) AddEdge(ref edges, previousAnchor, anchorNode);
                previousAnchor = anchorNode;

                if (valid == 0 || k2 == 0) continue;
                int omegaStart = anchorRowsOnly ? packedStart + j * valid : (i * L + a) * K;
                TopK.Row(omega.Slice(omegaStart, valid), TopKOrder.ByIndexAscending, slots);
                int firstNeighbour = nodes;
                foreach (int s in slots)
                {
                    if (s < 0) break;
                    AddEdge(ref edges, anchorNode, nodes);
                    _nodeRows[nodes] = rowBase + 1 + s;
                    _nodeSlot[nodes++] = s;
                }
                for (int u = firstNeighbour; u < nodes; u++)
                    for (int v = u + 1; v < nodes; v++)
                        if (table.Linked(i, _nodeSlot[u], _nodeSlot[v])) AddEdge(ref edges, u, v);
            }
            packedStart += k1 * valid;
        }
        _taskStarts[n] = nodes;
        NodeCount = nodes;
        EdgeCount = edges;
        Graph.Rebuild(nodes, _src.AsSpan(0, edges), _dst.AsSpan(0, edges), undirected: true);
    }

    /// <summary>
    /// Gather indices into Omega as [rows * slots, 1] (rows = N * L): first the column-0 entries (theta, [rows]),
    /// then the columns 1..slots-1 ([rows * (slots - 1)], row-major). Cached for the last (rows, slots).
    /// </summary>
    public (ReadOnlyMemory<int> Theta, ReadOnlyMemory<int> Neighbours) SlotRows(int rows, int slots)
    {
        if (rows != _slotRowsCount || slots != _slotRowsSlots)
        {
            Grow(ref _slotRows, rows * slots);
            int k = slots - 1;
            for (int r = 0; r < rows; r++)
            {
                _slotRows[r] = r * slots;
                for (int c = 0; c < k; c++) _slotRows[rows + r * k + c] = r * slots + 1 + c;
            }
            (_slotRowsCount, _slotRowsSlots) = (rows, slots);
        }
        return (_slotRows.AsMemory(0, rows), _slotRows.AsMemory(rows, rows * (slots - 1)));
    }

    void AddEdge(ref int count, int u, int v)
    {
        _src[count] = u;
        _dst[count++] = v;
    }

    static void Grow(ref int[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new int[length];
    }
}
