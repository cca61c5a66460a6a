using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Sure.Models.Training;

/// <summary>
/// SPEC 6's best checkpoint on the validation day, and the loop that keeps it, for one-job and fleet training alike:
/// the initial weights are a checkpoint too, then every iteration is validated; of equal rewards the earliest is kept.
/// </summary>
sealed class BestCheckpoint(ParameterSet<float> parameters)
{
    readonly float[][] _best = parameters.Select(p => new float[p.Value.Length]).ToArray();

    /// <summary>Iterations completed when it was taken (0 = the initial weights, -1 = none yet), and its reward.</summary>
    public int Iteration { get; private set; } = -1;
    public double Reward { get; private set; } = double.NegativeInfinity;

    // Strictly better only.
    public void Offer(double reward, int iteration)
    {
        if (!(reward > Reward)) return;
        Reward = reward;
        Iteration = iteration;
        for (int j = 0; j < _best.Length; j++) parameters[j].Value.Span.CopyTo(_best[j]);
    }

    /// <summary>Sets the weights to the checkpoint (no-op before the first validation).</summary>
    public void Restore()
    {
        if (Iteration < 0) return;
        for (int k = 0; k < _best.Length; k++) _best[k].CopyTo(parameters[k].Value.Span);
    }

    /// <summary>
    /// options.Iterations steps (fewer when MaxMinutes or the token stops it), each validated when
    /// <paramref name="validate"/> is given; one log per iteration. completed: iterations done so far.
    /// </summary>
    public IReadOnlyList<IterationLog> Run(Func<IterationLog> step, Func<double>? validate, Func<int> completed, TrainOptions options,
        Action<IterationLog>? onIteration, CancellationToken cancel)
    {
        var logs = new List<IterationLog>(Math.Min(options.Iterations, 1024));
        var budget = Stopwatch.StartNew();
        if (validate is not null && Iteration < 0) Offer(validate(), completed());
        for (int k = 0; k < options.Iterations && !cancel.IsCancellationRequested; k++)
        {
            var log = step();
            if (validate is not null)
            {
                double reward = validate();
                log = log with { ValidationReward = reward };
                Offer(reward, completed());
            }
            logs.Add(log);
            onIteration?.Invoke(log);
            if (options.MaxMinutes is double minutes && budget.Elapsed.TotalMinutes >= minutes) break;
        }
        return logs;
    }

    /// <summary>
    /// Writes the checkpoint (the weights are set to it first) or, before any validation, the current weights, with
    /// metadata: job, seed, iterations, the best iteration and its validation reward, SURE's sampler and the options as
    /// JSON (a trainer adds its own keys to the model's metadata before).
    /// </summary>
    public void Save(IPolicyNetwork<float> model, string path, string job, int completed, TrainOptions options)
    {
        Restore();
        var metadata = model.Metadata;
        if (Iteration >= 0)
        {
            metadata["best_iteration"] = Iteration.ToString(CultureInfo.InvariantCulture);
            metadata["validation_reward"] = Reward.ToString("R", CultureInfo.InvariantCulture);
        }
        metadata["job"] = job;
        metadata["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture);
        metadata["iterations"] = completed.ToString(CultureInfo.InvariantCulture);
        if (model is SureModel<float>) metadata["sampler"] = options.Sampler == SamplerKind.Uniform ? "uniform" : "nvss";
        metadata["train_options"] = JsonSerializer.Serialize(options with { Threads = 0 }, ModelsJson.Default.TrainOptions);
        model.Save(path);
    }
}
