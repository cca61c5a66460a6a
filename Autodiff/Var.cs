namespace Sure.Autodiff;

/// <summary>Handle to a value recorded on a tape. Cheap to copy; valid until the tape's next Reset.</summary>
public readonly struct Var<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal Var(Tape<T> tape, int id, int generation)
    {
        Tape = tape;
        Id = id;
        Generation = generation;
    }

    public Tape<T> Tape { get; }
    internal int Id { get; }
    internal int Generation { get; } // the tape's Reset count when recorded; stale handles are refused

    public Tensor<T> Value => Tape.ValueOf(this);
    /// <summary>Gradient of the last Backward with respect to this value; IsNull when none flows here.</summary>
    public Tensor<T> Grad => Tape.GradOf(this);
    public Shape Shape => Value.Shape;
    public bool RequiresGrad => !Grad.IsNull;

    /// <summary>Value of a one-element tensor, e.g. a loss.</summary>
    public T Item => Value.Length == 1 ? Value.Span[0] : throw new InvalidOperationException($"Item of {Shape}");

    public static Var<T> operator +(Var<T> a, Var<T> b) => a.Tape.Add(a, b);
    public static Var<T> operator -(Var<T> a, Var<T> b) => a.Tape.Sub(a, b);
    public static Var<T> operator *(Var<T> a, Var<T> b) => a.Tape.Mul(a, b);
    public static Var<T> operator *(Var<T> a, T c) => a.Tape.Scale(a, c);
    public static Var<T> operator *(T c, Var<T> a) => a.Tape.Scale(a, c);
    public static Var<T> operator -(Var<T> a) => a.Tape.Neg(a);

    public override string ToString() => $"Var#{Id}";
}
