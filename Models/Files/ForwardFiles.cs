using Sure.Tensors.Devices;

namespace Sure.Models;

/// <summary>
/// `sure forward` (SPEC 8) as a library function: weights + input file in, output file out. The command line
/// is a thin wrapper around <see cref="Execute"/>, and the tests call the same code.
/// </summary>
public static class ForwardFiles
{
    public const double OmegaPadding = DecisionMath.PaddingLogit;

    /// <summary>Runs the forward and writes the output file; returns the exit code (0, or 2 with one line on error).</summary>
    /// <param name="device">cpu: the tape (exact path, gradients, double); any other backend (opencl, cuda, ilgpu-*): <see cref="DeviceForward"/>,
    /// float values only.</param>
    public static int Execute(string modelPath, string inputPath, string outputPath, bool grad, bool useDouble, TextWriter error,
        string device = "cpu")
    {
        try
        {
            Write(modelPath, inputPath, outputPath, grad, useDouble, device);
            return 0;
        }
        catch (Exception e) when (e is SafetensorsFormatException or SureFileException)
        {
            error.WriteLine($"sure forward: {e.Message}");
            return 2;
        }
    }

    /// <summary>As <see cref="Execute"/>, throwing <see cref="SafetensorsFormatException"/> or <see cref="SureFileException"/>
    /// for bad input or an output that cannot be written. The output is written atomically and may not be an input.</summary>
    public static void Write(string modelPath, string inputPath, string outputPath, bool grad, bool useDouble, string device = "cpu")
    {
        string target = AtomicFile.ResolveTarget(outputPath);
        foreach (var (what, path) in new[] { ("--model", modelPath), ("--input", inputPath) })
            if (AtomicFile.ResolveTarget(path) == target)
                throw new SureFileException($"{outputPath}: the output is the {what} file; writing it would destroy the input");
        IComputeBackend? backend = null;
        try
        {
            if (!string.Equals(device.Trim(), "cpu", StringComparison.OrdinalIgnoreCase))
            {
                // The device computes values only; gradients come from the tape, which runs on the CPU.
                if (grad) throw new SureFileException($"--grad needs --device cpu: gradients come from the CPU tape, --device {device} computes values only");
                if (useDouble) throw new SureFileException($"--double needs --device cpu: --device {device} computes in float");
                if (!Backends.TryCreate(device, out backend, out var reason)) throw new SureFileException($"device {device} is unavailable: {reason}");
            }
            var model = SafetensorsFile.Read(modelPath);
            var input = SafetensorsFile.Read(inputPath);
            var output = backend is null ? Run(model, input, grad, useDouble) : DeviceForward.Run(backend, model, input);
            try { output.Write(outputPath); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new SureFileException($"{outputPath}: cannot be written: {e.Message}");
            }
        }
        finally
        {
            backend?.Dispose();
        }
    }

    /// <summary>
    /// Output tensors of SPEC 8 (F32, or F64 when useDouble, which also runs the maths in double; indices I32):
    /// mu, sigma, omega [N, L, 1+K] (padding slots of omega = -1e30), anchors [N, k1], neighbors [N, k1, k2],
    /// h_g [N, H], action_mean [N]; with grad, grad.&lt;param&gt; = d sum(action_mean) / d param.
    /// Throws SafetensorsFormatException for missing tensors or dtypes, SureFileException for wrong shapes or values.
    /// </summary>
    public static SafetensorsFile Run(SafetensorsFile modelFile, SafetensorsFile inputFile, bool grad, bool useDouble) =>
        useDouble ? Run<double>(modelFile, inputFile, grad) : Run<float>(modelFile, inputFile, grad);

    static SafetensorsFile Run<T>(SafetensorsFile modelFile, SafetensorsFile inputFile, bool grad) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var model = SureModel<T>.FromSafetensors(modelFile);
        var (input, k1, k2) = ReadInput<T>(inputFile, model.Config);

        var tape = new Tape<T>(inference: !grad);
        var sampler = new SubgraphSampler();
        var result = model.Forward(tape, input, k1, k2, sampler);
        if (grad)
        {
            model.Parameters.ZeroGrad();
            tape.Backward(tape.Sum(result.ActionMean));
        }

