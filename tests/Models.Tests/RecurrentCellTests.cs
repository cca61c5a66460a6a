using Sure.Models.Baselines;

namespace Sure.Models.Tests;

/// <summary>
/// The GRU and LSTM cells of the baselines (compositions of tested ops) against torch's GRUCell and LSTMCell
/// (tests/models/baselines_reference.py: outputs and the gradients of the inputs and every weight), and the inputs'
/// gradients against central differences in double and float against double.
/// </summary>
public class RecurrentCellTests
{
    static SafetensorsFile Fixture(string name) => SafetensorsFile.Read(Path.Combine(AppContext.BaseDirectory, "fixtures", "baselines", $"{name}.safetensors"));

    static ParameterSet<T> Weights<T>(SafetensorsFile file) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var set = new ParameterSet<T>();
        foreach (var name in file.Names.Where(n => n.StartsWith("cell.", StringComparison.Ordinal)))
        {
            var (values, shape) = file.GetDouble(name);
            var p = set.Add(name, shape);
            for (int j = 0; j < values.Length; j++) p.Value.Span[j] = T.CreateChecked(values[j]);
        }
        return set;
    }

    static Tensor<double> Read(SafetensorsFile file, string name)
    {
        var (values, shape) = file.GetDouble(name);
        return new Tensor<double>(values, 0, new Shape(shape));
    }

    [Theory]
    [InlineData("gru_cell")]
    [InlineData("lstm_cell")]
    public void Cell_matches_torch(string name)
    {
        var file = Fixture(name);
        bool lstm = name == "lstm_cell";
        var weights = Weights<double>(file);
        var tape = new Tape<double>();
        var x = tape.Variable(Read(file, "x"));
        var h = tape.Variable(Read(file, "h"));
        Var<double> next, objective;
        if (lstm)
        {
            var c = tape.Variable(Read(file, "c"));
            var (hn, cn) = new LstmCell<double>(weights, "cell").Step(tape, x, h, c);
            Fixtures.AssertClose(file.GetDouble("c_next").Values, cn.Value.Span, 1e-12, 1e-10, "c_next");
            next = hn;
            objective = tape.Sum(tape.Mul(hn, tape.Constant(Read(file, "dh")))) + tape.Sum(tape.Mul(cn, tape.Constant(Read(file, "dc"))));
            tape.Backward(objective);
            Fixtures.AssertClose(file.GetDouble("grad.c").Values, c.Grad.Span, 1e-12, 1e-10, "grad.c");
        }
        else
        {
            next = new GruCell<double>(weights, "cell").Step(tape, x, h);
            tape.Backward(tape.Sum(tape.Mul(next, tape.Constant(Read(file, "dh")))));
        }
        Fixtures.AssertClose(file.GetDouble("h_next").Values, next.Value.Span, 1e-12, 1e-10, "h_next");
        Fixtures.AssertClose(file.GetDouble("grad.x").Values, x.Grad.Span, 1e-12, 1e-10, "grad.x");
        Fixtures.AssertClose(file.GetDouble("grad.h").Values, h.Grad.Span, 1e-12, 1e-10, "grad.h");
        foreach (var p in weights)
            Fixtures.AssertClose(file.GetDouble($"grad.{p.Name}").Values, p.Grad.Span, 1e-12, 1e-10, $"grad.{p.Name}");
    }

    sealed class CellFunction(SafetensorsFile file, bool lstm) : ITapeFunction
    {
        public Var<T> Build<T>(Tape<T> tape, Var<T>[] inputs) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var weights = Weights<T>(file);
            if (!lstm) return new GruCell<T>(weights, "cell").Step(tape, inputs[0], inputs[1]);
            var (h, c) = new LstmCell<T>(weights, "cell").Step(tape, inputs[0], inputs[1], inputs[2]);
            return tape.Concat(h, c);
        }
    }

    [Theory]
    [InlineData("gru_cell")]
    [InlineData("lstm_cell")]
    public void Cell_input_gradients_match_central_differences_and_float_matches_double(string name)
    {
        var file = Fixture(name);
        bool lstm = name == "lstm_cell";
        Tensor<double>[] inputs = lstm ? [Read(file, "x"), Read(file, "h"), Read(file, "c")] : [Read(file, "x"), Read(file, "h")];
        var function = new CellFunction(file, lstm);
        var options = new GradCheckOptions { Names = lstm ? ["x", "h", "c"] : ["x", "h"] };
        GradCheck.Assert(function, inputs, options);
        GradCheck.AssertFloatVsDouble(function, inputs, options);
    }
}
