namespace Sure.Models;

/// <summary>
/// The per-decision values the decision ops read from a device buffer instead of their arguments, so that a captured
/// CUDA graph replays with the next decision's values: [oldest ring row, seed lo, seed hi, decision index lo, hi].
/// </summary>
internal static class DecisionScalars
{
    public const int Length = 5;

    // words: [Length]
    public static void Write(Span<int> words, int oldest, ulong seed, ulong decisionIndex)
    {
        words[0] = oldest;
        words[1] = (int)(uint)seed;
        words[2] = (int)(uint)(seed >> 32);
        words[3] = (int)(uint)decisionIndex;
        words[4] = (int)(uint)(decisionIndex >> 32);
    }
}
