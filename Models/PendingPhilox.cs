namespace Sure.Models;

// Stand-in for Tensors/Philox.cs (Philox.Uniform<T>(seed, stream, index)) until that kernel reaches main;
// then SureModel.Create switches to it and this file goes. SplitMix64 of the position: seeded, order free.
static class PendingPhilox
{
    public static T Uniform<T>(ulong seed, ulong stream, ulong index) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ulong z = seed ^ (stream * 0x9E3779B97F4A7C15UL) ^ (index * 0xBF58476D1CE4E5B9UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return T.CreateChecked(((z >> 11) + 0.5) * (1.0 / (1UL << 53)));
    }
}
