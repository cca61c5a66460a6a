namespace Sure.Autodiff;

/// <summary>Accumulates the gradients of a node's inputs from the node's own gradient.</summary>
internal delegate void BackwardFn<T>(Tape<T> tape, in Node<T> node) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// One recorded value. A plain struct in a reused array, so recording allocates nothing; the fields
/// after Backward are a small fixed menu that every op picks from instead of capturing a closure.
/// </summary>
internal struct Node<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public Tensor<T> Value;
    public Tensor<T> Grad;          // IsNull when no gradient flows through this node
    public BackwardFn<T>? Backward; // null for leaves, views and anything recorded in inference mode
    public int A, B, C;             // input node ids, -1 when unused
    public int Flags;               // small integer attribute (e.g. transpose bits)
    public T Attr0, Attr1;          // scalar attributes (e.g. clamp bounds)
    public ReadOnlyMemory<int> Index; // row indices or segment starts
    public Csr? Graph;
    public ICustomOp<T>? Custom;      // a user's op (Tape.Custom); its inputs are A, B, C up to Flags
}
