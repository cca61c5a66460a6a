namespace Sure.Tests;

/// <summary>Measures what a hot path allocates once it is warm.</summary>
static class Allocations
{
    // Bytes allocated by `calls` calls of `step`, the least over a few rounds after warm-up. A per-call allocation
    // shows in every round; a one-off runtime event (tiered JIT promotion, a lazy type initialiser) in one round at most.
    public static long SteadyState(Action step, int warmUp = 20, int calls = 10, int rounds = 4)
    {
        for (int i = 0; i < warmUp; i++) step();
        long least = long.MaxValue;
        for (int r = 0; r < rounds && least > 0; r++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < calls; i++) step();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }
}
