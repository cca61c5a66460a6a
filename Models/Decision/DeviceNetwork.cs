using Sure.Tensors.Devices;

namespace Sure.Models;

/// <summary>
/// The part of SPEC 4 that the device decision and the device `sure forward` share, enqueued on one
/// <see cref="IComputeBackend"/>: from the chosen anchors and Omega to the action means (neighbour choice,
/// subgraphs, GraphSAGE, readout, head). Holds the model's parameters, the job's structure and every workspace on
/// the device, all allocated in the constructor; nothing here reads back from the device.
/// <para>Every task has a fixed number of nodes, min(k1, L) (1 + min(k2, K_i)), so the node layout (where each
/// task's nodes start) is known here once; only which snapshot and slot a node stands for, and the
/// neighbour-neighbour edges, change from one decision to the next.</para>
/// </summary>
internal sealed class DeviceNetwork : IDisposable
{
    readonly IComputeBackend _backend;
    readonly DecisionOps _ops;
    readonly SureModel<float> _model;
    readonly List<DeviceBuffer> _owned = [];
    readonly int _n, _L, _K, _k1, _k2, _D, _H, _E;

    // nvss.{mu,sigma}.{weight [D], bias [1]}, head.weight [H], head.bias [1]
    readonly DeviceBuffer _muWeight, _muBias, _sigmaWeight, _sigmaBias, _headWeight, _headBias;
    // e = 0: sage.0.weight [2D, H] as it is; e >= 1: [H, 2H], the weight's top and bottom halves side by side, so
    // that one product gives both h W_top and h W_bot (SureDecider's layout)
    readonly DeviceBuffer[] _sageWeight, _sageBias;
    // [H, 2H] host staging for the side-by-side halves
    readonly float[] _sideBySide;

    public DeviceNetwork(IComputeBackend backend, SureModel<float> model, NeighbourTable job, int L, int k1, int k2)
    {
        var c = model.Config;
        _backend = backend;
        _ops = DecisionOps.For(backend);
        _model = model;
        (_n, _L, _K, _k1, _k2, _D, _H, _E) = (job.Tasks, L, job.K, k1, k2, c.D, c.H, c.E);
        Cap = 2 + Math.Min(k2, _K);

        var starts = new int[_n + 1];
        for (int i = 0; i < _n; i++) starts[i + 1] = starts[i] + Math.Min(k1, L) * (1 + Math.Min(k2, job.Valid[i]));
        Nodes = starts[_n];
        int words = DecisionOps.LinkWords(_K);
        var linked = new int[_n * _K * words];
        for (int i = 0; i < _n; i++)
            for (int s = 0; s < job.Valid[i]; s++)
                for (int t = 0; t < job.Valid[i]; t++)
                    if (job.Linked(i, s, t)) linked[(i * _K + s) * words + (t >> 5)] |= 1 << (t & 31);

        Slots = UploadInts(job.Slots);
        Valid = UploadInts(job.Valid);
        _linked = UploadInts(linked);
        TaskStarts = UploadInts(starts);

        _muWeight = Floats(_D);
        _muBias = Floats(1);
        _sigmaWeight = Floats(_D);
        _sigmaBias = Floats(1);
        _headWeight = Floats(_H);
        _headBias = Floats(1);
        _sageWeight = new DeviceBuffer[_E];
        _sageBias = new DeviceBuffer[_E];
        for (int e = 0; e < _E; e++)
        {
            _sageWeight[e] = Floats(e == 0 ? 2 * _D * _H : _H * 2 * _H);
            _sageBias[e] = Floats(_H);
        }
        _sideBySide = new float[_H * 2 * _H];

        Anchors = Ints(_n * k1);
        Neighbours = Ints(_n * k1 * k2);
        NodeRow = Ints(Nodes);
        Degree = Ints(Nodes);
        Adjacency = Ints(Nodes * Cap);
        _layer0Input = Floats(Nodes * 2 * _D);
        _hidden = Floats(Nodes * _H);
        _product = Floats(_E > 1 ? Nodes * 2 * _H : 0);
        Readout = Floats(_n * _H);
        ActionMeans = Floats(_n);
    }

    // [nodes, 2D] layer 0's input; [nodes, H] activations; [nodes, 2H] h @ [W_top | W_bot]
    readonly DeviceBuffer _layer0Input, _hidden, _product;

    /// <summary>The backend's decision ops (<see cref="DecisionOps.For"/>), for the steps the callers run themselves.</summary>
    public DecisionOps Ops => _ops;

    /// <summary>Subgraph nodes of all tasks together.</summary>
    public int Nodes { get; }
    /// <summary>Width of each node's row of <see cref="Adjacency"/>: 2 + min(k2, K).</summary>
    public int Cap { get; }
    /// <summary>[n, K] neighbour task ids (-1 = padding); [n] K_i; [n + 1] first node of each task.</summary>
    public DeviceBuffer Slots { get; }
    public DeviceBuffer Valid { get; }
    public DeviceBuffer TaskStarts { get; }
    readonly DeviceBuffer _linked;
    /// <summary>[n, k1] chosen snapshots, written by the caller before <see cref="Enqueue"/>.</summary>
    public DeviceBuffer Anchors { get; }
    /// <summary>[n, k1, k2] chosen neighbour slots.</summary>
    public DeviceBuffer Neighbours { get; }
    /// <summary>[nodes] feature row, [nodes] degree, [nodes, Cap] neighbour nodes of each subgraph node.</summary>
    public DeviceBuffer NodeRow { get; }
    public DeviceBuffer Degree { get; }
    public DeviceBuffer Adjacency { get; }
    /// <summary>[n, H] h_g; [n] m_i.</summary>
    public DeviceBuffer Readout { get; }
    public DeviceBuffer ActionMeans { get; }

