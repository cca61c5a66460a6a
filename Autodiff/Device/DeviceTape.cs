using Sure.Tensors.Devices;

namespace Sure.Autodiff.Device;

/// <summary>
/// Reverse-mode autodiff whose values and gradients live on a compute backend (any <see cref="IComputeBackend"/>:
/// cpu, opencl, cuda, ilgpu-*). The same contract as the CPU <see cref="Tape{T}"/> in float: ops (DeviceTape.Ops.cs)
/// launch their forward kernels at once and, when an input needs a gradient, record what their backward launches;
/// <see cref="Backward"/> runs those in reverse. Index arrays (gathers, segments, graphs) come from the host, as on the
/// CPU tape, and are uploaded when recorded. Reset rewinds the buffer pools, so a repeated computation allocates no
/// device memory after its first pass.
/// </summary>
public sealed partial class DeviceTape : IDiffTape<DeviceVar, float>, IDisposable
{
    enum Op : byte
    {
        Leaf, MatMul, AddBias, Add, Sub, Mul, Scale, AddScalar, Map, Sum, Mean, SoftmaxRows, GatherRows, SegmentMean,
        CsrMean, Concat, ScaleRows,
    }

    // One recorded value: a plain struct in a reused array (the CPU tape's layout).
    struct Node
    {
        public DeviceBuffer Value;
        public DeviceBuffer? Grad;   // null when no gradient flows through this node
        public Shape Shape;
        public Op Op;
        public bool Backward;        // the backward step runs (some input needs a gradient, not in inference mode)
        public int A, B;             // input node ids, -1 when unused
        public int Flags;            // transpose bits, UnaryOp, row counts
        public float Attr;           // scale factor
        public DeviceBuffer? I0, I1, I2, I3;   // uploaded index arrays (gather inverse, segments, CSR and its transpose)
        public DeviceBuffer? Scratch;          // a value the backward reuses (ScaleRows' broadcast scales)
    }

    readonly BufferPool _floats, _ints;
    DeviceParameters? _parameters;
    Node[] _nodes = new Node[256];
    int _count, _generation;
    DeviceBuffer? _ones;
    readonly List<DeviceBuffer> _retired = [];
    int[] _host = new int[256];   // host scratch for inverted indices
    readonly Arena<float> _hostArena = new(1 << 12);   // host tensors: NewTensor, Read

    /// <param name="backend">Where values live and kernels run; the tape does not own it.</param>
    /// <param name="parameters">The device copies of the parameters <see cref="Param"/> may record, or null.</param>
    public DeviceTape(IComputeBackend backend, DeviceParameters? parameters = null, bool inference = false)
    {
        Backend = backend;
        Parameters = parameters;
        Inference = inference;
        _floats = new BufferPool(backend, ElementType.Float32);
        _ints = new BufferPool(backend, ElementType.Int32);
    }

    public IComputeBackend Backend { get; }

    /// <summary>The device parameters <see cref="Param"/> records (set between passes, e.g. one set per rollout's replica).</summary>
    public DeviceParameters? Parameters
    {
        get => _parameters;
        set => _parameters = value is null || value.Backend == Backend ? value : throw new ArgumentException("the parameters live on another backend", nameof(value));
    }

    /// <summary>When true, ops record no backward step and no gradient buffers: forward values only.</summary>
    public bool Inference { get; set; }

    /// <summary>Number of nodes recorded since the last Reset.</summary>
    public int Count => _count;

    /// <summary>Forgets every node and rewinds the buffer pools; earlier DeviceVars become invalid.</summary>
    public void Reset()
    {
        Array.Clear(_nodes, 0, _count);
        _count = 0;
        _generation++;
        _floats.Reset();
        _ints.Reset();
        _hostArena.Reset();
    }

    /// <summary>A leaf without gradient (data, masks, targets), uploaded now.</summary>
    public DeviceVar Constant(ReadOnlySpan<float> value, Shape shape) => Leaf(Upload(value, shape), default, shape);

    /// <summary>A leaf without gradient, uploaded now.</summary>
    public DeviceVar Constant(Tensor<float> value) => Constant(value.Span, value.Shape);

