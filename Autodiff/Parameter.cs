namespace Sure.Autodiff;

/// <summary>A named trainable tensor with its own gradient buffer (outside any arena, so it survives Reset).</summary>
public sealed class Parameter<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public Parameter(string name, Tensor<T> value)
    {
        Name = name;
        Value = value;
        Grad = new Tensor<T>(new T[value.Length], 0, value.Shape);
    }

    public Parameter(string name, params ReadOnlySpan<int> dims) : this(name, Tensor<T>.Zeros(dims)) { }

    /// <summary>Dotted path, e.g. "sage.0.weight".</summary>
    public string Name { get; }
    public Tensor<T> Value { get; }
    /// <summary>Accumulated by every Backward that reaches this parameter; cleared by ZeroGrad.</summary>
    public Tensor<T> Grad { get; }
    public Shape Shape => Value.Shape;

    public void ZeroGrad() => Grad.Clear();

    public override string ToString() => $"{Name}{Shape}";
}
