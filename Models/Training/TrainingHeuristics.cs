using System.Globalization;
using Sure.Sim;
using Sure.Sim.Autoscalers;

namespace Sure.Models.Training;

/// <summary>The heuristics a training run leans on: the bootstrap's teacher and the residual's base, each tuned on the
/// training range only (noise seed 1), never beyond it.</summary>
static class TrainingHeuristics
{
    /// <summary>A factory of the bootstrap's teacher (each worker builds its own; the tuning is done once, here).</summary>
    public static Func<IAutoscaler> Teacher(TeacherKind kind, StreamEnvironment env, TrainOptions options)
    {
        if (options.BootstrapIterations == 0) return () => new HpaAutoscaler();
        switch (kind)
        {
            case TeacherKind.HpaTuned:
                double target = Tuning.Hpa(env, options.TrainStart, options.TrainMinutes, 1).Target;
                return () => new HpaAutoscaler(target, "hpa-tuned");
            case TeacherKind.Clairvoyant:
                double rho = Tuning.Clairvoyant(env, options.TrainStart, options.TrainMinutes, 1).Rho;
                return () => new ClairvoyantAutoscaler(rho);
            default:
                return () => new HpaAutoscaler();
        }
    }

    /// <summary>
    /// The residual base's targets (HPA's, and Flink's for max-tuned; NaN and null for SPEC 4.4's current p), tuned on
    /// the training range, and written with the dead band into the model's metadata now: the validator and every later
    /// reader act with them (<see cref="SureAutoscaler.BaseHeuristic(IReadOnlyDictionary{string, string}, StreamEnvironment?)"/>).
    /// </summary>
    public static (double HpaTarget, double? FlinkTarget) TuneBase(TrainOptions options, StreamEnvironment env, IDictionary<string, string> metadata)
    {
        metadata.Remove(SureAutoscaler.BaseKey);
        metadata.Remove(SureAutoscaler.BaseTargetKey);
        metadata.Remove(SureAutoscaler.FlinkTargetKey);
        metadata.Remove(SureAutoscaler.DeadBandKey);
        if (options.DeadBand > 0) metadata[SureAutoscaler.DeadBandKey] = options.DeadBand.ToString("R", CultureInfo.InvariantCulture);
        if (options.Base == ActionBase.Current) return (double.NaN, null);
        // best-tuned is recorded as the base it chose on this job.
        var (hpa, flink) = SureAutoscaler.TuneBase(env, options.TrainStart, options.TrainMinutes, options.Base);
        metadata[SureAutoscaler.BaseKey] = flink is null ? SureAutoscaler.HpaTunedBase : SureAutoscaler.MaxTunedBase;
        metadata[SureAutoscaler.BaseTargetKey] = hpa.ToString("R", CultureInfo.InvariantCulture);
        if (flink is double f) metadata[SureAutoscaler.FlinkTargetKey] = f.ToString("R", CultureInfo.InvariantCulture);
        return (hpa, flink);
    }
}
