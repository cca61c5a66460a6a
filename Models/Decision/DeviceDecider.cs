using Sure.Tensors.Devices;
using Sure.Tensors.Devices.Cuda;

namespace Sure.Models;

/// <summary>
/// <see cref="SureDecider"/>'s decision (SPEC 4 in evaluation mode, whole job) on an <see cref="IComputeBackend"/>.
/// Every buffer (parameters, job structure, workspaces) is allocated in the constructor. Per decision the snapshot
/// ring [L, n, D], five scalars and the current parallelism [n] go up, every step runs on the device, and the new
/// parallelism [n] comes down; anchors, neighbours, readout and action means can be downloaded on request.
/// <para>The noise is drawn on the device from the same Philox words and positions as <see cref="DecisionNoise"/>,
/// so a decision makes the same choices as <see cref="SureDecider"/> for the same seed and decision index (unless
/// two Omega values tie to within a few ulps: the device's exp and log are not .NET's).</para>
/// <para>With <c>captureGraph</c> on a CUDA backend, the first decision records the enqueued work into a CUDA graph
/// and every decision replays it: the work between upload and download is the same code in both modes, and it
/// reads everything that changes (ring head, seed, decision index) from device buffers, so the recording stays
/// valid. Parameters are not uploaded per decision: call <see cref="RefreshParameters"/> after the model changes.</para>
/// </summary>
public sealed class DeviceDecider : IDisposable
{
    readonly IComputeBackend _backend;
    readonly DeviceNetwork _network;
    readonly int _n, _L, _D, _K, _k1, _k2, _pMax;
    readonly bool _captureGraph;
    CudaGraph? _graph;

    // [L, n, D] the ring; [DecisionScalars.Length] oldest, seed, index; [n] current and new parallelism
    readonly DeviceBuffer _ring, _decision, _parallelism, _newParallelism;
    // [L, n] NVSS mu and sigma per ring row; [n, L] theta; [n, k1, K] neighbour Omega at the anchors
    readonly DeviceBuffer _mu, _sigma, _theta, _anchorOmega;
    // [DecisionScalars.Length] host staging
    readonly int[] _scalars = new int[DecisionScalars.Length];

