namespace Sure.Policy;

/// <summary>
/// The policy for one job (SPEC 12): <see cref="Observe"/> once a minute with every task's metrics,
/// <see cref="Decide"/> once a span (L minutes, 60 by default) for the new parallelism and a reason per task.
/// <para>The session keeps the last L minutes as SPEC 3's snapshots (encoded by the simulator's own encoder,
/// <see cref="TaskFeatures"/>), so that fed the metrics of a simulated run it decides exactly as the simulator's policy
/// does. Nothing is allocated per minute or per decision once the first decision has run.</para>
/// <para>A session is single-threaded: a call that overlaps another call on the same session throws
/// <see cref="InvalidOperationException"/> instead of corrupting its buffers. Sessions of one <see cref="PolicyWeights"/>
/// run on as many threads as you like.</para>
/// </summary>
public sealed class PolicySession
{
    readonly PolicyWeights _weights;
    readonly PolicyOptions _options;
    readonly SureDecider _decider;
    readonly int _n, _l, _d, _modelMax, _min, _max, _maxMissing;
    readonly double _fallbackTarget, _deadBand;
    readonly double? _baseTarget;
    // [L, n, D] snapshots, ring order: the next minute goes to slot _head; the oldest is _head once L were written.
    readonly float[] _snapshots;
    // [L, n] busy fractions of the span's accepted minutes, oldest first (HPA's input).
    readonly double[] _busy;
    readonly int[] _current, _base, _policyScratch;
    readonly PolicyDecision _decision;
    int _head, _written, _accepted, _refused, _minuteInSpan, _inUse;
    int _decisionsSinceRescale = int.MaxValue;
    long _decisionIndex;

