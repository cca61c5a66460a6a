namespace Sure.Models.Baselines;

/// <summary>
/// CCRNN (Ye et al., AAAI'21) as SPEC 11 adapts it: coupled layer-wise graph convolution inside a 2-layer graph GRU
/// over the L snapshots, and the per-task head on the last hidden state. Layer l's adjacency is learnt from task
/// embeddings, and the layers' embeddings are coupled:
/// <code>
///   A_l = softmax_rows(relu(E_l E_l^T))   [n, n],   E_0 = ccrnn.embedding [n, M],   E_1 = E_0 C_0 (C_0 = ccrnn.coupling.0 [M, M])
///   GC_l(Z) = [Z ; A_l Z] W + b                                     (the task's own signal and its learnt neighbourhood)
///   layer l at snapshot s:  Z = [x ; h]             x [n*B, in_l], h [n*B, H]  (in_0 = D, in_1 = H: layer 0's output)
///     r = sigmoid(GC_l^r(Z)),  u = sigmoid(GC_l^u(Z)),  c = tanh(GC_l^c([x ; r * h])),  h' = u * h + (1 - u) * c
///   m = h_1 at the last snapshot . head.weight + head.bias          [B*n]
/// </code>
/// Rows are task-major (i*B + t) inside the network, so A_l [n, n] multiplies all B decisions at once as an
/// [n, B*C] matrix. The embeddings tie a model to its job's n (CCRNN's own limitation): the file says "tasks".
/// Parameters: ccrnn.embedding [n, M], ccrnn.coupling.0 [M, M], ggru.{l}.{r,u,c}.weight [2(in_l + H), H] and .bias [H]
/// (l = 0, 1), then the head. M = <see cref="EmbeddingSize"/>.
/// </summary>
public sealed class Ccrnn<T> : BaselineNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public const string Name = "ccrnn";
    /// <summary>M, the task embeddings' width (CCRNN's node embeddings are of this order).</summary>
    public const int EmbeddingSize = 16;
    static readonly string[] Gates = ["r", "u", "c"];
    readonly Parameter<T> _embedding, _coupling;
    readonly Parameter<T>[,] _weights = new Parameter<T>[2, 3], _biases = new Parameter<T>[2, 3];

    public Ccrnn(SureConfig config, int tasks) : base(config, CheckTasks(tasks), Shapes(config, tasks))
    {
        _embedding = Parameters["ccrnn.embedding"];
        _coupling = Parameters["ccrnn.coupling.0"];
        for (int l = 0; l < 2; l++)
            for (int g = 0; g < 3; g++)
            {
                _weights[l, g] = Parameters[$"ggru.{l}.{Gates[g]}.weight"];
                _biases[l, g] = Parameters[$"ggru.{l}.{Gates[g]}.bias"];
            }
    }

    public override string Architecture => Name;
    public override IPolicyNetwork<T> Replica() => new Ccrnn<T>(Config, Tasks);

    static int CheckTasks(int tasks) => tasks >= 1 ? tasks : throw new ArgumentException($"CCRNN needs the job's task count, got {tasks}");

    internal static IEnumerable<(string, int[])> Shapes(SureConfig c, int tasks)
    {
        yield return ("ccrnn.embedding", [tasks, EmbeddingSize]);
        yield return ("ccrnn.coupling.0", [EmbeddingSize, EmbeddingSize]);
        for (int l = 0; l < 2; l++)
        {
            int input = l == 0 ? c.D : c.H;
            foreach (var g in Gates)
            {
                yield return ($"ggru.{l}.{g}.weight", [2 * (input + c.H), c.H]);
                yield return ($"ggru.{l}.{g}.bias", [c.H]);
            }
        }
    }

    sealed class State(T[] inputs, Tensor<T> zeros, int[] toDecisionMajor)
    {
        public readonly T[] Inputs = inputs;                   // [L, n*B, D] task-major per snapshot, refilled every forward
        public readonly Tensor<T> Zeros = zeros;               // [n*B, H]
        public readonly int[] ToDecisionMajor = toDecisionMajor;
    }

    public override Var<T> ActionMeans(Tape<T> tape, BaselineBatch<T> batch)
    {
        int n = batch.Tasks, B = batch.Decisions, L = batch.L, D = batch.D, H = Config.H;
        if (n != Tasks) throw new ArgumentException($"this CCRNN model was built for {Tasks} tasks, the job has {n}");
        var state = batch.State(b => new State(new T[b.L * b.Tasks * b.Decisions * b.D], Tensor<T>.Zeros(b.Tasks * b.Decisions, H),
            GraphStructures.TaskMajorToDecisionMajor(b.Tasks, b.Decisions)));
        var snapshots = batch.Snapshots.Span;
        var inputs = state.Inputs.AsSpan();
        for (int t = 0; t < B; t++)
            for (int l = 0; l < L; l++)
                for (int i = 0; i < n; i++)
                    snapshots.Slice(((t * L + l) * n + i) * D, D).CopyTo(inputs.Slice((l * n * B + i * B + t) * D, D));

        // Coupled adjacencies.
        var e0 = tape.Param(_embedding);
        var e1 = tape.MatMul(e0, tape.Param(_coupling));
        Var<T>[] adjacency = [Adjacency(tape, e0), Adjacency(tape, e1)];

        var h0 = tape.Constant(state.Zeros);
        var h1 = h0;
        for (int s = 0; s < L; s++)
        {
            var x = tape.Constant(new Tensor<T>(state.Inputs, s * n * B * D, new Shape(n * B, D)));
            h0 = Step(tape, 0, adjacency[0], x, h0, n, B);
            h1 = Step(tape, 1, adjacency[1], h0, h1, n, B);
        }
        return Head(tape, tape.GatherRows(h1, state.ToDecisionMajor));
    }

    // softmax_rows(relu(E E^T)): [n, n]
    static Var<T> Adjacency(Tape<T> tape, Var<T> e) => tape.SoftmaxRows(tape.Relu(tape.MatMul(e, e, transB: true)));

    Var<T> Step(Tape<T> tape, int layer, Var<T> adjacency, Var<T> x, Var<T> h, int n, int B)
    {
        var z = Convolve(tape, adjacency, tape.Concat(x, h), n, B);
        var r = tape.Sigmoid(Linear(tape, z, _weights[layer, 0], _biases[layer, 0]));
        var u = tape.Sigmoid(Linear(tape, z, _weights[layer, 1], _biases[layer, 1]));
        var c = tape.Tanh(Linear(tape, Convolve(tape, adjacency, tape.Concat(x, r * h), n, B), _weights[layer, 2], _biases[layer, 2]));
        return c + u * (h - c);
    }

    // [Z ; A Z] for task-major Z [n*B, C]: A [n, n] times Z seen as [n, B*C].
    static Var<T> Convolve(Tape<T> tape, Var<T> adjacency, Var<T> z, int n, int B)
    {
        int C = z.Shape[1];
        var mixed = tape.Reshape(tape.MatMul(adjacency, tape.Reshape(z, n, B * C)), n * B, C);
        return tape.Concat(z, mixed);
    }
}