    public DeviceDecider(SureModel<float> model, NeighbourTable job, IComputeBackend backend, bool captureGraph = false)
    {
        if (captureGraph && backend is not CudaBackend)
            throw new ArgumentException($"graph capture needs the cuda backend, not {backend.Name}", nameof(captureGraph));
        var c = model.Config;
        _backend = backend;
        _captureGraph = captureGraph;
        (_n, _L, _D, _K, _k1, _k2, _pMax) = (job.Tasks, c.L, c.D, job.K, c.K1, c.K2, c.PMax);
        _network = new DeviceNetwork(backend, model, job, _L, _k1, _k2);
        try
        {
            _ring = backend.Allocate(ElementType.Float32, _L * _n * _D);
            _decision = backend.Allocate(ElementType.Int32, DecisionScalars.Length);
            _parallelism = backend.Allocate(ElementType.Int32, _n);
            _newParallelism = backend.Allocate(ElementType.Int32, _n);
            _mu = backend.Allocate(ElementType.Float32, _L * _n);
            _sigma = backend.Allocate(ElementType.Float32, _L * _n);
            _theta = backend.Allocate(ElementType.Float32, _n * _L);
            _anchorOmega = backend.Allocate(ElementType.Float32, _n * _k1 * _K);
            RefreshParameters();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Tasks => _n;
    public IComputeBackend Backend => _backend;
    /// <summary>Subgraph nodes of all tasks together (the same in every decision).</summary>
    public int Nodes => _network.Nodes;

    /// <summary>Uploads the model's current parameter values (after training changed them); a captured graph sees them.</summary>
    public void RefreshParameters() => _network.UploadParameters();

    /// <summary>
    /// One decision: new p_i = clamp(round-half-even(2 sigmoid(m_i) * p_i), 1, p_max) for every task.
    /// </summary>
    // ring: [L, n, D] snapshots, physical order: snapshot t (0 = oldest) is physical row (oldest + t) % L
    // currentParallelism: [n]
    // newParallelism: [n]
    public void Decide(ReadOnlySpan<float> ring, int oldest, ReadOnlySpan<int> currentParallelism, ulong seed, ulong decisionIndex,
        Span<int> newParallelism)
    {
        SureDecider.CheckArguments(_L, _n, _D, ring.Length, oldest, currentParallelism.Length, newParallelism.Length);

        DecisionScalars.Write(_scalars, oldest, seed, decisionIndex);
        _backend.Upload(ring, _ring);
        _backend.Upload<int>(_scalars, _decision);
        _backend.Upload(currentParallelism, _parallelism);
        if (_captureGraph)
        {
            _graph ??= Capture();
            _graph.Launch();
        }
        else Enqueue();
        _backend.Download(_newParallelism, newParallelism);
    }

    // Everything between the upload and the download: no host work, no copies, so it can be captured.
    void Enqueue()
    {
        var b = _backend;
        _network.Project(_ring, _L * _n, _mu, _sigma);
        _network.Ops.NvssTheta(_mu, _sigma, _n, _L, _decision, _theta);
        b.TopK(_theta, _n, _L, _L, _k1, ascendingIndices: true, _network.Anchors);
        _network.Ops.NvssAnchorOmega(_mu, _sigma, _network.Slots, _network.Valid, _network.Anchors, _n, _L, _K, _k1, _decision, _anchorOmega);
        _network.Enqueue(_ring, ring: true, _decision, _anchorOmega, everySnapshot: false);
        _network.Ops.Rescale(_network.ActionMeans, _parallelism, _n, _pMax, _newParallelism);
    }

    CudaGraph Capture()
    {
        var cuda = (CudaBackend)_backend;
        cuda.BeginCapture();
        try
        {
            Enqueue();
        }
        catch
        {
            // End the capture so the backend stays usable; what was recorded is dropped.
            cuda.EndCapture().Dispose();
            throw;
        }
        return cuda.EndCapture();
    }

    /// <summary>[n, k1] anchors of the last decision (ascending snapshot, 0 = oldest; -1 where L &lt; k1).</summary>
    public void DownloadAnchors(Span<int> anchors) => _backend.Download(_network.Anchors, anchors);
    /// <summary>[n, k1, k2] neighbour slots of the last decision (ascending, -1 where fewer than k2).</summary>
    public void DownloadNeighbours(Span<int> neighbours) => _backend.Download(_network.Neighbours, neighbours);
    /// <summary>[n] m_i of the last decision.</summary>
    public void DownloadActionMeans(Span<float> actionMeans) => _backend.Download(_network.ActionMeans, actionMeans);

    /// <summary>Width of each node's row in <see cref="DownloadSubgraphs"/>: 2 + min(k2, K).</summary>
    public int AdjacencyWidth => _network.Cap;

    /// <summary>The last decision's subgraphs, node by node in SubgraphSampler's order (for checking).</summary>
    // ringRow: [nodes] ring row (snapshot's physical row * n + task) of each node  degree: [nodes]
    // adjacency: [nodes, AdjacencyWidth] neighbour nodes, the first degree[v] of each row in the sampler's CSR order
    public void DownloadSubgraphs(Span<int> ringRow, Span<int> degree, Span<int> adjacency)
    {
        _backend.Download(_network.NodeRow, ringRow);
        _backend.Download(_network.Degree, degree);
        _backend.Download(_network.Adjacency, adjacency);
    }

    public void Dispose()
    {
        _graph?.Dispose();
        _graph = null;
        foreach (var buffer in new[] { _ring, _decision, _parallelism, _newParallelism, _mu, _sigma, _theta, _anchorOmega })
            buffer?.Dispose();
        _network.Dispose();
    }
}
