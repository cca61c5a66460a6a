using System.Text.Json;
using Sure.Autodiff;
using Sure.Models;
using Sure.Models.Training;
using Sure.Sim;
using Sure.Tensors;

namespace Sure.Cli.Paper;

/// <summary>
/// Fig. 5's data from a trained SURE model on its job's test week (noise seed 1): (a) the sampling distribution of
/// task v1 (task 0), p_t over the L snapshots and p_n over its neighbour slots in each snapshot, averaged over every
/// decision; (b) h_g of every task and f(G) (SPEC 5) at the first ten decisions. Written as JSON lines:
/// {"heatmap": [[p_t(l), p_n(l, 0), ...] per l], "neighbours": [task of slot 0, ...], "hops": [...]} then one
/// {"decision", "task" (-1 for f(G)), "embedding"} per point.
/// </summary>
static class PaperProbe
{
    public const int EmbeddedDecisions = 10;

    public static void Write(string modelPath, string output)
    {
        var model = SureModel<float>.Load(modelPath);
        string jobName = model.Metadata.GetValueOrDefault("job") ?? PaperPlan.ProbeJob;
        var job = JobCatalog.Load(jobName);
        var trace = WorkloadTrace.ClarkNet();
        var test = SimCli.TestWeek(trace);
        var env = new StreamEnvironment(job, trace.Workload(), SureAutoscaler.Fit(SimOptions.Default, model.Config));
        var autoscaler = new SureAutoscaler(model, env, seed: 1);
        int n = env.TaskCount, L = env.SpanMinutes, K = env.Neighbours.Width, D = env.FeatureCount;
        var heatmap = new double[L, 1 + K];
        var points = new List<(int Decision, int Task, float[] Embedding)>();
        var encoder = new StgEncoder(n, job.Edges, L, spans: 1);
        var tape = new Tape<float>(inference: true);
        var features = Tensor<float>.Zeros(L * n, D);
        int decisions = 0, valid = 0;
        autoscaler.Probe = (output, input) =>
        {
            valid = input.Neighbours.Valid[0];
            var omega = output.Omega.Value.Span;   // [n, L, 1+K]; task 0 first
            AddSoftmax(heatmap, omega, L, K, valid);
            if (decisions < EmbeddedDecisions)
            {
                var hg = output.Hg.Value.Span;   // [n, H]
                int h = hg.Length / n;
                for (int i = 0; i < n; i++) points.Add((decisions, i, hg.Slice(i * h, h).ToArray()));
                // f(G): node (l, i) of the span is S[i, l, slot 0].
                var s = input.S.Span;
                for (int l = 0; l < L; l++)
                    for (int i = 0; i < n; i++)
                        s.Slice(((i * L + l) * (1 + K)) * D, D).CopyTo(features.Span.Slice((l * n + i) * D, D));
                tape.Reset();
                points.Add((decisions, -1, encoder.Encode(tape, model, tape.Constant(features)).Value.Span.ToArray()));
            }
            decisions++;
        };
        Episode.Run(env, autoscaler, test.Start, test.Minutes, 1);
        for (int l = 0; l < L; l++)
            for (int c = 0; c <= K; c++) heatmap[l, c] /= Math.Max(1, decisions);

        var lines = new StringWriter();
        var slots = env.Neighbours.Slots.Take(valid).ToArray();
        lines.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["job"] = jobName, ["task"] = 0, ["decisions"] = decisions, ["valid_slots"] = valid, ["neighbours"] = slots,
            ["hops"] = Hops(job, slots, env.Options.NeighbourHops),
            ["heatmap"] = Enumerable.Range(0, L).Select(l => Enumerable.Range(0, valid + 1).Select(c => heatmap[l, c]).ToArray()).ToArray(),
        }));
        foreach (var (decision, task, embedding) in points)
            lines.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["decision"] = decision, ["task"] = task, ["embedding"] = embedding }));
        using var file = new AtomicFile(output);
        file.Text.Write(lines.ToString());
        file.Commit();
    }

    // Row l: p_t(l) = softmax over l of Omega[0, l, 0], then p_n(l, s) = softmax over the valid slots of Omega[0, l, 1 + s].
    static void AddSoftmax(double[,] sum, ReadOnlySpan<float> omega, int L, int K, int valid)
    {
        double max = double.NegativeInfinity, total = 0;
        for (int l = 0; l < L; l++) max = Math.Max(max, omega[l * (1 + K)]);
        for (int l = 0; l < L; l++) total += Math.Exp(omega[l * (1 + K)] - max);
        for (int l = 0; l < L; l++)
        {
            sum[l, 0] += Math.Exp(omega[l * (1 + K)] - max) / total;
            var row = omega.Slice(l * (1 + K) + 1, valid);
            if (valid == 0) continue;
            double rowMax = double.NegativeInfinity, rowTotal = 0;
            foreach (float v in row) rowMax = Math.Max(rowMax, v);
            foreach (float v in row) rowTotal += Math.Exp(v - rowMax);
            for (int s = 0; s < valid; s++) sum[l, 1 + s] += Math.Exp(row[s] - rowMax) / rowTotal;
        }
    }

    // Each neighbour's hop distance from task 0: the smallest h whose neighbourhood N_h(0) (SPEC 3, NeighbourIndex) holds it.
    static int[] Hops(JobGraph job, int[] neighbours, int maxHops)
    {
        var hops = new int[neighbours.Length];
        for (int h = maxHops; h >= 1; h--)
        {
            var within = new NeighbourIndex(job, h).Row(0).ToArray();
            for (int s = 0; s < neighbours.Length; s++)
                if (within.Contains(neighbours[s])) hops[s] = h;
        }
        return hops;
    }
}
