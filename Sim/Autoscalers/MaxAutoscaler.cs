namespace Sure.Sim.Autoscalers;

/// <summary>
/// Two heuristics side by side, each task taking the larger of their two recommendations. "max-tuned" is hpa-tuned with
/// flink-tuned, each tuned on its own (<see cref="Tuning.Max"/>): HPA follows the busy fraction and holds headroom at
/// its target; Flink's rule sizes from the true rates and adds the backlog's catch-up, so it answers a burst at once
/// where HPA climbs by 1 / target a span. Neither is ever scaled below what the other asks for. (docs/simulator.md)
/// </summary>
public sealed class MaxAutoscaler(IAutoscaler first, IAutoscaler second, string name = "max-tuned") : IAutoscaler
{
    int[] _second = [];

    public string Name => name;
    public IAutoscaler First => first;
    public IAutoscaler Second => second;
    public string? Setting => $"{first.Name} {first.Setting}, {second.Name} {second.Setting}";

    public void Initialize(StreamEnvironment env, Span<int> parallelism)
    {
        if (_second.Length != parallelism.Length) _second = new int[parallelism.Length];
        first.Initialize(env, parallelism);
        second.Initialize(env, _second);
        for (int i = 0; i < parallelism.Length; i++) parallelism[i] = Math.Max(parallelism[i], _second[i]);
    }

    public void Decide(StreamEnvironment env, Span<int> parallelism)
    {
        if (_second.Length != parallelism.Length) _second = new int[parallelism.Length];   // Decide without Initialize
        parallelism.CopyTo(_second);
        first.Decide(env, parallelism);
        second.Decide(env, _second);
        for (int i = 0; i < parallelism.Length; i++) parallelism[i] = Math.Max(parallelism[i], _second[i]);
    }
}