    /// <summary>A leaf whose gradient (zeroed now) is readable after Backward.</summary>
    public DeviceVar Variable(ReadOnlySpan<float> value, Shape shape) =>
        Leaf(Upload(value, shape), Inference ? null : Zeroed(shape.Length), shape);

    /// <summary>A leaf whose gradient (zeroed now) is readable after Backward.</summary>
    public DeviceVar Variable(Tensor<float> value) => Variable(value.Span, value.Shape);

    /// <summary>A parameter: Backward accumulates straight into its device gradient (see <see cref="DeviceParameters"/>).</summary>
    public DeviceVar Param(Parameter<float> parameter)
    {
        if (_parameters is null) throw new InvalidOperationException("this tape was made without DeviceParameters");
        int i = _parameters.IndexOf(parameter);
        return Leaf(_parameters.Value(i), Inference ? null : _parameters.Grad(i), parameter.Shape);
    }

    /// <summary>A [rows, cols] constant of ones (for broadcasts and sums written as products).</summary>
    public DeviceVar Ones(int rows, int cols) => Leaf(Ones(rows * cols), null, new Shape(rows, cols));

    /// <summary>Seeds d(output)/d(output) = 1 for a one-element output and runs the tape backwards.</summary>
    public void Backward(DeviceVar output)
    {
        if (output.Shape.Length != 1) throw new ArgumentException($"Backward(output) needs one element, got {output.Shape}");
        ref var node = ref _nodes[Own(output)];
        if (node.Grad is null) throw new InvalidOperationException("output does not depend on anything with a gradient (or inference mode)");
        Backend.Axpy(1f, Ones(1), 1, node.Grad);
        for (int i = output.Id; i >= 0; i--)
            if (_nodes[i].Backward) Propagate(in _nodes[i]);
    }

    /// <summary>A host tensor with unspecified contents, for building an input (valid until Reset).</summary>
    public Tensor<float> NewTensor(params ReadOnlySpan<int> dims) => _hostArena.Rent(new Shape(dims));

    /// <summary>The value, downloaded into host memory that stays valid until Reset (waits for the work before it).</summary>
    public ReadOnlySpan<float> Read(DeviceVar x)
    {
        var host = _hostArena.Rent(x.Shape);
        Backend.Download(x.Value, host.Span);
        return host.Span;
    }

    public Shape ShapeOf(DeviceVar v) => _nodes[Own(v)].Shape;
    internal DeviceBuffer ValueOf(DeviceVar v) => _nodes[Own(v)].Value;
    internal DeviceBuffer? GradOf(DeviceVar v) => _nodes[Own(v)].Grad;

    int Own(DeviceVar v) => v.Tape == this && v.Generation == _generation
        ? v.Id
        : throw new ArgumentException("the DeviceVar is from another tape, or from before this tape's last Reset");

    DeviceVar Leaf(DeviceBuffer value, DeviceBuffer? grad, Shape shape)
    {
        ref var node = ref Push();
        node.Value = value;
        node.Grad = grad;
        node.Shape = shape;
        return Last;
    }

    ref Node Push()
    {
        if (_count == _nodes.Length) Array.Resize(ref _nodes, _nodes.Length * 2);
        ref var node = ref _nodes[_count++];
        node = default;
        node.A = node.B = -1;
        return ref node;
    }

    DeviceVar Last => new(this, _count - 1, _generation);

    bool NeedsGrad(int id) => id >= 0 && _nodes[id].Grad is not null;

    // Records an op's output; it gets a zeroed gradient and its backward step only when an input has a gradient.
    ref Node Record(Op op, DeviceBuffer value, Shape shape, int a, int b = -1)
    {
        bool grad = !Inference && (NeedsGrad(a) || NeedsGrad(b));
        var gradBuffer = grad ? Zeroed(shape.Length) : null;
        ref var node = ref Push();
        node.Op = op;
        node.Value = value;
        node.Grad = gradBuffer;
        node.Shape = shape;
        node.Backward = grad;
        node.A = a;
        node.B = b;
        return ref node;
    }

