using Sure.Policy;

namespace Sure.Sim;

/// <summary>
/// The fluid simulator of SPEC 2 with the monitor of SPEC 3, as an environment for policies.
/// <para>
/// Usage: <c>Reset(start, p0, seed)</c>, then repeatedly <c>Step(p)</c> (one span of L minutes) and
/// read <see cref="Snapshots"/> / <see cref="LastSpan"/> to choose the next p. State is
/// struct-of-arrays; a minute walks the tasks in a precomputed topological order and computes the
/// critical path in the same pass. Nothing is allocated per minute or per span.
/// </para>
/// <para>
/// Snapshot buffer: a ring of L slots, each [n, D] floats, so the buffer is [L, n, D]. Minute m of an
/// episode goes to slot m mod L. Because every decision follows a whole span of L minutes,
/// at each decision the ring head is slot 0 and the physical order is oldest first: a consumer can
/// read <see cref="Snapshots"/> directly. After a shortened span (or to be safe) use
/// <see cref="OldestSnapshot"/>: the oldest snapshot is slot <c>OldestSnapshot</c>, then the
/// following ones modulo L. Before the first L minutes the unwritten slots are zeros.
/// </para>
/// </summary>
public sealed class StreamEnvironment
{
    /// <summary>D of SPEC 3's features; <see cref="ForecastFeatureCount"/> with <see cref="SimOptions.ForecastFeatures"/>.</summary>
    public const int SpecFeatureCount = TaskFeatures.SpecCount, ForecastFeatureCount = TaskFeatures.ForecastCount;
    const int MinutesPerDay = TaskFeatures.MinutesPerDay;

    /// <summary>D: features per task-minute in the snapshots.</summary>
    public int FeatureCount { get; }

    readonly double[] _workload;
    readonly int _n, _l;
    readonly LogNormalNoise _noise;
    readonly double _restartFactor, _rhoCap, _maxParallelism;
    readonly int[] _order, _parentStart, _parentList;
    readonly double[] _mu, _invMu;

    readonly int[] _p;
    readonly double[] _pDouble, _inverseP, _capacityBase, _backlog, _output, _pathLatency, _eps, _cumInput, _cumProcessed;
    readonly float[] _snapshots;
    readonly int[] _criticalParent;   // RewardShares' scratch: the parent on a task's longest path, -1 at a source
    readonly double[] _sortScratch;
    ulong _seed;
    int _minute, _ringHead, _snapshotCount, _rescales;
    bool _restartNext;

    public JobGraph Job { get; }
    public SimOptions Options { get; }
    public int TaskCount => _n;
    /// <summary>L: minutes per span and snapshots kept.</summary>
    public int SpanMinutes => _l;
    public NeighbourIndex Neighbours { get; }
    /// <summary>c_i = max(duration_i, 1) / mean_j max(duration_j, 1).</summary>
    public ReadOnlySpan<double> RecordCost => _recordCost;
    readonly double[] _recordCost;
    public ReadOnlySpan<int> ReferenceParallelism => _referenceParallelism;
    readonly int[] _referenceParallelism;
    /// <summary>Abar_i: input under mean load with no backlog, records/min.</summary>
    public ReadOnlySpan<double> MeanInput => _meanInput;
    readonly double[] _meanInput;
    /// <summary>mu_i: per-instance service rate, records/min.</summary>
    public ReadOnlySpan<double> ServiceRate => _mu;
    /// <summary>l_0: critical path of 1/mu_i, minutes.</summary>
    public double ZeroLoadLatency { get; }
    /// <summary>l_slo = SloFactor * l_0, minutes.</summary>
    public double SloLatency { get; }
    public ReadOnlySpan<double> Workload => _workload;

    /// <summary>The absolute trace minute the next step starts at.</summary>
    public int Minute => _minute;
    public ReadOnlySpan<int> Parallelism => _p;
    public int Rescales => _rescales;
    public ReadOnlySpan<double> Backlog => _backlog;
    public ReadOnlySpan<double> CumulativeInput => _cumInput;
    public ReadOnlySpan<double> CumulativeProcessed => _cumProcessed;

    /// <summary>The monitor's ring buffer, [L, n, D] floats in physical slot order (see the class remarks).</summary>
    public ReadOnlySpan<float> Snapshots => _snapshots;

