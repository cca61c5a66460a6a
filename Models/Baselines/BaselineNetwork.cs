using System.Globalization;

namespace Sure.Models.Baselines;

/// <summary>
/// What the five baselines share: their parameters (each model's own, then head.weight [H], head.bias [1],
/// head.log_std [1], the same Gaussian head as SURE's), seeded initialisation, the safetensors file (metadata
/// "architecture", "config" and, for a job-bound model, "tasks") and the head itself.
/// </summary>
public abstract class BaselineNetwork<T> : IBaselineNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Metadata key of a job-bound model's task count (CCRNN).</summary>
    public const string TasksKey = "tasks";

    protected BaselineNetwork(SureConfig config, int tasks, IEnumerable<(string Name, int[] Shape)> bodyShapes)
    {
        config.Validate();
        Config = config;
        Tasks = tasks;
        foreach (var (name, shape) in bodyShapes) Parameters.Add(name, shape);
        HeadWeight = Parameters.Add("head.weight", config.H);
        HeadBias = Parameters.Add("head.bias", 1);
        HeadLogStd = Parameters.Add("head.log_std", 1);
    }

    public abstract string Architecture { get; }
    public SureConfig Config { get; }
    public int Tasks { get; }
    public ParameterSet<T> Parameters { get; } = new();
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);
    public Parameter<T> HeadWeight { get; }
    public Parameter<T> HeadBias { get; }
    public Parameter<T> HeadLogStd { get; }

    public abstract Var<T> ActionMeans(Tape<T> tape, BaselineBatch<T> batch);
    public abstract IPolicyNetwork<T> Replica();

    /// <summary>
    /// SURE's initialisation (SureModel.Create): every weight Glorot-uniform from Philox(seed, stream = registration
    /// index, index = element), a vector counting as [n, 1] and a [k, a, b] tensor as fan_in a*k... (first axis in,
    /// last out); biases 0; head.log_std = log_std_init; then head.weight times <paramref name="headScale"/> (the trainer's
    /// small last layer, SureTrainer.HeadInitScale).
    /// </summary>
    public void Initialise(ulong seed, double headScale)
    {
        Metadata["seed"] = seed.ToString(CultureInfo.InvariantCulture);
        for (int p = 0; p < Parameters.Count; p++)
        {
            var parameter = Parameters[p];
            var values = parameter.Value.Span;
            if (parameter == HeadLogStd) { values.Fill(T.CreateChecked(Config.LogStdInit)); continue; }
            if (parameter.Name.EndsWith(".bias", StringComparison.Ordinal)) { values.Clear(); continue; }
            var shape = parameter.Shape;
            int fanOut = shape.Rank == 1 ? 1 : shape[shape.Rank - 1], fanIn = shape.Length / fanOut;
            double bound = Math.Sqrt(6.0 / (fanIn + fanOut));
            for (int j = 0; j < values.Length; j++)
                values[j] = T.CreateChecked(bound * (2 * Philox.Uniform<double>(seed, (ulong)p, (ulong)j) - 1));
        }
        foreach (ref T w in HeadWeight.Value.Span) w *= T.CreateChecked(headScale);
    }

    public SafetensorsFile ToSafetensors()
    {
        var file = new SafetensorsFile();
        foreach (var (key, value) in Metadata) file.Metadata[key] = value;
        file.Metadata["config"] = Config.ToJson();
        file.Metadata[PolicyArchitecture.Key] = Architecture;
        if (Tasks > 0) file.Metadata[TasksKey] = Tasks.ToString(CultureInfo.InvariantCulture);
        foreach (var parameter in Parameters)
        {
            var shape = new int[parameter.Shape.Rank];
            for (int a = 0; a < shape.Length; a++) shape[a] = parameter.Shape[a];
            if (typeof(T) == typeof(float)) file.Add(parameter.Name, ((Tensor<float>)(object)parameter.Value).ToArray(), shape);
            else file.Add(parameter.Name, ((Tensor<double>)(object)parameter.Value).ToArray(), shape);
        }
        return file;
    }

    public void Save(string path) => ToSafetensors().Write(path);

    /// <summary>Copies the file's tensors in: every parameter present with its exact shape, no other tensor, no NaN or
    /// infinity; else SureFileException naming the tensor. Metadata other than config, architecture and tasks is kept.</summary>
    internal void LoadFrom(SafetensorsFile file)
    {
        foreach (var parameter in Parameters)
        {
            var expected = new int[parameter.Shape.Rank];
            for (int a = 0; a < expected.Length; a++) expected[a] = parameter.Shape[a];
            if (!file.Contains(parameter.Name))
                throw new SureFileException($"{file.SourceName}: parameter {parameter.Name} of the {Architecture} model is missing (expected shape [{string.Join(", ", expected)}])");
            var found = file[parameter.Name].Shape;
            if (!found.AsSpan().SequenceEqual(expected))
                throw new SureFileException($"{file.SourceName}: parameter {parameter.Name} has shape [{string.Join(", ", found)}], expected [{string.Join(", ", expected)}] for the {Architecture} model with config {Config.ToJson()}");
        }
        foreach (var name in file.Names)
            if (!Parameters.TryGet(name, out _))
                throw new SureFileException($"{file.SourceName}: tensor {name} is not a parameter of the {Architecture} model");
        foreach (var parameter in Parameters)
        {
            if (typeof(T) == typeof(float)) file.GetFloat(parameter.Name).Values.CopyTo(((Tensor<float>)(object)parameter.Value).Span);
            else file.GetDouble(parameter.Name).Values.CopyTo(((Tensor<double>)(object)parameter.Value).Span);
            var values = parameter.Value.Span;
            for (int i = 0; i < values.Length; i++)
                if (!T.IsFinite(values[i]))
                    throw new SureFileException($"{file.SourceName}: parameter {parameter.Name} holds a non-finite value ({values[i]}) at index {i}");
        }
        foreach (var (key, value) in file.Metadata)
            if (key is not ("config" or PolicyArchitecture.Key or TasksKey)) Metadata[key] = value;
    }

    /// <summary>SPEC 4.4's head on per-row embeddings: h [rows, H] -> m = h . head.weight + head.bias, [rows].</summary>
    protected Var<T> Head(Tape<T> tape, Var<T> h) =>
        tape.Reshape(tape.AddBias(tape.MatMul(h, Column(tape, HeadWeight)), tape.Param(HeadBias)), h.Shape[0]);

    /// <summary>x [rows, in] -> x W + b with W [in, out], b [out].</summary>
    protected static Var<T> Linear(Tape<T> tape, Var<T> x, Parameter<T> weight, Parameter<T> bias) =>
        tape.AddBias(tape.MatMul(x, tape.Param(weight)), tape.Param(bias));

    static Var<T> Column(Tape<T> tape, Parameter<T> parameter) => tape.Reshape(tape.Param(parameter), parameter.Value.Length, 1);
}
