// A host embedding the SURE policy (package Sure.Policy): a job's per-minute metrics in, new parallelism per task out.
// Usage: dotnet run --project samples/EmbeddedHost -- model.safetensors
// Exits non-zero when the library breaks a promise a host relies on (guardrails, shadow mode, 0 B per minute).
using Sure.Policy;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: EmbeddedHost model.safetensors");
    return 2;
}

// ---- the host, as the README shows it ----
var weights = PolicyWeights.Load(args[0]);                           // once; shared by every job and thread
var job = new JobDag(["source", "parse", "enrich", "sink"], [("source", "parse"), ("parse", "enrich"), ("enrich", "sink")]);
var options = new PolicyOptions { MaxStepFactor = 2, CooldownSpans = 1, MaxParallelism = 32 };
var session = new PolicySession(weights, job, [4, 4, 4, 4], options);
var minute = new TaskMetrics[job.TaskCount];
for (int m = 0; m < 60; m++)                                          // one span: a minute of metrics at a time
{
    Metrics(m, [4, 4, 4, 4], minute);                                 // the stream processor's numbers (below)
    session.Observe(minute, minuteOfDay: (9 * 60 + m) % 1440);
}
var decision = session.Decide();
for (int i = 0; i < job.TaskCount; i++)
    Console.WriteLine($"{job.Tasks[i],-7} 4 -> {decision.Parallelism[i],2}  ({decision.Reasons[i]})");

// ---- what the host relies on ----
int failures = 0;
void Check(bool ok, string what)
{
    if (!ok) { Console.Error.WriteLine($"EmbeddedHost: {what}"); failures++; }
}
for (int i = 0; i < job.TaskCount; i++)
    Check(decision.Parallelism[i] >= 2 && decision.Parallelism[i] <= 8, $"{job.Tasks[i]}: {decision.Parallelism[i]} is more than a step of 2 from 4");

var shadow = new PolicySession(weights, job, [4, 4, 4, 4], options with { Shadow = true });
for (int m = 0; m < 60; m++)
{
    Metrics(m, [4, 4, 4, 4], minute);
    shadow.Observe(minute, (9 * 60 + m) % 1440);
}
var shadowDecision = shadow.Decide();
Check(shadowDecision.Parallelism.SequenceEqual([4, 4, 4, 4]), "shadow mode acted");
Check(shadowDecision.Proposed.SequenceEqual(decision.Proposed), "shadow mode proposed something else than the acting session");

minute[2] = minute[2] with { Busy = double.NaN };
Check(!session.Observe(minute, 600), "a NaN metric was accepted");

// A warm session allocates nothing per minute or per decision.
var next = decision.Parallelism.ToArray();
for (int m = 0; m < 60; m++)
{
    Metrics(m, next, minute);
    session.Observe(minute, m);
}
session.Decide();
long before = GC.GetAllocatedBytesForCurrentThread();
for (int m = 0; m < 60; m++)
{
    Metrics(m, next, minute);
    session.Observe(minute, m);
}
session.Decide();
long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
Check(allocated == 0, $"a warm span and decision allocated {allocated} B");
Console.WriteLine(failures == 0 ? "EmbeddedHost: ok" : $"EmbeddedHost: {failures} failures");
return failures == 0 ? 0 : 1;

// A 4-vertex pipeline under a morning ramp: records/min, busy fraction, parallelism, latency (s), backlog.
static void Metrics(int m, ReadOnlySpan<int> parallelism, Span<TaskMetrics> metrics)
{
    double records = 60_000 * (1 + m / 60.0);
    ReadOnlySpan<double> costPerRecord = [0.00004, 0.0002, 0.0005, 0.0001];   // instance-minutes per record
    for (int i = 0; i < metrics.Length; i++)
    {
        double busy = Math.Min(1, records * costPerRecord[i] / parallelism[i]);
        metrics[i] = new TaskMetrics(records, busy, parallelism[i], LatencySeconds: 0.05 / (1.05 - busy), Backlog: busy >= 1 ? records * 0.1 : 0);
    }
}