    /// <summary>
    /// A session for a job. <paramref name="parallelism"/> is what each task runs with now. Throws ArgumentException
    /// when the job or the options do not fit the model.
    /// </summary>
    public PolicySession(PolicyWeights weights, JobDag job, ReadOnlySpan<int> parallelism, PolicyOptions? options = null)
    {
        _weights = weights;
        _options = options ?? new PolicyOptions();
        var config = weights.Config;
        (_n, _l, _d, _modelMax) = (job.TaskCount, config.L, config.D, config.PMax);
        _max = _options.MaxParallelism == 0 ? _modelMax : _options.MaxParallelism;
        _min = _options.MinParallelism;
        if (_min < 1 || _max > _modelMax || _min > _max)
            throw new ArgumentException($"parallelism bounds [{_min}, {_max}] must lie within the model's [1, {_modelMax}]");
        if (!(_options.MaxStepFactor >= 1)) throw new ArgumentException($"the maximum step factor {_options.MaxStepFactor} must be at least 1");
        if (_options.CooldownSpans < 0) throw new ArgumentException("the cooldown cannot be negative");
        if (!(_options.RestartSeconds >= 0 && _options.RestartSeconds <= 60)) throw new ArgumentException("restart seconds must be in [0, 60]");
        _maxMissing = _options.MaxMissingMinutes < 0 ? _l / 4 : _options.MaxMissingMinutes;
        if (weights.Base.FlinkTarget is not null)
            throw new ArgumentException($"the model's residual base is {(weights.Base.BestOfTwo ? $"{ResidualBase.BestTunedBase} (hpa-tuned or max-tuned, chosen per job)" : $"{ResidualBase.MaxTunedBase} (the larger of HPA's and Flink's rule's recommendations)")}: the policy library implements the {ResidualBase.HpaTunedBase} base only (docs/integration.md); `sure simulate` and `sure eval` run it");
        _baseTarget = weights.Base.HpaTarget;
        if (weights.Base.TargetPerJob)
        {
            if (!(_options.BaseTarget > 0 && _options.BaseTarget <= 1))
                throw new ArgumentException($"the model's HPA base is tuned per job: state PolicyOptions.BaseTarget in (0, 1], the target tuned for this job (got {_options.BaseTarget})");
            _baseTarget = _options.BaseTarget;
        }
        _deadBand = weights.Base.DeadBand;
        _fallbackTarget = double.IsNaN(_options.FallbackTarget) ? _baseTarget ?? HpaRule.TargetUtilization : _options.FallbackTarget;
        if (!(_fallbackTarget > 0 && _fallbackTarget <= 1)) throw new ArgumentException($"the fallback target {_fallbackTarget} must be in (0, 1]");
        if (parallelism.Length != _n) throw new ArgumentException($"parallelism holds {parallelism.Length} values for {_n} tasks");
        foreach (int p in parallelism)
            if (p < 1 || p > _modelMax) throw new ArgumentException($"parallelism {p} is outside the model's [1, {_modelMax}]");
        long edges = SubgraphSampler.EdgeBound(_n, config.K1, config.K2);
        if (edges > SubgraphSampler.MaxEdges)
            throw new ArgumentException($"the model's k1 = {config.K1}, k2 = {config.K2} allow {edges} subgraph edges for {_n} tasks, above the limit {SubgraphSampler.MaxEdges}");

        Job = job;
        var slots = NeighbourSlots.Build(_n, job.Edges, config.C, config.KMax, out int width, out _);
        _decider = new SureDecider(weights, new NeighbourTable(_n, width, slots, job.Edges));
        _snapshots = new float[_l * _n * _d];
        _busy = new double[_l * _n];
        _current = parallelism.ToArray();
        _base = new int[_n];
        _policyScratch = new int[_n];
        _decision = new PolicyDecision(_n);
    }

    public JobDag Job { get; }
    /// <summary>The parallelism the session believes is running: the plan's, then the last accepted minute's.</summary>
    public ReadOnlySpan<int> Parallelism => _current;
    /// <summary>Minutes since the last decision that were accepted, and that were refused.</summary>
    public int AcceptedMinutes => _accepted;
    public int RefusedMinutes => _refused;
    /// <summary>Why the last refused minute was refused: the task and the field.</summary>
    public int LastRefusedTask { get; private set; } = -1;
    public MetricField LastRefusedField { get; private set; }

    // The [L, n, D] snapshot ring and its oldest slot (tests compare them with the simulator's). The oldest slot is the
    // next one to write: before L minutes those are the unwritten zeros, so a span observed in part reads as a past of
    // zeros, not as zeros after its latest minute. (The simulator never decides before L minutes, so its convention,
    // slot 0 until the ring is full, never differs from this one at a decision.)
    internal ReadOnlySpan<float> Snapshots => _snapshots;
    internal int OldestSnapshot => _head;

    // A test's hook, run inside every call while the session is held (to show that an overlapping call is refused).
    internal Action? DuringCall { get; set; }

    /// <summary>
    /// One minute of metrics, one entry per task in the session's task order. <paramref name="minuteOfDay"/> (0-1439,
    /// the job's local clock) feeds the time-of-day features of a model that reads them; <paramref name="restarting"/>
    /// says the job restarted in this minute. Returns false when the minute was refused (a missing, non-finite or
    /// out-of-range value: <see cref="LastRefusedTask"/>, <see cref="LastRefusedField"/>): the snapshot repeats the
    /// last accepted one, and the minute counts towards the span's missing minutes.
    /// </summary>
    public bool Observe(ReadOnlySpan<TaskMetrics> metrics, int minuteOfDay, bool restarting = false)
    {
        if (metrics.Length != _n) throw new ArgumentException($"metrics hold {metrics.Length} tasks, the job has {_n}");
        if ((uint)minuteOfDay >= TaskFeatures.MinutesPerDay) throw new ArgumentOutOfRangeException(nameof(minuteOfDay), $"minute of day {minuteOfDay} is outside 0..1439");
        Enter();
        try
        {
            DuringCall?.Invoke();
            int rowFloats = _n * _d;
            var row = _snapshots.AsSpan(_head * rowFloats, rowFloats);
            var time = TaskFeatures.Time(minuteOfDay, Math.Min(_minuteInSpan, _l - 1), _l);
            bool accepted = Check(metrics);
            if (accepted)
            {
                // The span's busy fractions for HPA; past L minutes without a decision, the oldest is dropped.
                if (_accepted == _l)
                {
                    _busy.AsSpan(_n).CopyTo(_busy);
                    _accepted--;
                }
                float restart = TaskFeatures.Restart(TaskFeatures.RunningShare(restarting, _options.RestartSeconds));
                bool rescaled = false;
                for (int i = 0; i < _n; i++)
                {
                    var m = metrics[i];
                    double capacity = m.Capacity > 0 ? m.Capacity : m.RecordsIn / m.Busy;
                    // No busy time and no capacity stated: nothing waits for capacity, the load ratio is 0.
                    double inverseCapacity = capacity > 0 && double.IsFinite(capacity) ? 1 / capacity : 0;
                    double p = m.Parallelism;
                    var features = row.Slice(i * _d, _d);
                    TaskFeatures.Write(features, m.RecordsIn, 1.0 / p, m.Busy, p / _modelMax, m.LatencySeconds, m.Backlog, inverseCapacity, restart);
                    if (_d > TaskFeatures.SpecCount) TaskFeatures.WriteTime(features, time);
                    _busy[_accepted * _n + i] = m.Busy;
                    rescaled |= _current[i] != m.Parallelism;
                    _current[i] = m.Parallelism;
                }
                if (rescaled) _decisionsSinceRescale = 0;
                _accepted++;
            }
            else
            {
                // A refused minute repeats the last snapshot (zeros before any), with this minute's time.
                if (_written > 0)
                {
                    int previous = _head == 0 ? _l - 1 : _head - 1;
                    _snapshots.AsSpan(previous * rowFloats, rowFloats).CopyTo(row);
                }
                if (_d > TaskFeatures.SpecCount)
                    for (int i = 0; i < _n; i++) TaskFeatures.WriteTime(row.Slice(i * _d, _d), time);
                _refused++;
            }
            _head = _head + 1 == _l ? 0 : _head + 1;
            if (_written < _l) _written++;
            _minuteInSpan++;
            return accepted;
        }
        finally { Exit(); }
    }

    bool Check(ReadOnlySpan<TaskMetrics> metrics)
    {
        for (int i = 0; i < metrics.Length; i++)
        {
            var m = metrics[i];
            var field = !(m.RecordsIn >= 0 && double.IsFinite(m.RecordsIn)) ? MetricField.RecordsIn
                : !(m.Busy >= 0 && m.Busy <= 1) ? MetricField.Busy
                : m.Parallelism < 1 || m.Parallelism > _modelMax ? MetricField.Parallelism
                : !(m.LatencySeconds >= 0 && double.IsFinite(m.LatencySeconds)) ? MetricField.LatencySeconds
                : !(m.Backlog >= 0 && double.IsFinite(m.Backlog)) ? MetricField.Backlog
                : m.Capacity < 0 || double.IsPositiveInfinity(m.Capacity) ? MetricField.Capacity
                : MetricField.None;
            if (field != MetricField.None)
            {
                LastRefusedTask = i;
                LastRefusedField = field;
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The decision for the span since the last one. The policy decides when at most the allowed number of the span's
    /// L minutes are missing, else HPA on the minutes there are (no change with none); then the step limit, the
    /// [min, max] bounds and the cooldown apply, each reported as the reason of the tasks it changed. The result is
    /// the session's and is overwritten by the next call.
    /// </summary>
    public PolicyDecision Decide()
    {
        Enter();
        try
        {
            DuringCall?.Invoke();
            var decision = _decision;
            var unguarded = decision.UnguardedBuffer;
            var reasons = decision.ReasonBuffer;
            var means = decision.ActionMeanBuffer;
            int missing = _l - _accepted;
            decision.FellBack = missing > _maxMissing;
            if (decision.FellBack)
            {
                for (int i = 0; i < _n; i++)
                    unguarded[i] = _accepted == 0 ? _current[i] : HpaRule.Next(_current[i], _busy, _accepted, _n, i, _fallbackTarget, _modelMax);
                reasons.Fill(DecisionReason.Fallback);
                means.Fill(float.NaN);
            }
            else
            {
                // The residual's base is HPA's recommendation on the span (as the simulator's policy computes it), else p.
                for (int i = 0; i < _n; i++)
                    _base[i] = _baseTarget is double target ? HpaRule.Next(_current[i], _busy, _accepted, _n, i, target, _modelMax) : _current[i];
                _decider.Decide(_snapshots, OldestSnapshot, _base, _options.Seed, (ulong)_decisionIndex, _policyScratch);
                _decider.ActionMeans.CopyTo(means);
                for (int i = 0; i < _n; i++) unguarded[i] = DecisionMath.Rescale(_base[i], DecisionMath.Ratio(means[i], _deadBand), _modelMax);
                reasons.Fill(DecisionReason.Policy);
            }
            Guard(decision);
            decision.AcceptedMinutes = _accepted;
            decision.RefusedMinutes = _refused;
            decision.Index = _decisionIndex++;
            if (_decisionsSinceRescale < int.MaxValue) _decisionsSinceRescale++;
            _accepted = _refused = _minuteInSpan = 0;
            return decision;
        }
        finally { Exit(); }
    }

    // Step limit, then the bounds (they are hard), then the cooldown; shadow mode acts on nothing.
    void Guard(PolicyDecision decision)
    {
        var proposed = decision.ProposedBuffer;
        var reasons = decision.ReasonBuffer;
        decision.UnguardedBuffer.CopyTo(proposed);
        double factor = _options.MaxStepFactor;
        bool coolingDown = _decisionsSinceRescale < _options.CooldownSpans;
        for (int i = 0; i < _n; i++)
        {
            int p = _current[i], next = proposed[i];
            if (double.IsFinite(factor))
            {
                int highest = (int)Math.Floor(p * factor), lowest = (int)Math.Ceiling(p / factor);
                int bounded = Math.Clamp(next, lowest, Math.Max(lowest, highest));
                if (bounded != next) (next, reasons[i]) = (bounded, DecisionReason.StepLimit);
            }
            int clamped = Math.Clamp(next, _min, _max);
            if (clamped != next) (next, reasons[i]) = (clamped, DecisionReason.Clamp);
            if (coolingDown && next != p) (next, reasons[i]) = (p, DecisionReason.Cooldown);
            proposed[i] = next;
        }
        decision.Shadow = _options.Shadow;
        (_options.Shadow ? _current : proposed).CopyTo(decision.ParallelismBuffer);
        decision.Rescales = !decision.Parallelism.SequenceEqual(_current);
    }

    void Enter()
    {
        if (Interlocked.Exchange(ref _inUse, 1) != 0)
            throw new InvalidOperationException("this PolicySession is already in a call on another thread: a session is single-threaded (use one session per job and thread)");
    }

    void Exit() => Volatile.Write(ref _inUse, 0);
}
