namespace Sure.Tensors.Devices.Kernels;

/// <summary>
/// Philox4x32-10 on the device, following Sure.Tensors.Philox's mapping exactly:
/// key = (lo32(seed), hi32(seed)), counter = (lo32(pos / 4), hi32(pos / 4), lo32(stream), hi32(stream)),
/// word = block[pos % 4]; float uniform = ((word >> 9) + 0.5) * 2^-23; Gumbel = -ln(-ln(u));
/// normal: Box-Muller on the word pairs (0, 1) and (2, 3) of the block, cos for even positions, sin for odd.
/// The words and uniforms are integer or exact float arithmetic, so they match bit for bit; the Gumbel and
/// normal draws go through the device's log/sqrt/sin/cos and may differ from .NET's in the last ulps.
/// </summary>
internal static class PhiloxKernel
{
    public const string Functions = """
        #define PHILOX_M0 0xD2511F53u
        #define PHILOX_M1 0xCD9E8D57u
        #define PHILOX_W0 0x9E3779B9u
        #define PHILOX_W1 0xBB67AE85u

        // x: [4], the counter in, the block out
        INLINE void philox4x32_10(uint x[4], uint k0, uint k1)
        {
            for (int round = 0; round < 10; round++) {
                if (round > 0) { k0 += PHILOX_W0; k1 += PHILOX_W1; }
                const u64 p0 = (u64)PHILOX_M0 * x[0], p1 = (u64)PHILOX_M1 * x[2];
                const uint n0 = (uint)(p1 >> 32) ^ x[1] ^ k0, n1 = (uint)p1;
                const uint n2 = (uint)(p0 >> 32) ^ x[3] ^ k1, n3 = (uint)p0;
                x[0] = n0; x[1] = n1; x[2] = n2; x[3] = n3;
            }
        }

        // x: [4], the words of positions 4 * block .. 4 * block + 3
        INLINE void philox_block(const u64 seed, const u64 stream, const u64 block, uint x[4])
        {
            x[0] = (uint)block; x[1] = (uint)(block >> 32); x[2] = (uint)stream; x[3] = (uint)(stream >> 32);
            philox4x32_10(x, (uint)seed, (uint)(seed >> 32));
        }

        // Exact: a 23-bit integer plus one half, scaled by a power of two; in (0, 1) strictly.
        INLINE float philox_uniform(const uint word) { return ((float)(word >> 9) + 0.5f) * (1.0f / 8388608.0f); }

        """;

    public const string Kernels = """
        // y: [n]; y[i] = word at position offset + i
        KERNEL void philox_bits(const int n, const u64 seed, const u64 stream, const u64 offset, GLOBAL uint* y)
        {
            const int i = GLOBAL_ID(0);
            if (i >= n) return;
            const u64 pos = offset + (u64)i;
            uint x[4];
            philox_block(seed, stream, pos / 4, x);
            y[i] = x[pos % 4];
        }

        // draw: 1 uniform, 2 normal, 3 Gumbel (RandomDraw)  y: [n]
        KERNEL void philox_float(const int draw, const int n, const u64 seed, const u64 stream, const u64 offset,
                                 GLOBAL float* y)
        {
            const int i = GLOBAL_ID(0);
            if (i >= n) return;
            const u64 pos = offset + (u64)i;
            uint x[4];
            philox_block(seed, stream, pos / 4, x);
            if (draw == 2) {
                const int pair = (int)(pos & 2);
                const float r = sqrt(-2.0f * log(philox_uniform(x[pair])));
                const float t = 6.28318548f * philox_uniform(x[pair + 1]);
                y[i] = (pos & 1) == 0 ? r * cos(t) : r * sin(t);
            } else {
                const float u = philox_uniform(x[pos % 4]);
                y[i] = draw == 3 ? -log(-log(u)) : u;
            }
        }

        """;
}
