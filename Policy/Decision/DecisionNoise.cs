using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sure.Policy;

/// <summary>
/// Where the decision path draws the NVSS noise of SPEC 4.1 from <see cref="Philox"/>, so that another backend
/// (a GPU kernel, the tape-based reference in the tests) can draw the same numbers.
/// <para>For decision number d of a job with n tasks, L snapshots and K neighbour slots, element (i, l, slot)
/// of the conceptual [n, L, 1+K] noise arrays x ~ N(0, 1) and y ~ Gumbel(0, 1) is</para>
/// <code>
/// x = Box-Muller on the words of stream 2d:  q = position, p = q rounded down to even,
///     r = sqrt(-2 ln u(word p)), t = 2 pi u(word p + 1), x = r cos t (q even) or r cos(t - pi/2) (q odd)
/// y = Philox.Gumbel(seed, stream = 2d + 1, position) = -ln(-ln u(word q))
/// position = i * L + l                              slot 0 (the task itself, theta)
///          = n * L + (i * L + l) * K + (slot - 1)   slot >= 1 (its neighbours)
/// </code>
/// u(word) is Philox.ToUniformSingle and the words are Philox's, so x is Philox.Normal(seed, 2d, position) except that
/// odd positions take cos(t - pi/2) for sin t (within about 1e-6: one vectorised cosine serves both).
/// Slot 0 comes first, as its own [n, L] block, so that theta's draws are contiguous for every task, and each
/// (task, snapshot)'s neighbour draws are contiguous too: the decider draws only what it reads (theta everywhere,
/// neighbours at the chosen anchors) in runs of consecutive positions, four words per Philox block.
/// </summary>
public static class DecisionNoise
{
    public static ulong NormalStream(ulong decisionIndex) => 2 * decisionIndex;
    public static ulong GumbelStream(ulong decisionIndex) => 2 * decisionIndex + 1;

    /// <summary>Position of element (task, snapshot, slot) in both streams.</summary>
    public static ulong Position(int tasks, int L, int K, int task, int snapshot, int slot) =>
        slot == 0
            ? (ulong)task * (ulong)L + (ulong)snapshot
            : (ulong)tasks * (ulong)L + ((ulong)task * (ulong)L + (ulong)snapshot) * (ulong)K + (ulong)(slot - 1);

    /// <summary>The full noise arrays [n, L, 1+K] (padding slots included), for references and tests.</summary>
    // x, y: [n, L, 1+K]
    public static void Fill(ulong seed, ulong decisionIndex, int tasks, int L, int K, Span<float> x, Span<float> y)
    {
        int slots = 1 + K;
        if (x.Length != tasks * L * slots || y.Length != x.Length)
            throw new ArgumentException($"x and y must hold [{tasks}, {L}, {slots}] values");
        for (int i = 0; i < tasks; i++)
            for (int l = 0; l < L; l++)
                for (int s = 0; s < slots; s++)
                {
                    ulong position = Position(tasks, L, K, i, l, s);
                    int at = (i * L + l) * slots + s;
                    ulong pair = position & ~1UL;
                    x[at] = Philox.BoxMullerCosine(Philox.Bits(seed, NormalStream(decisionIndex), pair), Philox.Bits(seed, NormalStream(decisionIndex), pair + 1),
                        (position & 1) != 0);
                    y[at] = Philox.Gumbel<float>(seed, GumbelStream(decisionIndex), position);
                }
    }

    /// <summary>Floats of scratch <see cref="Draw"/> needs.</summary>
    public static int DrawScratch(int L, int K) => 5 * L * (1 + K);

    /// <summary>
    /// The full arrays of <see cref="Fill"/>, drawn the decider's way: per task its theta run (L positions) and its
    /// neighbours' run (L K positions), transformed vectorised (<see cref="Transform"/>). Equal to Fill to within the
    /// vectorised logarithm's and cosine's ulp; the training batches (SpanBatch) draw with it.
    /// </summary>
    // x, y: [n, L, 1+K]   scratch: [DrawScratch(L, K)]
    public static void Draw(ulong seed, ulong decisionIndex, int tasks, int L, int K, Span<float> x, Span<float> y, Span<float> scratch)
    {
        int slots = 1 + K, count = L * slots;
        if (x.Length != tasks * count || y.Length != x.Length)
            throw new ArgumentException($"x and y must hold [{tasks}, {L}, {slots}] values");
        if (scratch.Length < DrawScratch(L, K)) throw new ArgumentException($"scratch holds {scratch.Length} floats, Draw needs {DrawScratch(L, K)}");
        // Per task: [0, L) its theta positions, [L, L + L K) its neighbours' (snapshot-major, as Position orders them).
        var radius = scratch[..count];
        var angle = scratch.Slice(count, count);
        var gumbel = scratch.Slice(2 * count, count);
        for (int i = 0; i < tasks; i++)
        {
            Uniforms(seed, decisionIndex, Position(tasks, L, K, i, 0, 0), radius[..L], angle[..L], gumbel[..L]);
            if (K > 0)
                Uniforms(seed, decisionIndex, Position(tasks, L, K, i, 0, 1), radius[L..], angle[L..], gumbel[L..]);
            Transform(radius, angle, gumbel, scratch.Slice(3 * count, count), scratch.Slice(4 * count, count));
            var xs = x.Slice(i * count, count);
            var ys = y.Slice(i * count, count);
            for (int l = 0; l < L; l++)
            {
                xs[l * slots] = radius[l];
                ys[l * slots] = gumbel[l];
                for (int s = 0; s < K; s++)
                {
                    xs[l * slots + 1 + s] = radius[L + l * K + s];
                    ys[l * slots + 1 + s] = gumbel[L + l * K + s];
                }
            }
        }
    }

