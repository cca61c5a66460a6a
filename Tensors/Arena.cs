using System.Numerics;

namespace Sure.Tensors;

/// <summary>
/// Bump allocator for tensors. Reset rewinds it; a computation that asks for the same sizes in the same
/// order after a Reset gets the same buffers back and allocates nothing. Tensors handed out before a
/// Reset must not be used after it.
/// </summary>
public sealed class Arena<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    readonly List<T[]> _chunks = [];
    int _chunk;    // index of the chunk being filled
    int _used;     // elements used in that chunk
    readonly int _minChunk;

    public Arena(int minChunkElements = 1 << 16) => _minChunk = Math.Max(1, minChunkElements);

    /// <summary>Elements held across all chunks (grows, never shrinks).</summary>
    public long Capacity { get; private set; }

    /// <summary>A tensor with unspecified contents.</summary>
    public Tensor<T> Rent(Shape shape)
    {
        int n = shape.Length;
        // Walk forward to the first chunk with room; chunks skipped here stay for the next pass.
        while (_chunk < _chunks.Count && _chunks[_chunk].Length - _used < n)
        {
            _chunk++;
            _used = 0;
        }
        if (_chunk == _chunks.Count)
        {
            int size = Math.Max(n, Math.Max(_minChunk, _chunks.Count == 0 ? 0 : _chunks[^1].Length * 2));
            _chunks.Add(new T[size]);
            Capacity += size;
            _used = 0;
        }
        var t = new Tensor<T>(_chunks[_chunk], _used, shape);
        _used += n;
        return t;
    }

    public Tensor<T> Rent(params ReadOnlySpan<int> dims) => Rent(new Shape(dims));

    public Tensor<T> RentZeroed(Shape shape)
    {
        var t = Rent(shape);
        t.Clear();
        return t;
    }

    public void Reset()
    {
        _chunk = 0;
        _used = 0;
    }
}
