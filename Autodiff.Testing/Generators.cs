using FsCheck;
using FsCheck.Fluent;
using Sure.Tensors;

namespace Sure.Autodiff.Testing;

/// <summary>FsCheck generators of shapes and finite tensors for gradient properties.</summary>
public static class Generators
{
    /// <summary>
    /// A size in [1, max], 1 in at least a fifth of draws: single rows, single columns and odd lengths are where
    /// kernels go wrong (broadcasts, reductions, SIMD tails), so they are drawn often rather than left to chance.
    /// </summary>
    public static Gen<int> Dim(int max = 9)
    {
        if (max < 1) throw new ArgumentOutOfRangeException(nameof(max), "sizes start at 1");
        return Gen.Frequency((1, Gen.Constant(1)), (4, Gen.Choose(1, max)));
    }

    /// <summary>A shape of the given rank (1 to 4), each size from <see cref="Dim"/>.</summary>
    public static Gen<Shape> Shape(int rank, int maxDim = 9)
    {
        if (rank < 1 || rank > Sure.Tensors.Shape.MaxRank) throw new ArgumentOutOfRangeException(nameof(rank));
        return Dim(maxDim).ArrayOf(rank).Select(d => new Shape(d));
    }

    /// <summary>A finite double inside the domain (never NaN, infinite or huge, unlike FsCheck's own doubles).</summary>
    public static Gen<double> Value(Domain domain)
    {
        if (!double.IsFinite(domain.Lo) || !double.IsFinite(domain.Hi) || domain.Lo >= domain.Hi)
            throw new ArgumentException($"domain [{domain.Lo}, {domain.Hi}] must be a finite interval");
        const int steps = 1 << 20;
        return Gen.Choose(0, steps).Select(i => domain.Lo + (domain.Hi - domain.Lo) * i / steps).Where(domain.Contains);
    }

    /// <summary>A tensor of this shape with every element drawn from the domain (Finite when null).</summary>
    public static Gen<Tensor<double>> Tensor(Shape shape, Domain? domain = null)
        => Value(domain ?? Domain.Finite).ArrayOf(shape.Length).Select(v => new Tensor<double>(v, 0, shape));

    /// <summary>
    /// <paramref name="count"/> tensors of one random shape: the inputs of an elementwise op. Ops whose shapes
    /// relate otherwise (matmul) compose <see cref="Dim"/> and <see cref="Inputs"/> in a query (using FsCheck.Fluent).
    /// </summary>
    public static Gen<Tensor<double>[]> SameShape(Domain domain, int count = 1, int rank = 2, int maxDim = 9)
        => Shape(rank, maxDim).SelectMany(shape => Gen.CollectToArray(Enumerable.Repeat(shape, count), s => Tensor(s, domain)));

    /// <summary>One tensor per shape, all drawn from the same domain: the inputs of an op.</summary>
    public static Gen<Tensor<double>[]> Inputs(Domain domain, params Shape[] shapes)
        => Gen.CollectToArray(shapes, s => Tensor(s, domain));
}