    /// <summary>
    /// Copies the L snapshots oldest first into <paramref name="destination"/> ([L, n, D]); only
    /// needed after a shortened span, when the ring head is not slot 0.
    /// </summary>
    public void CopySnapshotsOldestFirst(Span<float> destination)
    {
        int slot = _n * FeatureCount, oldest = OldestSnapshot;
        _snapshots.AsSpan(oldest * slot).CopyTo(destination);
        _snapshots.AsSpan(0, oldest * slot).CopyTo(destination[((_l - oldest) * slot)..]);
    }

    /// <summary>Slot of the oldest snapshot (0 at every decision after whole spans).</summary>
    public int OldestSnapshot => _snapshotCount < _l ? 0 : _ringHead;
    /// <summary>Snapshots written so far, at most L.</summary>
    public int SnapshotCount => _snapshotCount;
    public SpanRecord LastSpan { get; }

    public StreamEnvironment(JobGraph job, double[] workload, SimOptions? options = null)
    {
        Options = options ?? SimOptions.Default;
        if (workload.Length == 0) throw new ArgumentException("the workload is empty", nameof(workload));
        if (Options.SpanMinutes < 1) throw new ArgumentOutOfRangeException(nameof(options), "SpanMinutes must be >= 1");
        if (!(Options.NoiseSigma >= 0)) throw new ArgumentOutOfRangeException(nameof(options), "NoiseSigma must be >= 0");
        Job = job;
        _workload = workload;
        _n = job.TaskCount;
        _l = Options.SpanMinutes;
        FeatureCount = Options.ForecastFeatures ? ForecastFeatureCount : SpecFeatureCount;
        _noise = new LogNormalNoise(Options.NoiseSigma);
        _restartFactor = TaskFeatures.RunningShare(restarting: true, Options.RestartSeconds);
        _rhoCap = Options.UtilizationCap;
        _maxParallelism = Options.MaxParallelism;
        _order = job.OrderArray;
        _parentStart = job.ParentStart;
        _parentList = job.ParentList;

        var durations = job.Durations.ToArray();
        double meanCost = durations.Average(d => Math.Max(d, 1));
        _recordCost = durations.Select(d => Math.Max(d, 1) / meanCost).ToArray();
        _referenceParallelism = _recordCost
            .Select(c => (int)Math.Clamp(Math.Round(4 * c, MidpointRounding.ToEven), 1, Options.MaxReferenceParallelism))
            .ToArray();
        double meanW = workload.Average();
        if (!(meanW > 0)) throw new ArgumentException("the workload's mean must be positive", nameof(workload));
        _meanInput = new double[_n];
        foreach (int i in _order)
        {
            double a = 0;
            foreach (int j in job.Parents(i)) a += _meanInput[j];
            _meanInput[i] = job.IsSource(i) ? meanW : a;
        }
        _mu = new double[_n];
        _invMu = new double[_n];
        for (int i = 0; i < _n; i++)
        {
            _mu[i] = _meanInput[i] / (Options.ReferenceUtilization * _referenceParallelism[i]);
            _invMu[i] = 1 / _mu[i];
        }
        _pathLatency = new double[_n];
        _criticalParent = new int[_n];
        ZeroLoadLatency = CriticalPath(_invMu);
        SloLatency = Options.SloFactor * ZeroLoadLatency;
        Neighbours = new NeighbourIndex(job, Options.NeighbourHops, Options.MaxNeighbours);

        _p = new int[_n];
        _pDouble = new double[_n];
        _inverseP = new double[_n];
        _capacityBase = new double[_n];
        _backlog = new double[_n];
        _output = new double[_n];
        _eps = new double[_n];
        _cumInput = new double[_n];
        _cumProcessed = new double[_n];
        _snapshots = new float[_l * _n * FeatureCount];
        _sortScratch = new double[_l];
        LastSpan = new SpanRecord(_n, _l);
        Array.Fill(_p, Options.InitialParallelism);
    }

    double CriticalPath(ReadOnlySpan<double> taskLatency)
    {
        double longest = 0;
        foreach (int i in _order)
        {
            double upstream = 0;
            for (int k = _parentStart[i]; k < _parentStart[i + 1]; k++) upstream = Math.Max(upstream, _pathLatency[_parentList[k]]);
            _pathLatency[i] = taskLatency[i] + upstream;
            longest = Math.Max(longest, _pathLatency[i]);
        }
        return longest;
    }

