using Sure.Sim;

namespace Sure.Sim.Tests;

public class InputTests
{
    [Theory]
    [InlineData("small-1", 6)]
    [InlineData("small-2", 16)]
    [InlineData("medium-1", 25)]
    [InlineData("medium-2", 32)]
    [InlineData("large-1", 40)]
    [InlineData("large-2", 46)]
    public void The_six_paper_jobs_have_their_sizes(string name, int tasks)
    {
        var job = JobCatalog.Load(name);
        Assert.Equal(tasks, job.TaskCount);
        Assert.Equal(name, job.Name);
    }

    [Fact]
    public void Small_1_is_the_chain_in_the_sample()
    {
        // j_1136: M1, M2, R3_2, J4_1_3, R5_4, R6_5 with durations 6, 40, 74, 148, 218, 236.
        var job = JobCatalog.Load("j_1136");
        Assert.Equal([6.0, 40, 74, 148, 218, 236], job.Durations.ToArray());
        Assert.Equal([1, 2, 0, 3, 2, 3, 3, 4, 4, 5], job.Edges.ToArray());      // (parent, child) pairs sorted by child
        Assert.Equal([0, 1, 2, 3, 4, 5], job.TopologicalOrder.ToArray());
    }

    [Fact]
    public void Ids_need_not_arrive_in_topological_order()
    {
        // j_122492 has R1_4 (task 1's parent is task 4).
        var job = JobCatalog.Load("medium-1");
        Assert.Equal([3], job.Parents(0).ToArray());
        Assert.True(job.TopologicalOrder.IndexOf(3) < job.TopologicalOrder.IndexOf(0));
    }

    static SimInputException ParseError(string csv, string job) =>
        Assert.Throws<SimInputException>(() => JobCatalog.Parse(new StringReader(csv), "jobs.csv", job));

    [Fact]
    public void Job_errors_name_the_file_the_line_and_the_defect()
    {
        Assert.Equal("jobs.csv:2: expected 7 comma-separated columns, found 3",
            ParseError("0,j_1,M1,5,1,1,1\n0,j_1,M2\n", "j_1").Message);
        Assert.Equal("jobs.csv:1: duration 'abc' is not a number", ParseError("0,j_1,M1,abc,1,1,1\n", "j_1").Message);
        Assert.Equal("jobs.csv:1: negative duration -3", ParseError("0,j_1,M1,-3,1,1,1\n", "j_1").Message);
        Assert.Contains("no job 'j_9'", ParseError("0,j_1,M1,5,1,1,1\n", "j_9").Message);
        Assert.Equal("jobs.csv:2: job j_1: task 2 names a missing parent 3",
            ParseError("0,j_1,M1,5,1,1,1\n0,j_1,R2_3,5,1,1,1\n", "j_1").Message);
        Assert.StartsWith("jobs.csv:1: job j_1 has a cycle through task 1",
            ParseError("0,j_1,R1_2,5,1,1,1\n0,j_1,R2_1,5,1,1,1\n", "j_1").Message);
        Assert.Contains("cycle", ParseError("0,j_1,R1_1,5,1,1,1\n", "j_1").Message);
        Assert.Equal("jobs.csv:2: job j_1: task ids are not 1..2 (task 2 is missing, 3 exists)",
            ParseError("0,j_1,M1,5,1,1,1\n0,j_1,M3,5,1,1,1\n", "j_1").Message);
        Assert.Equal("jobs.csv:2: job j_1: task id 1 repeats line 1",
            ParseError("0,j_1,M1,5,1,1,1\n0,j_1,M1,5,1,1,1\n", "j_1").Message);
        Assert.Equal("jobs.csv:1: task 'M0' has an id outside 1..2147483647", ParseError("0,j_1,M0,5,1,1,1\n", "j_1").Message);
        Assert.Equal("jobs.csv:1: task 'R1_99999999999' has an id outside 1..2147483647",
            ParseError("0,j_1,R1_99999999999,5,1,1,1\n", "j_1").Message);
        Assert.Contains("no task with a DAG-encoded name", ParseError("0,j_1,task_abc,5,1,1,1\n", "j_1").Message);
        // A damaged row fails every job, not only its own.
        Assert.StartsWith("jobs.csv:2:", ParseError("0,j_1,M1,5,1,1,1\n0,j_2,M1,x,1,1,1\n", "j_1").Message);
    }

    [Fact]
    public void Names_without_a_dag_are_skipped_and_duplicate_parents_collapse()
    {
        var job = JobCatalog.Parse(new StringReader("0,j_1,M1,5,1,1,1\n0,j_1,task_xyz,5,1,1,1\n0,j_1,J2_1_1,5,1,1,1\n"), "f", "j_1");
        Assert.Equal(2, job.TaskCount);
        Assert.Equal([0], job.Parents(1).ToArray());
        Assert.Null(JobCatalog.ParseTaskName("task_xyz"));
        Assert.Null(JobCatalog.ParseTaskName("M1_"));
        Assert.Null(JobCatalog.ParseTaskName("m1"));
        var parsed = JobCatalog.ParseTaskName("J3_1_2")!.Value;
        Assert.Equal(3, parsed.Id);
        Assert.Equal([1, 2], parsed.Parents);
    }

