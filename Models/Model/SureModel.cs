using System.Globalization;

namespace Sure.Models;

/// <summary>
/// The SURE policy of SPEC 4: NVSS sampler, subgraph GraphSAGE, Gaussian action head, plus the MI discriminator's
/// weight (used by the losses of SPEC 5). Parameters carry the SPEC's names and shapes in this order:
/// nvss.mu.weight [D], nvss.mu.bias [1], nvss.sigma.weight [D], nvss.sigma.bias [1],
/// sage.{e}.weight [2*H_in, H], sage.{e}.bias [H] (e = 0..E-1, H_in = D for e = 0 else H),
/// head.weight [H], head.bias [1], head.log_std [1], disc.weight [H, H].
/// </summary>
public sealed class SureModel<T> : IPolicyNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    const double SigmaFloor = DecisionMath.SigmaFloor, WeightFloor = DecisionMath.WeightFloor;
    // Padding slots get this added before the neighbour softmax so their probability is exactly 0.
    const double PaddingLogit = DecisionMath.PaddingLogit;

    SureModel(SureConfig config)
    {
        config.Validate();
        Config = config;
        foreach (var (name, shape) in ParameterShapes(config)) Parameters.Add(name, shape);
        MuWeight = Parameters["nvss.mu.weight"];
        MuBias = Parameters["nvss.mu.bias"];
        SigmaWeight = Parameters["nvss.sigma.weight"];
        SigmaBias = Parameters["nvss.sigma.bias"];
        SageWeights = Enumerable.Range(0, config.E).Select(e => Parameters[$"sage.{e}.weight"]).ToArray();
        SageBiases = Enumerable.Range(0, config.E).Select(e => Parameters[$"sage.{e}.bias"]).ToArray();
        HeadWeight = Parameters["head.weight"];
        HeadBias = Parameters["head.bias"];
        HeadLogStd = Parameters["head.log_std"];
        DiscWeight = Parameters["disc.weight"];
    }

    public SureConfig Config { get; }
    public string Architecture => PolicyArchitecture.Sure;
    public ParameterSet<T> Parameters { get; } = new();
    /// <summary>Free-form string entries saved next to "config" (job, seed, iteration ...).</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    public Parameter<T> MuWeight { get; }
    public Parameter<T> MuBias { get; }
    public Parameter<T> SigmaWeight { get; }
    public Parameter<T> SigmaBias { get; }
    public IReadOnlyList<Parameter<T>> SageWeights { get; }
    public IReadOnlyList<Parameter<T>> SageBiases { get; }
    public Parameter<T> HeadWeight { get; }
    public Parameter<T> HeadBias { get; }
    public Parameter<T> HeadLogStd { get; }
    public Parameter<T> DiscWeight { get; }

    /// <summary>The parameters as <see cref="SureDecider"/> reads them (live: later updates are seen). Float models only.</summary>
    public IDecisionWeights DecisionWeights => this is SureModel<float> single
        ? new ModelDecisionWeights(single)
        : throw new NotSupportedException("the decider runs float models; this one is " + typeof(T).Name);

    /// <summary>Names and shapes of SPEC 4, in registration order.</summary>
    public static IEnumerable<(string Name, int[] Shape)> ParameterShapes(SureConfig c) => c.ParameterShapes();

    /// <summary>
    /// Seeded initialisation: every weight Glorot-uniform, U(-a, a) with a = sqrt(6 / (fan_in + fan_out)) (a vector
    /// weight [n] counts as [n, 1]), drawn from Philox(seed, stream = the parameter's registration index,
    /// index = element index) in double and rounded to T, so float and double models start from the same weights;
    /// biases 0; head.log_std = config.LogStdInit.
    /// </summary>
    public static SureModel<T> Create(SureConfig config, ulong seed)
    {
        var model = new SureModel<T>(config);
        model.Metadata["seed"] = seed.ToString(CultureInfo.InvariantCulture);
        for (int p = 0; p < model.Parameters.Count; p++)
        {
            var parameter = model.Parameters[p];
            var values = parameter.Value.Span;
            if (parameter == model.HeadLogStd) values.Fill(T.CreateChecked(config.LogStdInit));
            else if (!parameter.Name.EndsWith(".bias", StringComparison.Ordinal))
            {
                var shape = parameter.Shape;
                int fanIn = shape[0], fanOut = shape.Rank == 1 ? 1 : shape[1];
                double bound = Math.Sqrt(6.0 / (fanIn + fanOut));
                for (int j = 0; j < values.Length; j++)
                {
                    double u = Philox.Uniform<double>(seed, (ulong)p, (ulong)j);
                    values[j] = T.CreateChecked(bound * (2 * u - 1));
                }
            }
        }
        return model;
    }

    /// <summary>The same shapes, zero weights (the trainer copies the weights in before every use).</summary>
    public IPolicyNetwork<T> Replica() => new SureModel<T>(Config);

    public SafetensorsFile ToSafetensors()
    {
        var file = new SafetensorsFile();
        foreach (var (key, value) in Metadata) file.Metadata[key] = value;
        file.Metadata["config"] = Config.ToJson();
        file.Metadata[PolicyArchitecture.Key] = Architecture;
        foreach (var parameter in Parameters)
        {
            int[] shape = Dims(parameter.Shape);
            if (typeof(T) == typeof(float)) file.Add(parameter.Name, ((Tensor<float>)(object)parameter.Value).ToArray(), shape);
            else file.Add(parameter.Name, ((Tensor<double>)(object)parameter.Value).ToArray(), shape);
        }
        return file;
    }

    public void Save(string path) => ToSafetensors().Write(path);

    public static SureModel<T> Load(string path) => FromSafetensors(SafetensorsFile.Read(path));

    /// <summary>
    /// The configuration (SPEC 8): D, H and E come from the tensors' shapes (nvss.mu.weight [D], head.weight [H], the
    /// sage.{e}.weight present); everything else from the "config" metadata entry, which is optional and may be
    /// partial (a missing key keeps its default). A config that states D, H or E against the shapes is one clear
    /// error. Every parameter must then be present with its exact shape and no other tensor may be, else
    /// SureFileException names the parameter. F32 and F64 are both accepted.
    /// </summary>
    public static SureModel<T> FromSafetensors(SafetensorsFile file)
    {
        // A file without the key is SURE's (written before the baselines, or by another implementation).
        if (file.Metadata.TryGetValue(PolicyArchitecture.Key, out var architecture) && architecture != PolicyArchitecture.Sure)
            throw new SureFileException($"{file.SourceName}: the file holds a {architecture} model, not a SURE model");
        var config = SureConfig.Of(file);
        config.CheckShapes(file);
        var model = new SureModel<T>(config);
        foreach (var parameter in model.Parameters)
        {
            if (typeof(T) == typeof(float)) file.GetFloat(parameter.Name).Values.CopyTo(((Tensor<float>)(object)parameter.Value).Span);
            else file.GetDouble(parameter.Name).Values.CopyTo(((Tensor<double>)(object)parameter.Value).Span);
            // No NaN reaches a decision: one non-finite weight makes every action NaN.
            int bad = FirstNonFinite(parameter.Value.Span);
            if (bad >= 0)
                throw new SureFileException($"{file.SourceName}: parameter {parameter.Name} holds a non-finite value ({parameter.Value.Span[bad]}) at index {bad}");
        }
        foreach (var (key, value) in file.Metadata)
            if (key != "config" && key != PolicyArchitecture.Key) model.Metadata[key] = value;
        return model;
    }

    /// <summary>Index of the first NaN or infinity, or -1.</summary>
    internal static int FirstNonFinite(ReadOnlySpan<T> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!T.IsFinite(values[i])) return i;
        return -1;
    }

    static int[] Dims(Shape shape)
    {
        var dims = new int[shape.Rank];
        for (int a = 0; a < dims.Length; a++) dims[a] = shape[a];
        return dims;
    }

    /// <summary>
    /// SPEC 4.1-4.4 for a batch of tasks on the tape. k1 and k2 may differ from the config's (SPEC 8 takes them
    /// from the input). The sampler holds the chosen subgraphs and the gather indices (its buffers are reused by its next call); keep it
    /// unchanged until Backward.
    /// </summary>
    public SureOutput<T> Forward(Tape<T> tape, SureInput<T> input, int k1, int k2, SubgraphSampler sampler) =>
        Forward(tape, input, k1, k2, sampler, frozenProbability: default);

    /// <summary>
    /// As above; <paramref name="uniformSampler"/> = true is the "w/o NVSS" ablation of SPEC 5: Omega = y, so the
    /// subgraph is a uniform draw and the nvss.* weights take no part in it (Mu and Sigma are still reported).
    /// </summary>
    public SureOutput<T> Forward(Tape<T> tape, SureInput<T> input, int k1, int k2, SubgraphSampler sampler, bool uniformSampler) =>
        Forward(tape, input, k1, k2, sampler, frozenProbability: default, uniformSampler);

    // frozenProbability: [nodes, 1] stands in for stopgrad(q) when not null, so that a finite-difference check can
    // hold the gates' subtracted part at the unperturbed point and see the straight-through gradient in the values.
    internal SureOutput<T> Forward(Tape<T> tape, SureInput<T> input, int k1, int k2, SubgraphSampler sampler, Tensor<T> frozenProbability,
        bool uniformSampler = false) =>
        SureOutput<T>.From(Forward<Var<T>>(tape, input, k1, k2, sampler, frozenProbability, uniformSampler));

    /// <summary>
    /// The same forward on any tape (the CPU's, or Autodiff.Device's DeviceTape with T = float): the one definition of
    /// SPEC 4.1-4.4 in training. On a device the sampler reads theta and the neighbour weights back to the host.
    /// </summary>
    public SureOutputOn<TVar> Forward<TVar>(IDiffTape<TVar, T> tape, SureInput<T> input, int k1, int k2, SubgraphSampler sampler,
        Tensor<T> frozenProbability = default, bool uniformSampler = false) where TVar : struct
    {
        if (input.D != Config.D) throw new ArgumentException($"S has D = {input.D} features, the model {Config.D}");
        int n = input.Tasks, L = input.L, K = input.K, slots = 1 + K, rows = n * L * slots;

        // 4.1: one projection per (task, snapshot, slot) row of S.
        var s = tape.Constant(input.S.Reshape(rows, Config.D));
        var mu = tape.Sigmoid(tape.AddBias(tape.MatMul(s, Column(tape, MuWeight)), tape.Param(MuBias)));
        var sigma = tape.AddScalar(tape.Softplus(tape.AddBias(tape.MatMul(s, Column(tape, SigmaWeight)), tape.Param(SigmaBias))), T.CreateChecked(SigmaFloor));
        var z = tape.Add(mu, tape.Mul(sigma, tape.Constant(input.X.Reshape(rows, 1))));
        var omega = uniformSampler
            ? tape.Constant(input.Y.Reshape(rows, 1))
            : tape.Add(tape.Log(tape.AddScalar(tape.Softplus(z), T.CreateChecked(WeightFloor))), tape.Constant(input.Y.Reshape(rows, 1)));

        // 4.2: choice probabilities p_t over L and p_n over the valid slots, laid out like omega as [N*L, 1+K].
        var (thetaRows, neighbourRows) = sampler.SlotRows(n * L, slots);
        var theta = tape.Reshape(tape.GatherRows(omega, thetaRows), n, L);
        var pTime = tape.Reshape(tape.SoftmaxRows(theta), n * L, 1);
        TVar probability;
        TVar neighbourOmega = default;
        if (K > 0)
        {
            neighbourOmega = tape.Reshape(tape.GatherRows(omega, neighbourRows), n * L, K);
            var pNeighbour = tape.SoftmaxRows(tape.Add(neighbourOmega, tape.Constant(PaddingMask(tape, input))));
            probability = tape.Reshape(tape.Concat(pTime, pNeighbour), rows, 1);
        }
        else probability = pTime;

        sampler.Sample<T>(tape.Read(theta), K > 0 ? tape.Read(neighbourOmega) : [], L, input.Neighbours, k1, k2);

        // Straight-through gate g = 1 + q - stopgrad(q): value 1, gradient of q.
        var q = tape.GatherRows(probability, sampler.NodeRows);
        var heldQ = frozenProbability.IsNull ? tape.StopGradient(q) : tape.Constant(frozenProbability);
        var gate = tape.AddScalar(tape.Sub(q, heldQ), T.One);
        var h = tape.ScaleRows(tape.GatherRows(s, sampler.NodeRows), gate);

        // 4.3: E GraphSAGE layers over the block-diagonal graph of all tasks, one matmul each.
        for (int e = 0; e < Config.E; e++)
        {
            var neighbourMean = tape.CsrMean(h, sampler.Graph);
            h = tape.Relu(tape.AddBias(tape.MatMul(tape.Concat(h, neighbourMean), tape.Param(SageWeights[e])), tape.Param(SageBiases[e])));
        }
        var hg = tape.SegmentMean(h, sampler.TaskStarts);

        // 4.4
        var actionMean = tape.Reshape(tape.AddBias(tape.MatMul(hg, Column(tape, HeadWeight)), tape.Param(HeadBias)), n);

        return new SureOutputOn<TVar>(tape.Reshape(mu, n, L, slots), tape.Reshape(sigma, n, L, slots), tape.Reshape(omega, n, L, slots),
            q, hg, actionMean, sampler);
    }

    // A vector parameter [n] as the column [n, 1] that MatMul needs.
    static TVar Column<TVar>(IDiffTape<TVar, T> tape, Parameter<T> parameter) where TVar : struct =>
        tape.Reshape(tape.Param(parameter), parameter.Value.Length, 1);

    // [N*L, K]: 0 on valid slots, PaddingLogit on padding.
    static Tensor<T> PaddingMask<TVar>(IDiffTape<TVar, T> tape, SureInput<T> input) where TVar : struct
    {
        int n = input.Tasks, L = input.L, K = input.K;
        var mask = tape.NewTensor(n * L, K);
        for (int i = 0; i < n; i++)
        {
            int valid = input.Neighbours.Valid[i];
            for (int l = 0; l < L; l++)
            {
                var row = mask.Span.Slice((i * L + l) * K, K);
                row[..valid].Clear();
                row[valid..].Fill(T.CreateChecked(PaddingLogit));
            }
        }
        return mask;
    }
}