    /// <summary>Starts an episode at trace minute <paramref name="startMinute"/>: empty backlogs, no restart, empty monitor.</summary>
    public void Reset(int startMinute, ReadOnlySpan<int> initialParallelism, ulong seed)
    {
        if ((uint)startMinute >= (uint)_workload.Length)
            throw new ArgumentOutOfRangeException(nameof(startMinute), $"start minute {startMinute} is outside the trace's {_workload.Length} minutes");
        CheckParallelism(initialParallelism);
        initialParallelism.CopyTo(_p);
        _minute = startMinute;
        _seed = seed;
        _ringHead = 0;
        _snapshotCount = 0;
        _rescales = 0;
        _restartNext = false;
        Array.Clear(_backlog);
        Array.Clear(_output);
        Array.Clear(_cumInput);
        Array.Clear(_cumProcessed);
        Array.Clear(_snapshots);
        LastSpan.Minutes = 0;
    }

    void CheckParallelism(ReadOnlySpan<int> parallelism)
    {
        if (parallelism.Length != _n)
            throw new ArgumentException($"parallelism has {parallelism.Length} entries for {_n} tasks");
        foreach (int p in parallelism)
            if (p < 1 || p > Options.MaxParallelism)
                throw new ArgumentOutOfRangeException(nameof(parallelism), $"parallelism {p} is outside [1, {Options.MaxParallelism}]");
    }

    /// <summary>
    /// Runs one span: <paramref name="minutes"/> (default L) minutes with <paramref name="parallelism"/>.
    /// A parallelism different from the current one restarts the job in the span's first minute.
    /// </summary>
    public SpanResult Step(ReadOnlySpan<int> parallelism, int minutes = 0)
    {
        if (minutes == 0) minutes = _l;
        if (minutes < 0 || minutes > _l) throw new ArgumentOutOfRangeException(nameof(minutes), $"a span has 1..{_l} minutes");
        if (_minute + minutes > _workload.Length)
            throw new InvalidOperationException($"the span [{_minute}, {_minute + minutes}) runs past the trace's {_workload.Length} minutes");
        CheckParallelism(parallelism);
        bool rescaled = !parallelism.SequenceEqual(_p);
        if (rescaled)
        {
            parallelism.CopyTo(_p);
            _restartNext = true;
            _rescales++;
        }
        int instances = 0;
        for (int i = 0; i < _n; i++)
        {
            _pDouble[i] = _p[i];
            _inverseP[i] = 1.0 / _p[i];
            _capacityBase[i] = _p[i] * _mu[i];
            instances += _p[i];
        }
        var span = LastSpan;
        span.StartMinute = _minute;
        span.Minutes = minutes;
        span.Instances = instances;
        _p.CopyTo(span.Parallelism, 0);
        for (int m = 0; m < minutes; m++) SimulateMinute(m, instances);
        return Summarise(span, rescaled);
    }

    void SimulateMinute(int m, int instances)
    {
        int n = _n;
        var span = LastSpan;
        double r = _restartNext ? _restartFactor : 1.0;
        _restartNext = false;
        _noise.Fill(_seed, _minute, _eps);
        double w = _workload[_minute];
        int cell0 = m * n;
        var snap = _snapshots.AsSpan(_ringHead * n * FeatureCount, n * FeatureCount);
        float restartFeature = TaskFeatures.Restart(r);
        int d = FeatureCount;
        var time = d > SpecFeatureCount ? TaskFeatures.Time(_minute % MinutesPerDay, m, _l) : default;
        double jobLatency = 0, busyInstances = 0, totalBacklog = 0;
        var order = _order;
        var parentStart = _parentStart;
        var parentList = _parentList;
        var output = _output;
        var path = _pathLatency;
        for (int k = 0; k < order.Length; k++)
        {
            int i = order[k];
            int first = parentStart[i], end = parentStart[i + 1];
            double a, upstream = 0;
            if (first == end) a = w;
            else
            {
                a = 0;
                for (int e = first; e < end; e++)
                {
                    int j = parentList[e];
                    a += output[j];
                    upstream = Math.Max(upstream, path[j]);
                }
            }
            double p = _pDouble[i];
            double c = _capacityBase[i] * _eps[i] * r;
            double inverseC = 1 / c;                               // one division for u, Q/C and A/C
            double queued = _backlog[i] + a;
            double processed = Math.Min(queued, c);
            double q = queued - processed;
            double u = Math.Min(processed * inverseC, 1.0);        // c * (1/c) may round a hair above 1
            double rho = Math.Min(u, _rhoCap);
            double l = _invMu[i] / (1 - rho) + q * inverseC;
            _backlog[i] = q;
            output[i] = processed;
            _cumInput[i] += a;
            _cumProcessed[i] += processed;
            double pathLatency = l + upstream;
            path[i] = pathLatency;
            jobLatency = Math.Max(jobLatency, pathLatency);
            busyInstances += u * p;
            totalBacklog += q;

            int cell = cell0 + i;
            span.Input[cell] = a;
            span.Processed[cell] = processed;
            span.Capacity[cell] = c;
            span.Backlog[cell] = q;
            span.Utilization[cell] = u;
            span.TaskLatency[cell] = l;

            var features = snap.Slice(i * d, d);
            TaskFeatures.Write(features, a, _inverseP[i], u, p / _maxParallelism, 60 * l, q, inverseC, restartFeature);
            if (d > SpecFeatureCount) TaskFeatures.WriteTime(features, time);
        }
        span.RestartFactor[m] = r;
        span.JobLatency[m] = jobLatency;
        span.JobUtilization[m] = busyInstances / instances;
        span.TotalBacklog[m] = totalBacklog;
        _minute++;
        _ringHead = _ringHead + 1 == _l ? 0 : _ringHead + 1;
        if (_snapshotCount < _l) _snapshotCount++;
    }

