namespace Sure.Models.Baselines;

/// <summary>
/// A GRU cell on the tape (PyTorch's GRUCell, one weight matrix per gate so no column slicing is needed):
/// <code>
///   r  = sigmoid(x W_ir + b_ir + h W_hr + b_hr)
///   z  = sigmoid(x W_iz + b_iz + h W_hz + b_hz)
///   c  = tanh(x W_in + b_in + r * (h W_hn + b_hn))
///   h' = (1 - z) * c + z * h                           x [rows, in], h [rows, H]
/// </code>
/// Parameters {prefix}.{weight,bias}_{ih,hh}.{r,z,n}: weight_ih [in, H], weight_hh [H, H], biases [H]
/// (PyTorch's weight_ih [3H, in] is the three transposed blocks r, z, n).
/// </summary>
public sealed class GruCell<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    static readonly string[] Gates = ["r", "z", "n"];
    readonly Parameter<T>[] _wi = new Parameter<T>[3], _wh = new Parameter<T>[3], _bi = new Parameter<T>[3], _bh = new Parameter<T>[3];

    public GruCell(ParameterSet<T> parameters, string prefix)
    {
        for (int g = 0; g < 3; g++)
        {
            _wi[g] = parameters[$"{prefix}.weight_ih.{Gates[g]}"];
            _wh[g] = parameters[$"{prefix}.weight_hh.{Gates[g]}"];
            _bi[g] = parameters[$"{prefix}.bias_ih.{Gates[g]}"];
            _bh[g] = parameters[$"{prefix}.bias_hh.{Gates[g]}"];
        }
    }

    public static IEnumerable<(string, int[])> Shapes(string prefix, int input, int hidden)
    {
        foreach (var g in Gates) yield return ($"{prefix}.weight_ih.{g}", [input, hidden]);
        foreach (var g in Gates) yield return ($"{prefix}.weight_hh.{g}", [hidden, hidden]);
        foreach (var g in Gates) yield return ($"{prefix}.bias_ih.{g}", [hidden]);
        foreach (var g in Gates) yield return ($"{prefix}.bias_hh.{g}", [hidden]);
    }

    public Var<T> Step(Tape<T> tape, Var<T> x, Var<T> h)
    {
        Var<T> Input(int g) => tape.AddBias(tape.MatMul(x, tape.Param(_wi[g])), tape.Param(_bi[g]));
        Var<T> Hidden(int g) => tape.AddBias(tape.MatMul(h, tape.Param(_wh[g])), tape.Param(_bh[g]));
        var r = tape.Sigmoid(Input(0) + Hidden(0));
        var z = tape.Sigmoid(Input(1) + Hidden(1));
        var c = tape.Tanh(Input(2) + r * Hidden(2));
        // (1 - z) c + z h = c + z (h - c)
        return c + z * (h - c);
    }
}

/// <summary>
/// An LSTM cell on the tape (PyTorch's LSTMCell, one weight matrix per gate):
/// <code>
///   i = sigmoid(x W_ii + b_ii + h W_hi + b_hi)     f = sigmoid(... f ...)
///   g = tanh(x W_ig + b_ig + h W_hg + b_hg)        o = sigmoid(... o ...)
///   c' = f * c + i * g      h' = o * tanh(c')     x [rows, in], h and c [rows, H]
/// </code>
/// Parameters {prefix}.{weight,bias}_{ih,hh}.{i,f,g,o}, shaped as in <see cref="GruCell{T}"/>.
/// </summary>
public sealed class LstmCell<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    static readonly string[] Gates = ["i", "f", "g", "o"];
    readonly Parameter<T>[] _wi = new Parameter<T>[4], _wh = new Parameter<T>[4], _bi = new Parameter<T>[4], _bh = new Parameter<T>[4];

    public LstmCell(ParameterSet<T> parameters, string prefix)
    {
        for (int g = 0; g < 4; g++)
        {
            _wi[g] = parameters[$"{prefix}.weight_ih.{Gates[g]}"];
            _wh[g] = parameters[$"{prefix}.weight_hh.{Gates[g]}"];
            _bi[g] = parameters[$"{prefix}.bias_ih.{Gates[g]}"];
            _bh[g] = parameters[$"{prefix}.bias_hh.{Gates[g]}"];
        }
    }

    public static IEnumerable<(string, int[])> Shapes(string prefix, int input, int hidden)
    {
        foreach (var g in Gates) yield return ($"{prefix}.weight_ih.{g}", [input, hidden]);
        foreach (var g in Gates) yield return ($"{prefix}.weight_hh.{g}", [hidden, hidden]);
        foreach (var g in Gates) yield return ($"{prefix}.bias_ih.{g}", [hidden]);
        foreach (var g in Gates) yield return ($"{prefix}.bias_hh.{g}", [hidden]);
    }

    public (Var<T> H, Var<T> C) Step(Tape<T> tape, Var<T> x, Var<T> h, Var<T> c)
    {
        Var<T> Gate(int g) => tape.AddBias(tape.MatMul(x, tape.Param(_wi[g])), tape.Param(_bi[g]))
            + tape.AddBias(tape.MatMul(h, tape.Param(_wh[g])), tape.Param(_bh[g]));
        var i = tape.Sigmoid(Gate(0));
        var f = tape.Sigmoid(Gate(1));
        var g = tape.Tanh(Gate(2));
        var o = tape.Sigmoid(Gate(3));
        var next = f * c + i * g;
        return (o * tape.Tanh(next), next);
    }
}
