namespace Sure.Models.Training;

/// <summary>The loss terms of SPEC 5 on any tape (the CPU's or a device's: <see cref="IDiffTape{TVar, T}"/>), and the return/advantage arithmetic of SPEC 6.</summary>
public static class Losses
{
    /// <summary>
    /// JS mutual-information estimate over a minibatch of B graphs, T(a, b) = a^T W b, sp = softplus:
    /// I_JS = mean_{(b,i)} -sp(-T(h_g[b,i], f(G_b))) - mean_{b' != b, i} sp(T(h_g[b',i], f(G_b))); 0 when B = 1.
    /// </summary>
    // hg: [B*n, H] row b*n + i = task i of graph b   f: [B, H]   disc: [H, H]; returns [1]
    public static TVar JsMutualInformation<TVar, T>(IDiffTape<TVar, T> tape, TVar hg, TVar f, TVar disc, int tasksPerGraph)
        where TVar : struct where T : unmanaged, IFloatingPointIeee754<T>
    {
        int B = tape.ShapeOf(f).Rows, rows = tape.ShapeOf(hg).Rows;
        if (rows != B * tasksPerGraph) throw new ArgumentException($"h_g has {rows} rows, expected {B} graphs x {tasksPerGraph} tasks");
        if (B < 2)
        {
            var zero = tape.NewTensor(1);
            zero.Span.Clear();
            return tape.Constant(zero);
        }
        var scores = tape.Bilinear(hg, disc, f);                              // [B*n, B]: T(h_g[row], f(G_b))
        var positive = tape.NewTensor(rows, B);
        var negative = tape.NewTensor(rows, B);
        var pos = positive.Span;
        var neg = negative.Span;
        for (int row = 0; row < rows; row++)
            for (int b = 0; b < B; b++)
            {
                bool own = row / tasksPerGraph == b;
                pos[row * B + b] = own ? T.One : T.Zero;
                neg[row * B + b] = own ? T.Zero : T.One;
            }
        var positiveTerm = tape.Sum(tape.Mul(tape.Softplus(tape.Neg(scores)), tape.Constant(positive)));
        var negativeTerm = tape.Sum(tape.Mul(tape.Softplus(scores), tape.Constant(negative)));
        return tape.Sub(tape.Scale(positiveTerm, T.CreateChecked(-1.0 / rows)),
                        tape.Scale(negativeTerm, T.CreateChecked(1.0 / ((double)rows * (B - 1)))));
    }

    /// <summary>KL of N(mu, sigma^2) to N(0, 1), mean over the masked entries: mean(0.5 (mu^2 + sigma^2 - 1 - ln sigma^2)).</summary>
    // mu, sigma: any shape with `mask.Length` elements; mask: 1 where the entry counts (task and valid slots, not padding)
    public static TVar Kl<TVar, T>(IDiffTape<TVar, T> tape, TVar mu, TVar sigma, Tensor<T> mask, int count)
        where TVar : struct where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = mask.Length;
        mu = tape.Reshape(mu, rows, 1);
        sigma = tape.Reshape(sigma, rows, 1);
        var twice = tape.Sub(tape.Add(tape.Mul(mu, mu), tape.Mul(sigma, sigma)), tape.Scale(tape.Log(sigma), T.CreateChecked(2)));
        var masked = tape.Mul(tape.AddScalar(twice, -T.One), tape.Constant(mask));
        return tape.Scale(tape.Sum(masked), T.CreateChecked(0.5 / count));
    }

    /// <summary>G_t = sum_{k >= t} gamma^(k-t) r_k per rollout.</summary>
    // rewards, returns: [R, steps]
    public static void ReturnsToGo(ReadOnlySpan<double> rewards, int steps, double gamma, Span<double> returns)
    {
        for (int start = 0; start < rewards.Length; start += steps)
        {
            double g = 0;
            for (int t = steps - 1; t >= 0; t--)
            {
                g = rewards[start + t] + gamma * g;
                returns[start + t] = g;
            }
        }
    }

    /// <summary>
    /// Decima's input-dependent baseline: b_t = mean over the R rollouts of G_t (same window, same step); the
    /// advantages G - b are then normalised to mean 0, standard deviation 1 over the batch (left at 0 when they are
    /// all equal).
    /// </summary>
    // returns, advantages: [R, steps]
    public static void Advantages(ReadOnlySpan<double> returns, int steps, Span<double> advantages)
    {
        int rollouts = returns.Length / steps;
        for (int t = 0; t < steps; t++)
        {
            double baseline = 0;
            for (int r = 0; r < rollouts; r++) baseline += returns[r * steps + t];
            baseline /= rollouts;
            for (int r = 0; r < rollouts; r++) advantages[r * steps + t] = returns[r * steps + t] - baseline;
        }
        Normalise(advantages);
    }

    /// <summary>
    /// Per-task credit (docs/training.md): the same as ReturnsToGo and Advantages, per task, on the span rewards' per-task
    /// shares (StreamEnvironment.RewardShares): G_{r,t,i} = s_{r,t,i} + gamma G_{r,t+1,i}, baseline b_{t,i} = mean over the
    /// R rollouts, then G - b normalised over the whole batch.
    /// </summary>
    // shares, returns, advantages: [R, steps, tasks]
    public static void TaskAdvantages(ReadOnlySpan<double> shares, int steps, int tasks, double gamma, Span<double> returns, Span<double> advantages)
    {
        int rollouts = shares.Length / (steps * tasks);
        for (int r = 0; r < rollouts; r++)
            for (int i = 0; i < tasks; i++)
            {
                double g = 0;
                for (int t = steps - 1; t >= 0; t--)
                {
                    int k = (r * steps + t) * tasks + i;
                    g = shares[k] + gamma * g;
                    returns[k] = g;
                }
            }
        int cells = steps * tasks;
        for (int c = 0; c < cells; c++)
        {
            double baseline = 0;
            for (int r = 0; r < rollouts; r++) baseline += returns[r * cells + c];
            baseline /= rollouts;
            for (int r = 0; r < rollouts; r++) advantages[r * cells + c] = returns[r * cells + c] - baseline;
        }
        Normalise(advantages);
    }

    // To mean 0 and standard deviation 1 (all 0 when the values are all equal).
    static void Normalise(Span<double> advantages)
    {
        double mean = 0, square = 0;
        foreach (double a in advantages) mean += a;
        mean /= advantages.Length;
        foreach (double a in advantages) square += (a - mean) * (a - mean);
        double std = Math.Sqrt(square / advantages.Length);
        for (int k = 0; k < advantages.Length; k++) advantages[k] = std > 1e-12 ? (advantages[k] - mean) / std : 0;
    }
}
