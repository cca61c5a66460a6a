using System.Collections;

namespace Sure.Autodiff;

/// <summary>Parameters in registration order, looked up by name.</summary>
public sealed class ParameterSet<T> : IReadOnlyList<Parameter<T>> where T : unmanaged, IFloatingPointIeee754<T>
{
    readonly List<Parameter<T>> _list = [];
    readonly Dictionary<string, Parameter<T>> _byName = [];

    public Parameter<T> Add(Parameter<T> parameter)
    {
        if (!_byName.TryAdd(parameter.Name, parameter)) throw new ArgumentException($"duplicate parameter {parameter.Name}");
        _list.Add(parameter);
        return parameter;
    }

    public Parameter<T> Add(string name, params ReadOnlySpan<int> dims) => Add(new Parameter<T>(name, dims));

    public Parameter<T> this[string name] => _byName[name];
    public Parameter<T> this[int index] => _list[index];
    public int Count => _list.Count;
    public bool TryGet(string name, out Parameter<T> parameter) => _byName.TryGetValue(name, out parameter!);

    /// <summary>Total number of scalars.</summary>
    public int ElementCount
    {
        get
        {
            int n = 0;
            for (int i = 0; i < _list.Count; i++) n += _list[i].Value.Length;
            return n;
        }
    }

    public void ZeroGrad()
    {
        for (int i = 0; i < _list.Count; i++) _list[i].ZeroGrad();
    }

    /// <summary>L2 norm of all gradients taken together.</summary>
    public T GradNorm()
    {
        T sumSquares = T.Zero;
        for (int i = 0; i < _list.Count; i++) sumSquares += TP.SumOfSquares<T>(_list[i].Grad.Span);
        return T.Sqrt(sumSquares);
    }

    /// <summary>Scales all gradients by maxNorm / norm when the global norm exceeds maxNorm; returns the norm before clipping.</summary>
    public T ClipGradNorm(T maxNorm)
    {
        T norm = GradNorm();
        if (norm > maxNorm)
        {
            T scale = maxNorm / norm;
            for (int i = 0; i < _list.Count; i++) TP.Multiply(_list[i].Grad.Span, scale, _list[i].Grad.Span);
        }
        return norm;
    }

    public List<Parameter<T>>.Enumerator GetEnumerator() => _list.GetEnumerator();
    IEnumerator<Parameter<T>> IEnumerable<Parameter<T>>.GetEnumerator() => _list.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _list.GetEnumerator();
}
