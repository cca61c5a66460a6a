namespace Sure.Sim;

/// <summary>The fleet's split of the sample's jobs (docs/fleet.md): training, validation (checkpoint choice), test (reporting only).</summary>
public enum SplitKind { Train, Validation, Test }

/// <summary>
/// A fixed split of the embedded Alibaba sample's jobs for training one policy across many jobs (issue 19): every job
/// with a valid DAG of <see cref="MinTasks"/> to <see cref="MaxTasks"/> tasks, except the six paper jobs (evaluated on
/// their own, so they are in no split), goes by the 64-bit FNV-1a hash of its job id (UTF-8) modulo 100: 0-79 train,
/// 80-89 validation, 90-99 test. A function of the id alone: stable across runs, machines and file order, and a job
/// is in exactly one split.
/// </summary>
public static class JobSplit
{
    public const int MinTasks = 2, MaxTasks = 100;

    /// <summary>The split a job id falls in by its hash (paper jobs and task counts aside).</summary>
    public static SplitKind Of(string jobId)
    {
        ulong hash = Fnv1a(jobId) % 100;
        return hash < 80 ? SplitKind.Train : hash < 90 ? SplitKind.Validation : SplitKind.Test;
    }

    /// <summary>The jobs of one split, in the sample's order.</summary>
    public static IReadOnlyList<JobGraph> Jobs(SplitKind split) => Jobs(split, JobCatalog.Sample());

    /// <summary>The jobs of one split among <paramref name="candidates"/>.</summary>
    public static IReadOnlyList<JobGraph> Jobs(SplitKind split, IEnumerable<JobGraph> candidates)
    {
        var paper = JobCatalog.Named.Select(j => j.JobId).ToHashSet(StringComparer.Ordinal);
        return candidates.Where(g => g.TaskCount is >= MinTasks and <= MaxTasks && !paper.Contains(g.Name) && Of(g.Name) == split).ToList();
    }

    /// <summary>64-bit FNV-1a (offset basis 14695981039346656037, prime 1099511628211) of the id's UTF-8 bytes.</summary>
    public static ulong Fnv1a(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return hash;
    }
}