    [Fact]
    public void Bad_job_names_and_missing_files_are_input_errors()
    {
        Assert.Contains("no job 'nope'", Assert.Throws<SimInputException>(() => JobCatalog.Load("nope")).Message);
        Assert.Contains("random:N", Assert.Throws<SimInputException>(() => JobCatalog.Load("random:x")).Message);
        Assert.Contains("cannot open", Assert.Throws<SimInputException>(() => JobCatalog.Load("j_1", "/no/such/file.csv")).Message);
        Assert.Equal(30, JobCatalog.Load("random:30:9").TaskCount);
    }

    [Fact]
    public void Clarknet_loads_with_its_two_weeks()
    {
        var trace = WorkloadTrace.ClarkNet();
        Assert.Equal(20160, trace.Length);
        Assert.Equal(44, trace.Values[0]);
        Assert.Equal(3_347_424, trace.Values.Sum());
        var w = trace.Workload();
        Assert.Equal(1000, w.Average(), 9);
        Assert.Equal(44 / trace.Mean * 1000, w[0], 9);
    }

    [Fact]
    public void Traces_load_in_every_format_through_one_reader()
    {
        Assert.Equal([1.0, 2, 3], WorkloadTrace.Parse(new StringReader("1\n2\n3\n"), "t").Values);
        Assert.Equal([1.0, 2.5], WorkloadTrace.Parse(new StringReader("time,value\n0,1\n1,2.5\n\n"), "t").Values);
        Assert.Equal([4.0, 6], WorkloadTrace.Parse(new StringReader("0,4\n1,6\n"), "t").Values);
        Assert.Equal([0.5, 1.5], WorkloadTrace.Parse(new StringReader("1,0.5\n2,1.5"), "t").Workload(1));
    }

    [Fact]
    public void Trace_errors_name_the_file_the_line_and_the_defect()
    {
        SimInputException Error(string text) => Assert.Throws<SimInputException>(() => WorkloadTrace.Parse(new StringReader(text), "w.csv"));
        Assert.Equal("w.csv:3: value 'x' is not a number", Error("t,v\n0,1\n1,x\n").Message);
        Assert.Equal("w.csv:2: negative value -1", Error("1\n-1\n").Message);
        Assert.Equal("w.csv:2: value 'NaN' is not finite", Error("1\nNaN\n").Message);
        Assert.Equal("w.csv:2: empty line inside the trace", Error("1\n\n2\n").Message);
        Assert.Contains("mean is 0", Error("0\n0\n").Message);
        Assert.Contains("no values", Error("time,value\n").Message);
    }

    [Fact]
    public void Neighbours_are_ordered_by_hops_then_id_and_padded()
    {
        // 0 -> 1 -> 2 -> 3, and 4 -> 2: undirected 2-hop sets.
        var job = JobGraph.Create("g", [1, 1, 1, 1, 1], [[], [0], [1, 4], [2], []]);
        var index = new NeighbourIndex(job);
        Assert.Equal(4, index.Width);
        Assert.Equal([1, 2, -1, -1], index.Row(0).ToArray());
        Assert.Equal([0, 2, 3, 4], index.Row(1).ToArray());
        Assert.Equal([1, 3, 4, 0], index.Row(2).ToArray());      // hop 1: 1, 3, 4; hop 2: 0
        Assert.Equal([2, 1, 4, -1], index.Row(3).ToArray());
        Assert.Equal([2, 1, 3, -1], index.Row(4).ToArray());
        Assert.Equal([2, 4, 4, 3, 3], index.Counts);
    }

    [Fact]
    public void Neighbours_are_cut_at_k_max()
    {
        // A star: the centre has 40 leaves, each leaf sees the centre then 39 leaves, cut to 32.
        var parents = new int[41][];
        parents[0] = [];
        for (int i = 1; i <= 40; i++) parents[i] = [0];
        var index = new NeighbourIndex(JobGraph.Create("star", new double[41], parents));
        Assert.Equal(32, index.Width);
        Assert.Equal(Enumerable.Range(1, 32), index.Row(0).ToArray());
        Assert.Equal(new[] { 0, 2, 3 }, index.Row(1)[..3].ToArray());
    }

    [Fact]
    public void Random_dags_are_seeded()
    {
        var a = RandomDag.Generate(200, 11);
        var b = RandomDag.Generate(200, 11);
        var c = RandomDag.Generate(200, 12);
        Assert.Equal(a.Edges.ToArray(), b.Edges.ToArray());
        Assert.Equal(a.Durations.ToArray(), b.Durations.ToArray());
        Assert.NotEqual(a.Edges.ToArray(), c.Edges.ToArray());
    }
}
