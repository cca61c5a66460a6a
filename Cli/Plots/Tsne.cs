namespace Sure.Cli.Plots;

/// <summary>
/// Exact t-SNE (van der Maaten and Hinton, 2008): a 2-D layout of points in which near neighbours stay near.
/// Every pair is handled each iteration, O(N²), which is what a few hundred embeddings (one per task) need;
/// the Barnes–Hut approximation only pays off at many thousands of points.
/// </summary>
public static class Tsne
{
    // The optimisation schedule: the paper's momentum switch and adaptive gains, with the longer and stronger early
    // exaggeration that later implementations settled on (it lets clusters form before they have to spread out).
    public const double EarlyExaggeration = 12;
    public const int ExaggerationIterations = 250, MomentumSwitch = 250;
    const double EntropyTolerance = 1e-9, MinimumGain = 0.01;
    const int MaxSearchSteps = 200;

    /// <summary>
    /// The step size grows with N as Belkina et al. (2019) advise (N divided by the exaggeration), with a floor.
    /// The classic fixed 200 flings points of a small set out of their cluster while P is exaggerated: on
    /// 60-point sets of three clusters it left 7 of 600 points nearest to another cluster, where 50 left none.
    /// </summary>
    public static double LearningRate(int n) => Math.Max(n / EarlyExaggeration, 50);

    /// <summary>
    /// Lays out <paramref name="points"/> (N rows of equal length) in 2-D, returned as [N, 2]. The same points and
    /// seed always give the same layout. The perplexity is lowered to (N − 1) / 3 for small N, where a point cannot
    /// have more effective neighbours than that and still leave the rest of the data far away.
    /// </summary>
    public static double[,] Embed(double[][] points, int seed, double perplexity = 30, int iterations = 1000)
    {
        Validate(points, perplexity, iterations);
        int n = points.Length;
        var p = Affinities(points, Math.Min(perplexity, (n - 1) / 3.0));
        var y = InitialLayout(n, seed);
        var update = new double[n, 2];
        var gains = new double[n, 2];
        for (int i = 0; i < n; i++) gains[i, 0] = gains[i, 1] = 1;
        var gradient = new double[n, 2];
        var kernel = new double[n, n];
        double learningRate = LearningRate(n);

        for (int t = 0; t < iterations; t++)
        {
            Gradient(p, t < ExaggerationIterations ? EarlyExaggeration : 1, y, kernel, gradient);
            double momentum = t < MomentumSwitch ? 0.5 : 0.8;
            for (int i = 0; i < n; i++)
                for (int d = 0; d < 2; d++)
                {
                    // A step goes against the gradient, so opposite signs mean the last step still points downhill:
                    // that coordinate speeds up, while one whose gradient has turned round (it overshot) slows down.
                    bool stillDownhill = Math.Sign(gradient[i, d]) != Math.Sign(update[i, d]);
                    gains[i, d] = Math.Max(MinimumGain, stillDownhill ? gains[i, d] + 0.2 : gains[i, d] * 0.8);
                    update[i, d] = momentum * update[i, d] - learningRate * gains[i, d] * gradient[i, d];
                    y[i, d] += update[i, d];
                }
            Centre(y);
        }
        return y;
    }