        var file = Outputs(input.Tasks, input.L, input.Neighbours, k1, k2, model.Config.H, result.Mu.Value.ToArray(),
            result.Sigma.Value.ToArray(), result.Omega.Value.ToArray(), sampler.Anchors.ToArray(), sampler.Neighbours.ToArray(),
            result.Hg.Value.ToArray(), result.ActionMean.Value.ToArray());
        if (grad)
            foreach (var parameter in model.Parameters)
            {
                var dims = new int[parameter.Shape.Rank];
                for (int a = 0; a < dims.Length; a++) dims[a] = parameter.Shape[a];
                Add(file, "grad." + parameter.Name, parameter.Grad.ToArray(), dims);
            }
        return file;
    }

    /// <summary>The value tensors of SPEC 8's output; omega's padding slots are overwritten with -1e30.</summary>
    // mu, sigma, omega: [n, L, 1+K]  anchors: [n, k1]  neighbours: [n, k1, k2]  hg: [n, H]  actionMean: [n]
    internal static SafetensorsFile Outputs<T>(int n, int L, NeighbourTable table, int k1, int k2, int H, T[] mu, T[] sigma, T[] omega,
        int[] anchors, int[] neighbours, T[] hg, T[] actionMean) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int slots = 1 + table.K;
        for (int i = 0; i < n; i++)
            for (int l = 0; l < L; l++)
                for (int s = 1 + table.Valid[i]; s < slots; s++)
                    omega[(i * L + l) * slots + s] = T.CreateChecked(OmegaPadding);

        var file = new SafetensorsFile();
        Add(file, "mu", mu, n, L, slots);
        Add(file, "sigma", sigma, n, L, slots);
        Add(file, "omega", omega, n, L, slots);
        file.Add("anchors", anchors, n, k1);
        file.Add("neighbors", neighbours, n, k1, k2);
        Add(file, "h_g", hg, n, H);
        Add(file, "action_mean", actionMean, n);
        return file;
    }

    /// <summary>Reads SPEC 8's input tensors into a batch; k1, k2 come from the file.</summary>
    public static (SureInput<T> Input, int K1, int K2) ReadInput<T>(SafetensorsFile file, SureConfig config) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = ReadFloats<T>(file, "S");
        var nbr = file.GetInt32("nbr");
        var edges = file.GetInt32("edges");
        var x = ReadFloats<T>(file, "x");
        var y = ReadFloats<T>(file, "y");
        int k1 = Scalar(file, "k1"), k2 = Scalar(file, "k2");

        string source = file.SourceName;
        if (s.Shape.Length != 4) throw new SureFileException($"{source}: S has shape {Format(s.Shape)}, expected [N, L, 1+K, D]");
        int n = s.Shape[0], L = s.Shape[1], slots = s.Shape[2], d = s.Shape[3];
        if (n < 1 || L < 1 || slots < 1) throw new SureFileException($"{source}: S has shape {Format(s.Shape)}; N, L and 1+K must be at least 1");
        if (d != config.D) throw new SureFileException($"{source}: S has D = {d} features, the model expects {config.D}");
        Expect(source, "nbr", nbr.Shape, [n, slots - 1]);
        if (edges.Shape.Length != 2 || edges.Shape[1] != 2) throw new SureFileException($"{source}: edges has shape {Format(edges.Shape)}, expected [M, 2]");
        Expect(source, "x", x.Shape, [n, L, slots]);
        Expect(source, "y", y.Shape, [n, L, slots]);
        if (k1 < 1) throw new SureFileException($"{source}: k1 = {k1} must be at least 1");
        if (k2 < 0) throw new SureFileException($"{source}: k2 = {k2} must not be negative");
        if (k1 > SureConfig.MaxK1 || k2 > SureConfig.MaxK2)
            throw new SureFileException($"{source}: k1 = {k1}, k2 = {k2}: the limits are k1 <= {SureConfig.MaxK1}, k2 <= {SureConfig.MaxK2}");
        // The sampler sizes its buffers by the largest subgraphs these allow.
        long subgraphEdges = SubgraphSampler.EdgeBound(n, k1, k2);
        if (subgraphEdges > SubgraphSampler.MaxEdges)
            throw new SureFileException($"{source}: k1 = {k1}, k2 = {k2} for N = {n} tasks allow {subgraphEdges} subgraph edges, above the limit {SubgraphSampler.MaxEdges}");
        foreach (var (name, values) in new[] { ("S", s.Values), ("x", x.Values), ("y", y.Values) })
            if (SureModel<T>.FirstNonFinite(values) is int bad and >= 0)
                throw new SureFileException($"{source}: tensor {name} holds a non-finite value ({values[bad]}) at index {bad}");

        NeighbourTable table;
        try { table = new NeighbourTable(n, slots - 1, nbr.Values, edges.Values); }
        catch (ArgumentException e) { throw new SureFileException($"{source}: {e.Message}"); }
        var input = new SureInput<T>(Tensor<T>.FromArray(s.Values, n, L, slots, d), Tensor<T>.FromArray(x.Values, n, L, slots),
            Tensor<T>.FromArray(y.Values, n, L, slots), table);
        return (input, k1, k2);
    }

    static SafetensorsArray<T> ReadFloats<T>(SafetensorsFile file, string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) return (SafetensorsArray<T>)(object)file.GetFloat(name);
        return (SafetensorsArray<T>)(object)file.GetDouble(name);
    }

    static int Scalar(SafetensorsFile file, string name)
    {
        var value = file.GetInt32(name);
        if (value.Values.Length != 1) throw new SureFileException($"{file.SourceName}: {name} has shape {Format(value.Shape)}, expected [1]");
        return value.Values[0];
    }

    static void Expect(string source, string name, int[] found, int[] expected)
    {
        if (!found.AsSpan().SequenceEqual(expected))
            throw new SureFileException($"{source}: {name} has shape {Format(found)}, expected {Format(expected)}");
    }

    static string Format(int[] shape) => $"[{string.Join(", ", shape)}]";

    static void Add<T>(SafetensorsFile file, string name, T[] values, params int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) file.Add(name, (float[])(object)values, shape);
        else file.Add(name, (double[])(object)values, shape);
    }
}
