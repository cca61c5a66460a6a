namespace Sure.Policy.Tests;

/// <summary>SPEC 12's guardrails, each against values worked out by hand from its rule.</summary>
public class GuardrailTests
{
    static readonly JobDag Chain = new(["source", "map", "sink"], [("source", "map"), ("map", "sink")]);
    const int L = 60;

    // A model that answers m = bias for every task: 2 sigmoid(10) = 1.99991 doubles p, 2 sigmoid(-10) = 0.00009 sets 1.
    static readonly Lazy<PolicyWeights> Doubling = new(() => Load(TestModels.Constant(10f)));
    static readonly Lazy<PolicyWeights> Shrinking = new(() => Load(TestModels.Constant(-10f)));

    static PolicyWeights Load(string path)
    {
        try { return PolicyWeights.Load(path); }
        finally { File.Delete(path); }
    }

    static TaskMetrics Healthy(int p, double busy = 0.5) => new(6000, busy, p, 1.5, 0);

    static void ObserveSpan(PolicySession session, int p, double busy = 0.5, int minutes = L)
    {
        var metrics = new TaskMetrics[3];
        for (int m = 0; m < minutes; m++)
        {
            metrics.AsSpan().Fill(Healthy(p, busy));
            Assert.True(session.Observe(metrics, m));
        }
    }

    [Fact]
    public void Without_guardrails_the_policy_decides()
    {
        var session = new PolicySession(Doubling.Value, Chain, [4, 4, 4]);
        ObserveSpan(session, 4);
        var decision = session.Decide();
        Assert.Equal([8, 8, 8], decision.Parallelism.ToArray());
        Assert.Equal([8, 8, 8], decision.Unguarded.ToArray());
        Assert.All(decision.Reasons.ToArray(), r => Assert.Equal(DecisionReason.Policy, r));
        Assert.False(decision.FellBack);
        Assert.True(decision.Rescales);
    }

