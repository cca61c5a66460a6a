using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Sure.Policy;

/// <summary>
/// SPEC 3's encoder: the features of one task-minute from what the task reported that minute. The simulator's
/// monitor and a host's <see cref="PolicySession"/> both call it, so the policy sees the same numbers from a simulated
/// job and from a real one fed the same metrics (this file is compiled into Sure.Sim and Sure.Policy; Shared/README.md).
/// </summary>
static class TaskFeatures
{
    /// <summary>D of SPEC 3's features; <see cref="ForecastCount"/> with the time of day and the place in the span.</summary>
    public const int SpecCount = 8, ForecastCount = 11, MinutesPerDay = 1440;
    /// <summary>Feature 6 (the load ratio A / C) is capped at this before it is scaled to [0, 1].</summary>
    public const double MaxLoadRatio = 10;

    /// <summary>
    /// Features 0-7 of one task-minute. <paramref name="inverseParallelism"/> is 1 / p and <paramref name="inverseCapacity"/>
    /// 1 / C (records/min of all instances): callers that already hold them pass them, so that the simulator's hot loop
    /// divides once per value. D = 8 floats are one 256-bit vector, so the four ln(1 + x) cost one vector log.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Span<float> f, double recordsIn, double inverseParallelism, double busy, double parallelismShare,
        double latencySeconds, double backlog, double inverseCapacity, float restart)
    {
        double perInstance = recordsIn * inverseParallelism;
        double load = Math.Min(recordsIn * inverseCapacity, MaxLoadRatio) / MaxLoadRatio;
        if (Vector256.IsHardwareAccelerated)
        {
            var raw = Vector256.Create((float)recordsIn, (float)perInstance, (float)busy, (float)parallelismShare,
                (float)latencySeconds, (float)backlog, (float)load, restart);
            var logged = Vector256.Log(raw + Vector256<float>.One);
            Vector256.ConditionalSelect(LogLanes, logged, raw).CopyTo(f);
            return;
        }
        f[0] = MathF.Log(1 + (float)recordsIn);
        f[1] = MathF.Log(1 + (float)perInstance);
        f[2] = (float)busy;
        f[3] = (float)parallelismShare;
        f[4] = MathF.Log(1 + (float)latencySeconds);
        f[5] = MathF.Log(1 + (float)backlog);
        f[6] = (float)load;
        f[7] = restart;
    }

    static readonly Vector256<float> LogLanes = Vector256.Create(-1, -1, 0, 0, -1, -1, 0, 0).AsSingle();

    /// <summary>Feature 7: 1 - r(t), where r is the share of the minute the job ran (1 - restart_s / 60 in a restart minute).</summary>
    public static float Restart(double runningShare) => (float)(1 - runningShare);

    /// <summary>r(t) of a minute: 1, or 1 - restart_s / 60 when the job restarted in it (SPEC 2).</summary>
    public static double RunningShare(bool restarting, double restartSeconds) => restarting ? 1 - restartSeconds / 60 : 1;

    /// <summary>
    /// The forecast features 8-10 (D = 11): sin and cos of the minute's time of day as an angle, and its place in the
    /// span, (minute in span) / (L - 1): 0 right after a decision, 1 in the span's last minute.
    /// </summary>
    public static (float Sin, float Cos, float Place) Time(int minuteOfDay, int minuteInSpan, int spanMinutes)
    {
        double angle = 2 * Math.PI * minuteOfDay / MinutesPerDay;
        return ((float)Math.Sin(angle), (float)Math.Cos(angle), spanMinutes > 1 ? (float)minuteInSpan / (spanMinutes - 1) : 0);
    }

    /// <summary>Writes <see cref="Time"/>'s three values after the eight of SPEC 3.</summary>
    public static void WriteTime(Span<float> f, (float Sin, float Cos, float Place) time)
    {
        f[8] = time.Sin;
        f[9] = time.Cos;
        f[10] = time.Place;
    }
}
