namespace Sure.Sim.Autoscalers;

/// <summary>Keeps p_0 (SPEC 7 "static").</summary>
public sealed class StaticAutoscaler : IAutoscaler
{
    public string Name => "static";
    public void Initialize(StreamEnvironment env, Span<int> parallelism) => parallelism.Fill(env.Options.InitialParallelism);
    public void Decide(StreamEnvironment env, Span<int> parallelism) { }
}

/// <summary>A fixed parallelism vector for the whole episode (<c>fixed:N</c>, oracle-static's result).</summary>
public sealed class FixedAutoscaler : IAutoscaler
{
    readonly int[] _parallelism;
    public string Name { get; }

    public FixedAutoscaler(string name, int[] parallelism)
    {
        Name = name;
        _parallelism = parallelism;
    }

    public static FixedAutoscaler Uniform(int tasks, int n) => new($"fixed:{n}", Enumerable.Repeat(n, tasks).ToArray());

    public ReadOnlySpan<int> Parallelism => _parallelism;

    public void Initialize(StreamEnvironment env, Span<int> parallelism)
    {
        if (_parallelism.Length != env.TaskCount)
            throw new ArgumentException($"{Name} has {_parallelism.Length} entries for a job of {env.TaskCount} tasks");
        _parallelism.CopyTo(parallelism);
    }

    public void Decide(StreamEnvironment env, Span<int> parallelism) { }
}
