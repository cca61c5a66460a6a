using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Sure.Tensors;

/// <summary>An elementwise operator of three floats with a scalar and a Vector256 form that compute the same thing
/// (bit for bit where the operations are IEEE-exact), for Simd.Map.</summary>
public interface ITernaryOperator
{
    static abstract float Invoke(float a, float b, float c);
    static abstract Vector256<float> Invoke(Vector256<float> a, Vector256<float> b, Vector256<float> c);
}

/// <summary>An elementwise operator of two floats with a scalar and a Vector256 form, for <see cref="Simd.Map{TOp}(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>.</summary>
public interface IBinaryOperator
{
    static abstract float Invoke(float a, float b);
    static abstract Vector256<float> Invoke(Vector256<float> a, Vector256<float> b);
}

/// <summary>
/// The one loop driver of the elementwise operators that TensorPrimitives does not have (the way dotnet/runtime's
/// TensorPrimitives puts operator structs over shared loops): whole vectors through the vector form, the tail through
/// the scalar form. MapScalar is the scalar path alone, which the tests hold every vector path to.
/// </summary>
public static class Simd
{
    /// <summary>y[k] = TOp(a[k], b[k], c[k]); y may be one of the inputs.</summary>
    public static void Map<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, Span<float> y) where TOp : ITernaryOperator
    {
        int count = Check(a, b, c, y), k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float a0 = ref MemoryMarshal.GetReference(a), b0 = ref MemoryMarshal.GetReference(b), c0 = ref MemoryMarshal.GetReference(c);
            ref float y0 = ref MemoryMarshal.GetReference(y);
            for (; k + Vector256<float>.Count <= count; k += Vector256<float>.Count)
                TOp.Invoke(Vector256.LoadUnsafe(ref a0, (nuint)k), Vector256.LoadUnsafe(ref b0, (nuint)k), Vector256.LoadUnsafe(ref c0, (nuint)k))
                    .StoreUnsafe(ref y0, (nuint)k);
        }
        for (; k < count; k++) y[k] = TOp.Invoke(a[k], b[k], c[k]);
    }

    /// <summary>y[k] = TOp(a[k], b[k]); y may be one of the inputs.</summary>
    public static void Map<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) where TOp : IBinaryOperator
    {
        int count = Check(a, b, b, y), k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float a0 = ref MemoryMarshal.GetReference(a), b0 = ref MemoryMarshal.GetReference(b);
            ref float y0 = ref MemoryMarshal.GetReference(y);
            for (; k + Vector256<float>.Count <= count; k += Vector256<float>.Count)
                TOp.Invoke(Vector256.LoadUnsafe(ref a0, (nuint)k), Vector256.LoadUnsafe(ref b0, (nuint)k)).StoreUnsafe(ref y0, (nuint)k);
        }
        for (; k < count; k++) y[k] = TOp.Invoke(a[k], b[k]);
    }

    /// <summary>The scalar path of <see cref="Map{TOp}(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>.</summary>
    public static void MapScalar<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) where TOp : IBinaryOperator
    {
        int count = Check(a, b, b, y);
        for (int k = 0; k < count; k++) y[k] = TOp.Invoke(a[k], b[k]);
    }

    /// <summary>The scalar path of <see cref="Map{TOp}(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>.</summary>
    public static void MapScalar<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, Span<float> y) where TOp : ITernaryOperator
    {
        int count = Check(a, b, c, y);
        for (int k = 0; k < count; k++) y[k] = TOp.Invoke(a[k], b[k], c[k]);
    }

    static int Check(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, Span<float> y)
    {
        if (b.Length != a.Length || c.Length != a.Length || y.Length != a.Length)
            throw new ArgumentException($"lengths {a.Length}, {b.Length}, {c.Length} and {y.Length} differ");
        return a.Length;
    }
}

/// <summary>
/// The last step of softplus(x) = max(x, 0) + ln(1 + e), e = exp(-|x|), given u = fl(1 + e) through logU = ln(u):
/// ln(1 + e) = e when u rounds to 1, else ln(u) e / (u - 1) (<see cref="RowOps.Log1p{T}"/>'s correction). With e in
/// (0, 1] u is never infinite, so the vector form needs no infinity case.
/// </summary>
public readonly struct SoftplusFinish : ITernaryOperator
{
    public static float Invoke(float x, float e, float logU)
    {
        float u = e + 1f;
        return MathF.Max(x, 0f) + (u == 1f ? e : logU * e / (u - 1f));
    }

    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> e, Vector256<float> logU)
    {
        var one = Vector256.Create(1f);
        var u = e + one;
        return Vector256.Max(x, Vector256<float>.Zero) + Vector256.ConditionalSelect(Vector256.Equals(u, one), e, logU * e / (u - one));
    }
}

/// <summary>
/// The decision's Box-Muller angle (Policy/Decision/DecisionNoise.cs): t, less a quarter turn where the position is odd,
/// which DecisionNoise marks by a negative radius uniform r, so that one vectorised cosine gives cos t or sin t.
/// </summary>
public readonly struct QuarterTurnBack : IBinaryOperator
{
    const float QuarterTurn = MathF.PI / 2;
    public static float Invoke(float angle, float radius) => radius < 0 ? angle - QuarterTurn : angle;
    public static Vector256<float> Invoke(Vector256<float> angle, Vector256<float> radius) =>
        angle - (Vector256.Create(QuarterTurn) & Vector256.LessThan(radius, Vector256<float>.Zero));
}