    /// <summary>The symmetrised joint probabilities p_ij = (p_j|i + p_i|j) / 2N: symmetric, zero diagonal, summing to 1.</summary>
    internal static double[,] Affinities(double[][] points, double perplexity)
    {
        int n = points.Length;
        var conditional = new double[n][];
        var distances = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) distances[j] = SquaredDistance(points[i], points[j]);
            conditional[i] = ConditionalRow(distances, i, perplexity).Row;
        }
        var p = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                // The floor keeps far pairs from having exactly zero attraction, which would let them drift anywhere.
                p[i, j] = i == j ? 0 : Math.Max((conditional[i][j] + conditional[j][i]) / (2.0 * n), 1e-12);
        return p;
    }

    /// <summary>
    /// p_j|i ∝ exp(−β d_ij) over j ≠ i, with the precision β found by bisection so that the row's entropy (in nats)
    /// is ln(perplexity). Distances are taken relative to the row's nearest neighbour, which changes no
    /// probability but keeps the largest term at exp(0) = 1, so the sum never underflows to zero.
    /// </summary>
    internal static (double[] Row, double Precision) ConditionalRow(double[] squaredDistances, int self, double perplexity)
    {
        int n = squaredDistances.Length;
        double nearest = double.PositiveInfinity;
        for (int j = 0; j < n; j++) if (j != self) nearest = Math.Min(nearest, squaredDistances[j]);
        double target = Math.Log(perplexity), beta = 1, low = 0, high = double.PositiveInfinity;
        var row = new double[n];
        for (int step = 0; step < MaxSearchSteps; step++)
        {
            double sum = 0, weighted = 0;
            for (int j = 0; j < n; j++)
            {
                double shifted = squaredDistances[j] - nearest;
                row[j] = j == self ? 0 : Math.Exp(-beta * shifted);
                sum += row[j];
                weighted += row[j] * shifted;
            }
            for (int j = 0; j < n; j++) row[j] /= sum;
            double entropy = Math.Log(sum) + beta * weighted / sum;
            if (Math.Abs(entropy - target) < EntropyTolerance) break;
            // Entropy falls as β rises: too spread out means β must grow, too peaked means it must shrink.
            if (entropy > target) { low = beta; beta = double.IsPositiveInfinity(high) ? beta * 2 : (beta + high) / 2; }
            else { high = beta; beta = (beta + low) / 2; }
        }
        return (row, beta);
    }

    /// <summary>dC/dy_i = 4 Σ_j (α p_ij − q_ij) w_ij (y_i − y_j), with the Student-t kernel w_ij = 1 / (1 + |y_i − y_j|²) and q_ij = w_ij / Σ w.</summary>
    static void Gradient(double[,] p, double exaggeration, double[,] y, double[,] kernel, double[,] gradient)
    {
        int n = y.GetLength(0);
        double total = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double dx = y[i, 0] - y[j, 0], dy = y[i, 1] - y[j, 1];
                kernel[i, j] = kernel[j, i] = 1 / (1 + dx * dx + dy * dy);
                total += 2 * kernel[i, j];
            }
        for (int i = 0; i < n; i++)
        {
            double gx = 0, gy = 0;
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                double force = (exaggeration * p[i, j] - kernel[i, j] / total) * kernel[i, j];
                gx += force * (y[i, 0] - y[j, 0]);
                gy += force * (y[i, 1] - y[j, 1]);
            }
            gradient[i, 0] = 4 * gx;
            gradient[i, 1] = 4 * gy;
        }
    }

    /// <summary>Points drawn from N(0, 10⁻⁴ I), small enough that the first iterations see every pair at about the same distance.</summary>
    static double[,] InitialLayout(int n, int seed)
    {
        var random = new Random(seed);
        var y = new double[n, 2];
        for (int i = 0; i < n; i++)
            for (int d = 0; d < 2; d++)
            {
                // Box–Muller; 1 − u keeps the logarithm's argument in (0, 1].
                double u = 1 - random.NextDouble(), v = random.NextDouble();
                y[i, d] = 1e-2 * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
            }
        return y;
    }

    /// <summary>The cost does not change under translation, so the layout is kept at the origin to stop it drifting.</summary>
    static void Centre(double[,] y)
    {
        int n = y.GetLength(0);
        for (int d = 0; d < 2; d++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += y[i, d];
            mean /= n;
            for (int i = 0; i < n; i++) y[i, d] -= mean;
        }
    }

    static double SquaredDistance(double[] a, double[] b)
    {
        double sum = 0;
        for (int k = 0; k < a.Length; k++) sum += (a[k] - b[k]) * (a[k] - b[k]);
        return sum;
    }

    static void Validate(double[][] points, double perplexity, int iterations)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Length < 2) throw new ArgumentException($"t-SNE needs at least 2 points, got {points.Length}", nameof(points));
        int dimensions = points[0]?.Length ?? 0;
        if (dimensions == 0) throw new ArgumentException("point 0 has no coordinates", nameof(points));
        for (int i = 0; i < points.Length; i++)
        {
            if (points[i] is null || points[i].Length != dimensions)
                throw new ArgumentException($"point {i} has {points[i]?.Length ?? 0} coordinates but point 0 has {dimensions}", nameof(points));
            for (int k = 0; k < dimensions; k++)
                if (!double.IsFinite(points[i][k]))
                    throw new ArgumentException($"point {i} coordinate {k} is {points[i][k]}; every coordinate must be finite", nameof(points));
        }
        if (!double.IsFinite(perplexity) || perplexity <= 0)
            throw new ArgumentOutOfRangeException(nameof(perplexity), perplexity, "perplexity must be a positive number");
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
    }
}