    DeviceBuffer NewValue(int length) => _floats.Rent(length);

    DeviceBuffer Zeroed(int length)
    {
        var b = _floats.Rent(length);
        Backend.Fill(0f, length, b);
        return b;
    }

    DeviceBuffer Upload(ReadOnlySpan<float> value, Shape shape)
    {
        if (value.Length != shape.Length) throw new ArgumentException($"{value.Length} values for shape {shape}");
        var b = _floats.Rent(value.Length);
        Backend.Upload(value, b);
        return b;
    }

    DeviceBuffer UploadInts(ReadOnlySpan<int> value)
    {
        var b = _ints.Rent(value.Length);
        Backend.Upload(value, b);
        return b;
    }

    Span<int> Host(int length)
    {
        if (_host.Length < length) _host = new int[Math.Max(length, 2 * _host.Length)];
        return _host.AsSpan(0, length);
    }

    // At least n ones. A larger set replaces a smaller one; the old one stays alive (nodes may hold it) until Dispose.
    DeviceBuffer Ones(int n)
    {
        if (_ones is null || _ones.Length < n)
        {
            if (_ones is not null) _retired.Add(_ones);
            _ones = Backend.Allocate(ElementType.Float32, Math.Max(n, Math.Max(64, 2 * (_ones?.Length ?? 0))));
            Backend.Fill(1f, _ones.Length, _ones);
        }
        return _ones;
    }

    public void Dispose()
    {
        _floats.Dispose();
        _ints.Dispose();
        _ones?.Dispose();
        foreach (var b in _retired) b.Dispose();
    }

    /// <summary>
    /// Device buffers handed out in order and taken back all at once by Reset: a pass that asks for the same sizes in
    /// the same order gets the same buffers and allocates nothing. Sizes round up to a power of two (at least 64), so
    /// passes whose sizes vary a little (subgraphs of another window) reuse them too.
    /// </summary>
    sealed class BufferPool(IComputeBackend backend, ElementType type) : IDisposable
    {
        readonly List<DeviceBuffer> _buffers = [];
        int _next;

        public DeviceBuffer Rent(int length)
        {
            int size = (int)Math.Max(64, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, length)));
            if (_next == _buffers.Count) _buffers.Add(backend.Allocate(type, size));
            else if (_buffers[_next].Length < length)
            {
                _buffers[_next].Dispose();
                _buffers[_next] = backend.Allocate(type, size);
            }
            return _buffers[_next++];
        }

        public void Reset() => _next = 0;

        public void Dispose()
        {
            foreach (var b in _buffers) b.Dispose();
            _buffers.Clear();
        }
    }
}

/// <summary>Handle to a value recorded on a <see cref="DeviceTape"/>. Cheap to copy; valid until the tape's next Reset.</summary>
public readonly struct DeviceVar
{
    internal DeviceVar(DeviceTape tape, int id, int generation)
    {
        Tape = tape;
        Id = id;
        Generation = generation;
    }

    public DeviceTape Tape { get; }
    internal int Id { get; }
    internal int Generation { get; }

    public Shape Shape => Tape.ShapeOf(this);
    /// <summary>The device buffer holding the value (it may be longer than Shape.Length).</summary>
    public DeviceBuffer Value => Tape.ValueOf(this);
    /// <summary>The gradient of the last Backward, or null when none flows here.</summary>
    public DeviceBuffer? Grad => Tape.GradOf(this);
    public bool RequiresGrad => Grad is not null;

    /// <summary>Copies the value to the host (destination: [Shape.Length]).</summary>
    public void CopyValueTo(Span<float> destination) => Tape.Backend.Download(Value, destination[..Shape.Length]);

    /// <summary>Copies the gradient to the host (destination: [Shape.Length]).</summary>
    public void CopyGradTo(Span<float> destination) =>
        Tape.Backend.Download(Grad ?? throw new InvalidOperationException("no gradient flows to this value"), destination[..Shape.Length]);

    public override string ToString() => $"DeviceVar#{Id}";
}