    public static TheoryData<string, double, int> BadValues => new()
    {
        { "records", double.NaN, (int)MetricField.RecordsIn },
        { "records", -1, (int)MetricField.RecordsIn },
        { "busy", double.PositiveInfinity, (int)MetricField.Busy },
        { "busy", 1.5, (int)MetricField.Busy },
        { "latency", double.NaN, (int)MetricField.LatencySeconds },
        { "backlog", double.NegativeInfinity, (int)MetricField.Backlog },
        { "capacity", double.PositiveInfinity, (int)MetricField.Capacity },
        { "parallelism", 0, (int)MetricField.Parallelism },
        { "parallelism", 65, (int)MetricField.Parallelism },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_minute_with_a_missing_or_unusable_metric_is_refused(string field, double value, int expected)
    {
        var session = new PolicySession(Doubling.Value, Chain, [4, 4, 4]);
        var good = Healthy(4);
        var bad = field switch
        {
            "records" => good with { RecordsIn = value },
            "busy" => good with { Busy = value },
            "latency" => good with { LatencySeconds = value },
            "backlog" => good with { Backlog = value },
            "capacity" => good with { Capacity = value },
            _ => good with { Parallelism = (int)value },
        };
        Assert.False(session.Observe([good, bad, good], 0));
        Assert.Equal(1, session.LastRefusedTask);
        Assert.Equal((MetricField)expected, session.LastRefusedField);
        Assert.Equal(1, session.RefusedMinutes);
        Assert.True(session.Observe([good, good, good], 1));
        Assert.Equal(1, session.AcceptedMinutes);
    }

    [Fact]
    public void A_few_refused_minutes_leave_the_decision_to_the_policy()
    {
        var session = new PolicySession(Doubling.Value, Chain, [4, 4, 4]);
        var metrics = new TaskMetrics[3];
        for (int m = 0; m < L; m++)
        {
            metrics.AsSpan().Fill(Healthy(4));
            if (m % 5 == 0) metrics[2] = metrics[2] with { Busy = double.NaN };       // 12 of 60 refused, the limit is 15
            session.Observe(metrics, m);
        }
        var decision = session.Decide();
        Assert.False(decision.FellBack);
        Assert.Equal(12, decision.RefusedMinutes);
        Assert.Equal([8, 8, 8], decision.Parallelism.ToArray());
    }

    /// <summary>
    /// 20 of 60 minutes refused: HPA (target 0.7) decides on the 40 that exist. Busy 0.95 in the last one:
    /// ceil(4 x 0.95 / 0.7) = ceil(5.43) = 6. Busy 0.2 in the last one but 0.6 within the five before: a scale-down
    /// takes the largest recommendation of the window, ceil(4 x 0.6 / 0.7) = 4, so 4 stays. Busy 0.7: within HPA's
    /// tolerance, 4 stays.
    /// </summary>
    [Fact]
    public void Too_many_refused_minutes_fall_back_to_hpa_on_the_minutes_that_exist()
    {
        var session = new PolicySession(Doubling.Value, Chain, [4, 4, 4]);
        var metrics = new TaskMetrics[3];
        int accepted = 0;
        for (int m = 0; m < L; m++)
        {
            bool refuse = m % 3 == 0;
            bool last = m == L - 1;
            metrics[0] = Healthy(4, busy: last ? 0.95 : 0.3);
            metrics[1] = Healthy(4, busy: last ? 0.2 : 0.6);
            metrics[2] = Healthy(4, busy: 0.7);
            if (refuse) metrics[1] = metrics[1] with { LatencySeconds = double.NaN };
            else accepted++;
            session.Observe(metrics, m);
        }
        var decision = session.Decide();
        Assert.True(decision.FellBack);
        Assert.Equal(accepted, decision.AcceptedMinutes);
        Assert.Equal([6, 4, 4], decision.Parallelism.ToArray());
        Assert.All(decision.Reasons.ToArray(), r => Assert.Equal(DecisionReason.Fallback, r));
        Assert.All(decision.ActionMeans.ToArray(), m => Assert.True(float.IsNaN(m)));
    }

    [Fact]
    public void With_no_usable_minute_the_fallback_holds()
    {
        var session = new PolicySession(Doubling.Value, Chain, [3, 5, 7]);
        session.Observe([Healthy(3), Healthy(5) with { RecordsIn = double.NaN }, Healthy(7)], 0);
        var decision = session.Decide();
        Assert.True(decision.FellBack);
        Assert.Equal([3, 5, 7], decision.Parallelism.ToArray());
        Assert.False(decision.Rescales);
    }

    [Fact]
    public void A_span_not_yet_observed_counts_as_missing()
    {
        var session = new PolicySession(Doubling.Value, Chain, [4, 4, 4]);
        ObserveSpan(session, 4, busy: 0.95, minutes: 44);            // 16 missing, above a quarter of 60
        var decision = session.Decide();
        Assert.True(decision.FellBack);
        Assert.Equal([6, 6, 6], decision.Parallelism.ToArray());      // HPA: ceil(4 x 0.95 / 0.7)
    }

    [Fact]
    public void Parallelism_stays_within_min_and_max()
    {
        var up = new PolicySession(Doubling.Value, Chain, [4, 4, 4], new PolicyOptions { MaxParallelism = 5 });
        ObserveSpan(up, 4);
        var decision = up.Decide();
        Assert.Equal([5, 5, 5], decision.Parallelism.ToArray());
        Assert.Equal([8, 8, 8], decision.Unguarded.ToArray());
        Assert.All(decision.Reasons.ToArray(), r => Assert.Equal(DecisionReason.Clamp, r));

        var down = new PolicySession(Shrinking.Value, Chain, [4, 4, 4], new PolicyOptions { MinParallelism = 3 });
        ObserveSpan(down, 4);
        decision = down.Decide();
        Assert.Equal([1, 1, 1], decision.Unguarded.ToArray());
        Assert.Equal([3, 3, 3], decision.Parallelism.ToArray());
        Assert.All(decision.Reasons.ToArray(), r => Assert.Equal(DecisionReason.Clamp, r));
    }

    /// <summary>Factor 1.5 from p = 4: at most floor(6) = 6, at least ceil(2.67) = 3.</summary>
    [Fact]
    public void A_step_moves_by_at_most_the_step_factor()
    {
        var options = new PolicyOptions { MaxStepFactor = 1.5 };
        var up = new PolicySession(Doubling.Value, Chain, [4, 4, 4], options);
        ObserveSpan(up, 4);
        var decision = up.Decide();
        Assert.Equal([6, 6, 6], decision.Parallelism.ToArray());
        Assert.All(decision.Reasons.ToArray(), r => Assert.Equal(DecisionReason.StepLimit, r));

        var down = new PolicySession(Shrinking.Value, Chain, [4, 4, 4], options);
        ObserveSpan(down, 4);
        Assert.Equal([3, 3, 3], down.Decide().Parallelism.ToArray());
    }

    [Fact]
    public void After_a_rescale_the_cooldown_holds_for_its_spans()
    {
        var session = new PolicySession(Doubling.Value, Chain, [4, 4, 4], new PolicyOptions { CooldownSpans = 2 });
        ObserveSpan(session, 4);
        Assert.Equal([8, 8, 8], session.Decide().Parallelism.ToArray());
        ObserveSpan(session, 8);                                       // the host applied it: a rescale
        var held = session.Decide();
        Assert.Equal([8, 8, 8], held.Parallelism.ToArray());
        Assert.Equal([16, 16, 16], held.Unguarded.ToArray());
        Assert.All(held.Reasons.ToArray(), r => Assert.Equal(DecisionReason.Cooldown, r));
        ObserveSpan(session, 8);
        Assert.Equal(DecisionReason.Cooldown, session.Decide().Reasons[0]);
        ObserveSpan(session, 8);
        var free = session.Decide();
        Assert.Equal([16, 16, 16], free.Parallelism.ToArray());
        Assert.Equal(DecisionReason.Policy, free.Reasons[0]);
    }

    [Fact]
    public void Shadow_mode_decides_and_reports_without_acting()
    {
        var session = new PolicySession(Doubling.Value, Chain, [4, 4, 4], new PolicyOptions { Shadow = true, MaxParallelism = 7 });
        ObserveSpan(session, 4);
        var decision = session.Decide();
        Assert.True(decision.Shadow);
        Assert.Equal([4, 4, 4], decision.Parallelism.ToArray());
        Assert.Equal([7, 7, 7], decision.Proposed.ToArray());
        Assert.Equal(DecisionReason.Clamp, decision.Reasons[1]);
        Assert.False(decision.Rescales);
    }

    [Fact]
    public void Options_that_cannot_work_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new PolicySession(Doubling.Value, Chain, [4, 4, 4], new PolicyOptions { MinParallelism = 9, MaxParallelism = 8 }));
        Assert.Throws<ArgumentException>(() => new PolicySession(Doubling.Value, Chain, [4, 4, 4], new PolicyOptions { MaxStepFactor = 0.5 }));
        Assert.Throws<ArgumentException>(() => new PolicySession(Doubling.Value, Chain, [4, 4]));
        Assert.Throws<ArgumentException>(() => new JobDag(["a", "b"], [("a", "b"), ("b", "a")]));
        Assert.Throws<ArgumentException>(() => new JobDag(["a", "b"], [("a", "c")]));
    }
}
