namespace Sure.Autodiff;

/// <summary>
/// Reverse-mode autodiff tape. Ops (one file each under Ops/) compute their value into the tape's arena and,
/// when recording and some input needs a gradient, remember how to push the gradient back.
/// Reset between iterations: the arena rewinds, so a repeated computation allocates nothing after its first pass.
/// </summary>
public sealed partial class Tape<T> : IDiffTape<Var<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    Node<T>[] _nodes = new Node<T>[256];
    int _count;
    int _generation;

    public Tape(bool inference = false) => Inference = inference;

    /// <summary>Buffers for every value and gradient on this tape.</summary>
    public Arena<T> Arena { get; } = new();

    /// <summary>When true, ops record no backward step and no gradient buffers: forward values only.</summary>
    public bool Inference { get; set; }

    /// <summary>Threads handed to Gemm.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>Per-op timing (null: off): see <see cref="TapeProfile"/>.</summary>
    public TapeProfile? Profile { get; set; }

    /// <summary>Number of nodes recorded since the last Reset.</summary>
    public int Count => _count;

    /// <summary>Forgets every node and rewinds the arena; earlier Vars and their tensors become invalid.</summary>
    public void Reset()
    {
        Array.Clear(_nodes, 0, _count); // drop references to graphs and index arrays
        _count = 0;
        _generation++;
        Arena.Reset();
        Profile?.Mark();
    }

    /// <summary>A leaf without gradient (data, masks, targets).</summary>
    public Var<T> Constant(Tensor<T> value) => Leaf(value, default);

    /// <summary>A leaf whose gradient lives in the arena (zeroed now), readable as Grad after Backward.</summary>
    public Var<T> Variable(Tensor<T> value) => Leaf(value, Inference ? default : Arena.RentZeroed(value.Shape));

    /// <summary>A parameter: Backward accumulates straight into parameter.Grad.</summary>
    public Var<T> Param(Parameter<T> parameter) => Leaf(parameter.Value, Inference ? default : parameter.Grad);

    /// <summary>A fresh arena tensor with unspecified contents, for building inputs without allocating.</summary>
    public Tensor<T> NewTensor(params ReadOnlySpan<int> dims) => Arena.Rent(new Shape(dims));

    /// <summary>Seeds d(output)/d(output) = 1 for a one-element output and runs the tape backwards.</summary>
    public void Backward(Var<T> output)
    {
        if (output.Value.Length != 1) throw new ArgumentException($"Backward(output) needs one element, got {output.Shape}");
        ref var node = ref Check(output);
        node.Grad.Span[0] += T.One;
        Propagate(output.Id);
    }

    /// <summary>Runs the tape backwards from output with upstream gradient seed (same length as output).</summary>
    public void Backward(Var<T> output, ReadOnlySpan<T> seed)
    {
        ref var node = ref Check(output);
        if (seed.Length != node.Value.Length) throw new ArgumentException("seed length differs from output");
        TP.Add(node.Grad.Span, seed, node.Grad.Span);
        Propagate(output.Id);
    }

    ref Node<T> Check(Var<T> output)
    {
        ref var node = ref _nodes[Own(output)];
        if (node.Grad.IsNull) throw new InvalidOperationException("output does not depend on anything with a gradient (or inference mode)");
        return ref node;
    }

    // Gradient buffers of intermediates are zeroed when recorded, so Backward runs once per recording.
    void Propagate(int from)
    {
        for (int i = from; i >= 0; i--)
        {
            ref readonly var node = ref _nodes[i];
            if (node.Backward is null) continue;
            if (Profile is null) node.Backward(this, in node);
            else
            {
                long started = System.Diagnostics.Stopwatch.GetTimestamp();
                node.Backward(this, in node);
                Profile.Backward(node.Backward, System.Diagnostics.Stopwatch.GetTimestamp() - started);
            }
        }
    }

    ReadOnlySpan<T> IDiffTape<Var<T>, T>.Read(Var<T> x) => ValueOf(x).Span;
    Shape IDiffTape<Var<T>, T>.ShapeOf(Var<T> x) => ValueOf(x).Shape;

    internal Tensor<T> ValueOf(int id) => _nodes[id].Value;
    internal Tensor<T> GradOf(int id) => _nodes[id].Grad;
    internal Tensor<T> ValueOf(Var<T> v) => _nodes[Own(v)].Value;
    internal Tensor<T> GradOf(Var<T> v) => _nodes[Own(v)].Grad;

    Var<T> Leaf(Tensor<T> value, Tensor<T> grad)
    {
        ref var node = ref Push();
        node.Value = value;
        node.Grad = grad;
        Profile?.Mark();
        return new Var<T>(this, _count - 1, _generation);
    }

    ref Node<T> Push()
    {
        if (_count == _nodes.Length) Array.Resize(ref _nodes, _nodes.Length * 2);
        ref var node = ref _nodes[_count++];
        node = default;
        node.A = node.B = node.C = -1;
        return ref node;
    }

    bool NeedsGrad(int id) => id >= 0 && !_nodes[id].Grad.IsNull;

    /// <summary>Records an op's output; it gets a zeroed gradient and the backward step only when an input has a gradient.</summary>
    ref Node<T> Record(Tensor<T> value, BackwardFn<T> backward, Var<T> a) => ref Record(value, backward, Own(a), -1, -1);
    ref Node<T> Record(Tensor<T> value, BackwardFn<T> backward, Var<T> a, Var<T> b) => ref Record(value, backward, Own(a), Own(b), -1);
    ref Node<T> Record(Tensor<T> value, BackwardFn<T> backward, Var<T> a, Var<T> b, Var<T> c) => ref Record(value, backward, Own(a), Own(b), Own(c));

    int Own(Var<T> v) => v.Tape == this && v.Generation == _generation
        ? v.Id
        : throw new ArgumentException("the Var is from another tape, or from before this tape's last Reset");

    ref Node<T> Record(Tensor<T> value, BackwardFn<T> backward, int a, int b, int c)
    {
        bool grad = !Inference && (NeedsGrad(a) || NeedsGrad(b) || NeedsGrad(c));
        var gradBuffer = grad ? Arena.RentZeroed(value.Shape) : default;
        ref var node = ref Push();
        node.Value = value;
        node.Grad = gradBuffer;
        node.Backward = grad ? backward : null;
        node.A = a;
        node.B = b;
        node.C = c;
        Profile?.Forward(backward);
        return ref node;
    }

    Var<T> Last => new(this, _count - 1, _generation);

    Tensor<T> NewValue(Shape shape) => Arena.Rent(shape);
    Tensor<T> NewValue(params ReadOnlySpan<int> dims) => Arena.Rent(new Shape(dims));

    static void SameShape(Var<T> a, Var<T> b, string op)
    {
        if (a.Shape != b.Shape) throw new ArgumentException($"{op}: shapes {a.Shape} and {b.Shape} differ");
    }
}
