using System.Text;

namespace Sure.Sim.Tests;

/// <summary>
/// Seeded corruption of valid trace and job files: every mutant must either parse to values inside the readers'
/// stated limits (finite, in range, a usable workload; an acyclic job with its parents in range) or fail with exactly
/// <see cref="SimInputException"/>. Any other exception is a reader that lets bad input through.
/// </summary>
public class ReaderFuzzTests
{
    const int Iterations = 4000;

    // Characters and tokens that reach the readers' edge cases: number syntax, separators, line ends, overflow,
    // denormals, non-finite spellings, task-name syntax.
    static readonly string Alphabet = "0123456789.-+eE, \n\r\t_MRJNaIfy\0\u00e9\u0661";
    static readonly string[] Tokens =
        ["NaN", "Infinity", "-Infinity", "1e308", "1e309", "1e-310", "9999999999999", "-1", "0", "\n", "\r\n", "\n\n", ",", ",,",
         "_1", "_99", "M", "R2_", "j_1", "99999999999", "1e12", "1e13", "0x1F", " 5 "];

    [Fact]
    public void Corrupted_traces_parse_within_the_limits_or_fail_with_the_input_exception()
    {
        var random = new Random(20261201);
        var text = new StringBuilder("time,value\n");
        for (int m = 0; m < 200; m++) text.Append($"{m},{50 + (m * 37) % 101}\n");
        int accepted = 0, rejected = 0;
        for (int i = 0; i < Iterations; i++)
        {
            string mutant = Mutate(text.ToString(), random);
            WorkloadTrace trace;
            try { trace = WorkloadTrace.Parse(new StringReader(mutant), "fuzz"); }
            catch (SimInputException e)
            {
                Assert.StartsWith("fuzz", e.Message);
                rejected++;
                continue;
            }
            accepted++;
            Assert.NotEmpty(trace.Values);
            foreach (double v in trace.Values) Assert.True(v >= 0 && v <= WorkloadTrace.MaxValue, $"value {v} of mutant {i}");
            Assert.True(double.IsFinite(trace.Mean) && trace.Mean >= WorkloadTrace.MinMean, $"mean {trace.Mean} of mutant {i}");
            foreach (double w in trace.Workload()) Assert.True(double.IsFinite(w) && w >= 0, $"workload {w} of mutant {i}");
        }
        // Both outcomes must be exercised, or the mutations do not test what they claim.
        Assert.True(accepted > Iterations / 20, $"only {accepted} mutants parsed");
        Assert.True(rejected > Iterations / 5, $"only {rejected} mutants were rejected");
    }

    [Fact]
    public void Corrupted_job_files_parse_within_the_limits_or_fail_with_the_input_exception()
    {
        var random = new Random(20261202);
        const string text =
            "1,j_1,M1,10,100,0.5,1\n1,j_1,M2,35,100,0.5,1\n1,j_1,R3_1_2,20,100,0.5,1\n1,j_1,J4_3,5,100,0.5,1\n" +
            "1,j_1,task_x,7,100,0.5,1\n2,j_2,M1,10,100,0.5,1\n2,j_2,R2_1,300,100,0.5,1\n";
        int accepted = 0, rejected = 0;
        for (int i = 0; i < Iterations; i++)
        {
            string mutant = Mutate(text, random);
            JobGraph job;
            try { job = JobCatalog.Parse(new StringReader(mutant), "fuzz", "j_1"); }
            catch (SimInputException e)
            {
                Assert.StartsWith("fuzz", e.Message);
                rejected++;
                continue;
            }
            accepted++;
            Assert.True(job.TaskCount >= 1);
            foreach (double d in job.Durations) Assert.True(d >= 0 && d <= JobCatalog.MaxDuration, $"duration {d} of mutant {i}");
            // Parents come before their children in the topological order: no cycle, no index out of range.
            var place = new int[job.TaskCount];
            for (int k = 0; k < job.TaskCount; k++) place[job.TopologicalOrder[k]] = k;
            for (int t = 0; t < job.TaskCount; t++)
                foreach (int p in job.Parents(t)) Assert.True(p >= 0 && p < job.TaskCount && place[p] < place[t], $"parent {p} of task {t}, mutant {i}");
        }
        Assert.True(accepted > Iterations / 20, $"only {accepted} mutants parsed");
        Assert.True(rejected > Iterations / 5, $"only {rejected} mutants were rejected");
    }

    static string Mutate(string text, Random random)
    {
        var s = new StringBuilder(text);
        int mutations = 1 + random.Next(3);
        for (int m = 0; m < mutations; m++)
        {
            int at = random.Next(s.Length + 1);
            switch (random.Next(6))
            {
                case 0 when at < s.Length: s[at] = Alphabet[random.Next(Alphabet.Length)]; break;
                case 1: s.Insert(at, Tokens[random.Next(Tokens.Length)]); break;
                case 2 when at < s.Length: s.Remove(at, Math.Min(1 + random.Next(8), s.Length - at)); break;
                case 3:                                                    // duplicate a line
                    var lines = s.ToString().Split('\n');
                    int line = random.Next(lines.Length);
                    s.Insert(at, lines[line] + "\n");
                    break;
                case 4: s.Length = at; break;                              // truncate
                default: s.Insert(at, Alphabet[random.Next(Alphabet.Length)]); break;
            }
        }
        return s.ToString();
    }
}
