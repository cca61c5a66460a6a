using System.Numerics;

namespace Sure.Tensors;

/// <summary>Dimensions of a tensor, rank 0 to 4, stored inline so that shapes never allocate.</summary>
public readonly struct Shape : IEquatable<Shape>
{
    public const int MaxRank = 4;
    readonly int _d0, _d1, _d2, _d3;

    public int Rank { get; }
    public int Length { get; }

    public Shape(params ReadOnlySpan<int> dims)
    {
        if (dims.Length > MaxRank) throw new ArgumentException($"rank {dims.Length} > {MaxRank}");
        int length = 1;
        foreach (int d in dims)
        {
            if (d < 0) throw new ArgumentException("negative dimension");
            length *= d;
        }
        Rank = dims.Length;
        Length = length;
        _d0 = dims.Length > 0 ? dims[0] : 1;
        _d1 = dims.Length > 1 ? dims[1] : 1;
        _d2 = dims.Length > 2 ? dims[2] : 1;
        _d3 = dims.Length > 3 ? dims[3] : 1;
    }

    public int this[int axis] => (uint)axis >= (uint)Rank
        ? throw new ArgumentOutOfRangeException(nameof(axis))
        : axis switch { 0 => _d0, 1 => _d1, 2 => _d2, _ => _d3 };

    /// <summary>Size of the last axis: a matrix view treats every tensor as [Rows, Cols].</summary>
    public int Cols => Rank == 0 ? 1 : this[Rank - 1];
    public int Rows => Cols == 0 ? 0 : Length / Cols;

    public bool Equals(Shape other) => Rank == other.Rank && _d0 == other._d0 && _d1 == other._d1
        && _d2 == other._d2 && _d3 == other._d3;
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);
    public override int GetHashCode() => HashCode.Combine(Rank, _d0, _d1, _d2, _d3);
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);

    public override string ToString() => Rank switch
    {
        0 => "[]",
        1 => $"[{_d0}]",
        2 => $"[{_d0}, {_d1}]",
        3 => $"[{_d0}, {_d1}, {_d2}]",
        _ => $"[{_d0}, {_d1}, {_d2}, {_d3}]",
    };
}

/// <summary>
/// Dense row-major contiguous tensor: a window of an array plus a shape. A value type, so views
/// (reshape) and arena hand-outs cost nothing; copying a Tensor copies the handle, not the data.
/// </summary>
public readonly struct Tensor<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    readonly T[]? _buffer;
    readonly int _offset;

    public Shape Shape { get; }

    public Tensor(T[] buffer, int offset, Shape shape)
    {
        if ((uint)offset > (uint)buffer.Length || buffer.Length - offset < shape.Length)
            throw new ArgumentException($"buffer of {buffer.Length} cannot hold {shape} at {offset}");
        _buffer = buffer;
        _offset = offset;
        Shape = shape;
    }

    public static Tensor<T> Zeros(params ReadOnlySpan<int> dims)
    {
        var shape = new Shape(dims);
        return new Tensor<T>(new T[shape.Length], 0, shape);
    }

    /// <summary>Wraps data (no copy) with the given dims; data.Length must equal their product.</summary>
    public static Tensor<T> FromArray(T[] data, params ReadOnlySpan<int> dims)
    {
        var shape = new Shape(dims);
        if (shape.Length != data.Length) throw new ArgumentException($"{data.Length} values for {shape}");
        return new Tensor<T>(data, 0, shape);
    }

    public bool IsNull => _buffer is null;
    public int Length => Shape.Length;
    public int Rank => Shape.Rank;
    public int Rows => Shape.Rows;
    public int Cols => Shape.Cols;
    public int Dim(int axis) => Shape[axis];

    public Span<T> Span => _buffer is null ? Span<T>.Empty : _buffer.AsSpan(_offset, Shape.Length);
    public ReadOnlySpan<T> ReadOnlySpan => Span;

    public ref T this[int i] => ref Span[i];
    public ref T this[int row, int col] => ref Span[row * Cols + col];

    /// <summary>Same buffer, new dims with the same element count.</summary>
    public Tensor<T> Reshape(params ReadOnlySpan<int> dims)
    {
        var shape = new Shape(dims);
        if (shape.Length != Length) throw new ArgumentException($"cannot reshape {Shape} to {shape}");
        return new Tensor<T>(_buffer ?? [], _offset, shape);
    }

    public Tensor<T> Reshape(Shape shape)
    {
        if (shape.Length != Length) throw new ArgumentException($"cannot reshape {Shape} to {shape}");
        return new Tensor<T>(_buffer ?? [], _offset, shape);
    }

    public void Clear() => Span.Clear();
    public void CopyFrom(ReadOnlySpan<T> source) => source.CopyTo(Span);
    public T[] ToArray() => Span.ToArray();

    public override string ToString() => $"Tensor<{typeof(T).Name}>{Shape}";
}