    // The decider's fast path draws in two stages: Uniforms for each run of consecutive positions (the Philox words,
    // eight blocks at a time with AVX2: Philox.FillBits), then Transform once over everything drawn. Same words as Philox.Normal and
    // Philox.Gumbel, same formulas; the vectorised logarithms and sines may differ from the scalar ones by an ulp.

    /// <summary>
    /// Stage 1 for positions position .. position + count - 1 of decision d: per position, the uniform of its
    /// Box-Muller radius word (negated at odd positions, which take the sine), of its angle word, and of its
    /// Gumbel word.
    /// </summary>
    // radius, angle, gumbel: [count]
    internal static void Uniforms(ulong seed, ulong decisionIndex, ulong position, Span<float> radius, Span<float> angle, Span<float> gumbel)
    {
        int count = radius.Length;
        Span<uint> normalWords = stackalloc uint[32], gumbelWords = stackalloc uint[32];
        Span<float> windowRadius = stackalloc float[32], windowAngle = stackalloc float[32], windowGumbel = stackalloc float[32];
        ulong normalStream = NormalStream(decisionIndex), gumbelStream = GumbelStream(decisionIndex);
        int done = 0;
        while (done < count)
        {
            ulong firstBlock = (position + (ulong)done) / 4;
            Philox.FillBits(seed, normalStream, firstBlock * 4, normalWords);
            Philox.FillBits(seed, gumbelStream, firstBlock * 4, gumbelWords);
            WindowUniforms(normalWords, gumbelWords, windowRadius, windowAngle, windowGumbel);
            int start = (int)(position + (ulong)done - firstBlock * 4), take = Math.Min(32 - start, count - done);
            windowRadius.Slice(start, take).CopyTo(radius.Slice(done, take));
            windowAngle.Slice(start, take).CopyTo(angle.Slice(done, take));
            windowGumbel.Slice(start, take).CopyTo(gumbel.Slice(done, take));
            done += take;
        }
    }

    // The three uniforms of each of 32 consecutive positions (see Uniforms), from their words.
    // normalWords, gumbelWords: [32]   radius, angle, gumbel: [32]
    static void WindowUniforms(ReadOnlySpan<uint> normalWords, ReadOnlySpan<uint> gumbelWords, Span<float> radius, Span<float> angle, Span<float> gumbel)
    {
        if (Avx2.IsSupported)
        {
            ref uint n0 = ref MemoryMarshal.GetReference(normalWords);
            ref uint g0 = ref MemoryMarshal.GetReference(gumbelWords);
            ref float r0 = ref MemoryMarshal.GetReference(radius);
            ref float a0 = ref MemoryMarshal.GetReference(angle);
            ref float u0 = ref MemoryMarshal.GetReference(gumbel);
            var oddSign = Vector256.Create(0u, 0x8000_0000, 0, 0x8000_0000, 0, 0x8000_0000, 0, 0x8000_0000).AsSingle();
            for (nuint at = 0; at < 32; at += 8)
            {
                var words = Vector256.LoadUnsafe(ref n0, at);
                // Position q takes its radius from word q & ~1 and its angle from word q | 1.
                (ToUniform(Avx2.Shuffle(words, 0b10_10_00_00)) ^ oddSign).StoreUnsafe(ref r0, at);
                ToUniform(Avx2.Shuffle(words, 0b11_11_01_01)).StoreUnsafe(ref a0, at);
                ToUniform(Vector256.LoadUnsafe(ref g0, at)).StoreUnsafe(ref u0, at);
            }
            return;
        }
        for (int q = 0; q < 32; q++)
        {
            float r = Philox.ToUniformSingle(normalWords[q & ~1]);
            radius[q] = (q & 1) == 0 ? r : -r;
            angle[q] = Philox.ToUniformSingle(normalWords[q | 1]);
            gumbel[q] = Philox.ToUniformSingle(gumbelWords[q]);
        }
    }

    // Philox.ToUniformSingle on eight words: ((word >> 9) + 0.5) 2^-23, exact in float.
    static Vector256<float> ToUniform(Vector256<uint> words) =>
        (Vector256.ConvertToSingle(Vector256.ShiftRightLogical(words, 9).AsInt32()) + Vector256.Create(0.5f)) * Vector256.Create(1f / (1 << 23));

    /// <summary>Stage 2: x = r cos t or r cos(t - pi/2) (Box-Muller), y = -ln(-ln u); angle and the scratch spans are overwritten.</summary>
    // radius: [count] in, x out   angle: [count] in   gumbel: [count] in, y out   scratch, cosine: [count]
    internal static void Transform(Span<float> radius, Span<float> angle, Span<float> gumbel, Span<float> scratch, Span<float> cosine)
    {
        TensorPrimitives.Log(gumbel, gumbel);
        TensorPrimitives.Negate(gumbel, gumbel);
        TensorPrimitives.Log(gumbel, gumbel);
        TensorPrimitives.Negate(gumbel, gumbel);

        // t = 2 pi u, shifted by -pi/2 at odd positions (marked by a negative radius uniform): one vectorised
        // cosine then gives cos t or sin t (a vectorised SinCos is several times slower than Cos).
        TensorPrimitives.Multiply(angle, MathF.Tau, angle);
        Simd.Map<QuarterTurnBack>(angle, radius, angle);
        TensorPrimitives.Cos(angle, cosine);
        var r = scratch;
        TensorPrimitives.Abs(radius, r);
        TensorPrimitives.Log(r, r);
        TensorPrimitives.Multiply(r, -2f, r);
        TensorPrimitives.Sqrt(r, r);
        TensorPrimitives.Multiply(r, cosine, radius);
    }

}