    SpanResult Summarise(SpanRecord span, bool rescaled)
    {
        int minutes = span.Minutes;
        double penalty = 0, utilization = 0, latency = 0;
        int violations = 0;
        for (int m = 0; m < minutes; m++)
        {
            double l = span.JobLatency[m];
            penalty += Math.Max(0, 1 - SloLatency / l);
            utilization += span.JobUtilization[m];
            latency += l;
            if (l > SloLatency) violations++;
            _sortScratch[m] = l;
        }
        double lambda = Options.LatencyWeight;
        double reward = -lambda * penalty / minutes + (1 - lambda) * utilization / minutes;
        double p95 = Percentile(_sortScratch.AsSpan(0, minutes), 0.95);
        return new SpanResult(minutes, reward, 60 * latency / minutes, 60 * p95, violations,
            utilization / minutes, (long)span.Instances * minutes, rescaled);
    }

    /// <summary>
    /// The last span's reward split over its tasks (the shares add up to SpanResult.Reward, up to rounding): task i gets
    /// (1 - lambda) mean_m u_i p_i / sum_j p_j, its part of the job utilisation, and -lambda mean_m lat_pen(m) l_i / l(m)
    /// in the minutes it lies on the critical path (the first longest path; 0 off it), its part of the latency penalty.
    /// Per-task credit in training (docs/training.md); allocates nothing.
    /// </summary>
    public void RewardShares(Span<double> shares)
    {
        if (shares.Length != _n) throw new ArgumentException($"shares has {shares.Length} entries for {_n} tasks");
        var span = LastSpan;
        int minutes = span.Minutes;
        double lambda = Options.LatencyWeight;
        shares.Clear();
        for (int m = 0; m < minutes; m++)
        {
            var latency = span.TaskLatency.AsSpan(m * _n, _n);
            var busy = span.Utilization.AsSpan(m * _n, _n);
            for (int i = 0; i < _n; i++) shares[i] += (1 - lambda) * busy[i] * span.Parallelism[i] / span.Instances / minutes;
            // The longest path again, remembering each task's heaviest parent, then walked back from its end.
            int end = -1;
            double longest = double.NegativeInfinity;
            foreach (int i in _order)
            {
                double upstream = 0;
                int parent = -1;
                for (int k = _parentStart[i]; k < _parentStart[i + 1]; k++)
                    if (parent < 0 || _pathLatency[_parentList[k]] > upstream) (upstream, parent) = (_pathLatency[_parentList[k]], _parentList[k]);
                _pathLatency[i] = latency[i] + upstream;
                _criticalParent[i] = parent;
                if (_pathLatency[i] > longest) (longest, end) = (_pathLatency[i], i);
            }
            double penalty = Math.Max(0, 1 - SloLatency / span.JobLatency[m]);
            if (penalty == 0) continue;
            for (int i = end; i >= 0; i = _criticalParent[i]) shares[i] -= lambda * penalty * latency[i] / longest / minutes;
        }
    }

    /// <summary>Linear interpolation between order statistics (numpy's default); sorts <paramref name="values"/> in place.</summary>
    public static double Percentile(Span<double> values, double q)
    {
        values.Sort();
        double pos = q * (values.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, values.Length - 1);
        return values[lo] + (pos - lo) * (values[hi] - values[lo]);
    }
}