    /// <summary>Copies the model's current parameter values to the device (the buffers stay the same).</summary>
    public void UploadParameters()
    {
        var b = _backend;
        b.Upload<float>(_model.MuWeight.Value.Span, _muWeight);
        b.Upload<float>(_model.MuBias.Value.Span, _muBias);
        b.Upload<float>(_model.SigmaWeight.Value.Span, _sigmaWeight);
        b.Upload<float>(_model.SigmaBias.Value.Span, _sigmaBias);
        b.Upload<float>(_model.HeadWeight.Value.Span, _headWeight);
        b.Upload<float>(_model.HeadBias.Value.Span, _headBias);
        b.Upload<float>(_model.SageWeights[0].Value.Span, _sageWeight[0]);
        for (int e = 0; e < _E; e++) b.Upload<float>(_model.SageBiases[e].Value.Span, _sageBias[e]);
        int H = _H;
        for (int e = 1; e < _E; e++)
        {
            var w = _model.SageWeights[e].Value.Span;
            for (int r = 0; r < H; r++)
            {
                w.Slice(r * H, H).CopyTo(_sideBySide.AsSpan(r * 2 * H, H));
                w.Slice((H + r) * H, H).CopyTo(_sideBySide.AsSpan(r * 2 * H + H, H));
            }
            b.Upload<float>(_sideBySide, _sageWeight[e]);
        }
    }

    /// <summary>NVSS mu and sigma of every row of a feature matrix.</summary>
    // features: [rows, D]  mu, sigma: [rows]
    public void Project(DeviceBuffer features, int rows, DeviceBuffer mu, DeviceBuffer sigma) =>
        _ops.NvssProject(features, rows, _D, _muWeight, _muBias, _sigmaWeight, _sigmaBias, mu, sigma);

    /// <summary>
    /// Neighbours, subgraphs, GraphSAGE, readout and head, once <see cref="Anchors"/> holds the anchors.
    /// </summary>
    // features: [L, n, D] snapshot ring when ring, else S as [n L (1+K), D]
    // decision: [DecisionScalars.Length] (the ring's oldest row)
    // omega: [n, k1, K] at the anchors, or [n, L, 1+K] at every snapshot when everySnapshot
    public void Enqueue(DeviceBuffer features, bool ring, DeviceBuffer decision, DeviceBuffer omega, bool everySnapshot)
    {
        var b = _backend;
        int n = _n, H = _H;
        _ops.ChooseNeighbours(omega, everySnapshot, Valid, Anchors, n, _L, _K, _k1, _k2, Neighbours);
        _ops.BuildSubgraphs(Anchors, Neighbours, Slots, Valid, _linked, TaskStarts, n, _L, _K, _k1, _k2, ring, decision,
            NodeRow, Degree, Adjacency);
        // Layer 0 as [x_v ; mean_u x_u] @ W_0: the D-wide rows are averaged before the product (SureDecider's order).
        _ops.SageInput(features, _D, NodeRow, Degree, Adjacency, Nodes, Cap, _layer0Input);
        b.Gemm(_layer0Input, false, _sageWeight[0], false, Nodes, H, 2 * _D, false, _hidden);
        b.AddBias(_hidden, _sageBias[0], Nodes, H, _hidden);
        b.Map(UnaryOp.Relu, _hidden, Nodes * H, _hidden);
        if (_E == 1) b.SegmentMean(_hidden, H, TaskStarts, n, Readout);
        // Layers e >= 1 product first, then one pass for bias, mean and relu; the last one also takes the readout.
        for (int e = 1; e < _E; e++)
        {
            b.Gemm(_hidden, false, _sageWeight[e], false, Nodes, 2 * H, H, false, _product);
            if (e < _E - 1) _ops.SageCombine(_product, _sageBias[e], H, Degree, Adjacency, Nodes, Cap, _hidden);
            else _ops.SageCombineMean(_product, _sageBias[e], H, Degree, Adjacency, Cap, TaskStarts, n, Readout);
        }
        _ops.ActionHead(Readout, H, n, _headWeight, _headBias, ActionMeans);
    }

    DeviceBuffer Floats(int length) => Own(_backend.Allocate(ElementType.Float32, length));
    DeviceBuffer Ints(int length) => Own(_backend.Allocate(ElementType.Int32, length));

    DeviceBuffer UploadInts(int[] values)
    {
        var buffer = Ints(values.Length);
        _backend.Upload<int>(values, buffer);
        return buffer;
    }

    DeviceBuffer Own(DeviceBuffer buffer)
    {
        _owned.Add(buffer);
        return buffer;
    }

    public void Dispose()
    {
        foreach (var buffer in _owned) buffer.Dispose();
        _owned.Clear();
    }
}
