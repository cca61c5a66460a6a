using Sure.Cli.Plots;

namespace Sure.Cli.Tests;

public class TsneTests
{
    /// <summary>Clusters of unit-variance Gaussian points in 10-D around centres 10 apart on the first axes.</summary>
    static (double[][] Points, int[] Cluster) PlantedClusters(int clusters, int perCluster, int seed)
    {
        var random = new Random(seed);
        var points = new double[clusters * perCluster][];
        var cluster = new int[points.Length];
        for (int i = 0; i < points.Length; i++)
        {
            cluster[i] = i % clusters; // interleaved, so the layout cannot lean on the input order
            points[i] = new double[10];
            for (int k = 0; k < 10; k++)
                points[i][k] = (k == cluster[i] ? 10 : 0) + Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        }
        return (points, cluster);
    }

    static double Distance(double[,] y, int i, int j) => Math.Sqrt(Math.Pow(y[i, 0] - y[j, 0], 2) + Math.Pow(y[i, 1] - y[j, 1], 2));

    [Fact]
    public void PlantedClustersComeOutSeparated()
    {
        var (points, cluster) = PlantedClusters(4, 25, seed: 3);
        // In 10-D a point is about 4.5 from its cluster-mates and 14 from the rest: the clusters are unmistakable.
        var y = Tsne.Embed(points, seed: 1);
        int n = points.Length;
        Assert.Equal((n, 2), (y.GetLength(0), y.GetLength(1)));

        double intra = 0, inter = 0;
        int intraPairs = 0, interPairs = 0;
        for (int i = 0; i < n; i++)
        {
            int nearest = -1;
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                if (nearest < 0 || Distance(y, i, j) < Distance(y, i, nearest)) nearest = j;
                if (cluster[i] == cluster[j]) { intra += Distance(y, i, j); intraPairs++; }
                else { inter += Distance(y, i, j); interPairs++; }
            }
            Assert.True(cluster[nearest] == cluster[i], $"point {i}'s nearest 2-D neighbour {nearest} is in another cluster");
        }
        double ratio = intra / intraPairs / (inter / interPairs);
        Assert.True(ratio < 0.3, $"mean intra-cluster distance is {ratio:F3} of the mean inter-cluster distance");
    }

    [Fact]
    public void SmallSetsKeepEveryPointWithItsCluster()
    {
        // Sixty points in three tight clusters (uniform noise on offsets of 8 in 8-D), over ten seeds: no point may
        // land nearest to another cluster. Too large a step (a fixed 200) flings a few points out while P is exaggerated.
        int wrong = 0;
        for (int seed = 0; seed < 10; seed++)
        {
            var random = new Random(seed);
            var points = Enumerable.Range(0, 60).Select(i => Enumerable.Range(0, 8).Select(k => (k == i % 3 ? 8 : 0) + random.NextDouble()).ToArray()).ToArray();
            var y = Tsne.Embed(points, seed);
            wrong += Enumerable.Range(0, 60).Count(i => Enumerable.Range(0, 60).Where(j => j != i).MinBy(j => Distance(y, i, j)) % 3 != i % 3);
        }
        Assert.Equal(0, wrong);
    }

    [Fact]
    public void RandomLabelsAreNotSeparated()
    {
        // The same measure on labels that ignore the planted structure must fail, or the test above proves nothing.
        var (points, cluster) = PlantedClusters(4, 25, seed: 3);
        var y = Tsne.Embed(points, seed: 1);
        var random = new Random(11);
        var shuffled = cluster.OrderBy(_ => random.Next()).ToArray();
        int wrong = Enumerable.Range(0, cluster.Length).Count(i =>
            shuffled[Enumerable.Range(0, cluster.Length).Where(j => j != i).MinBy(j => Distance(y, i, j))] != shuffled[i]);
        Assert.True(wrong > cluster.Length / 2, $"only {wrong} points have a nearest neighbour with another shuffled label");
    }

    [Fact]
    public void PerplexityCalibrationHitsAHandComputedPrecision()
    {
        // Point 0 at the origin, neighbours at squared distances 1, 2 and 2. With β = ln 2 the weights e^{−βd} are
        // 1/2, 1/4, 1/4 — in proportion 2 : 1 : 1, so p = (1/2, 1/4, 1/4), entropy 1.5 ln 2 nats, perplexity 2^1.5.
        double[] squaredDistances = [0, 1, 2, 2];
        var (row, precision) = Tsne.ConditionalRow(squaredDistances, self: 0, perplexity: Math.Pow(2, 1.5));
        Assert.Equal(Math.Log(2), precision, 1e-8);
        Assert.Equal([0, 0.5, 0.25, 0.25], row.Select(p => Math.Round(p, 8)));
    }

    [Theory]
    [InlineData(5.0)]
    [InlineData(20.0)]
    public void EveryRowHasTheTargetEntropy(double perplexity)
    {
        var (points, _) = PlantedClusters(3, 20, seed: 5);
        for (int i = 0; i < points.Length; i++)
        {
            var distances = points.Select(q => q.Zip(points[i], (a, b) => (a - b) * (a - b)).Sum()).ToArray();
            var (row, _) = Tsne.ConditionalRow(distances, i, perplexity);
            Assert.Equal(1, row.Sum(), 1e-12);
            Assert.Equal(0, row[i]);
            Assert.Equal(Math.Log(perplexity), -row.Where(p => p > 0).Sum(p => p * Math.Log(p)), 1e-6);
        }
    }

    [Fact]
    public void JointAffinitiesAreSymmetricAndSumToOne()
    {
        var (points, _) = PlantedClusters(2, 10, seed: 9);
        var p = Tsne.Affinities(points, perplexity: 5);
        double total = 0;
        for (int i = 0; i < points.Length; i++)
        {
            Assert.Equal(0, p[i, i]);
            for (int j = 0; j < points.Length; j++)
            {
                Assert.Equal(p[i, j], p[j, i]);
                total += p[i, j];
            }
        }
        Assert.Equal(1, total, 1e-9);
    }

    [Fact]
    public void SameSeedSameLayoutOtherSeedAnother()
    {
        var (points, _) = PlantedClusters(3, 10, seed: 2);
        var a = Tsne.Embed(points, seed: 4, iterations: 300);
        var b = Tsne.Embed(points, seed: 4, iterations: 300);
        var c = Tsne.Embed(points, seed: 5, iterations: 300);
        Assert.Equal(a.Cast<double>(), b.Cast<double>());
        Assert.NotEqual(a.Cast<double>(), c.Cast<double>());
    }

    [Fact]
    public void SmallInputsGetALoweredPerplexityAndStayFinite()
    {
        // Five points cannot have 30 effective neighbours; the perplexity is lowered to (5 − 1) / 3 rather than failing.
        var y = Tsne.Embed([[0.0, 0], [1, 0], [0, 1], [5, 5], [5, 5]], seed: 1, iterations: 200);
        Assert.All(y.Cast<double>(), v => Assert.True(double.IsFinite(v)));
        var two = Tsne.Embed([[0.0], [1.0]], seed: 1, iterations: 50);
        Assert.All(two.Cast<double>(), v => Assert.True(double.IsFinite(v)));
    }

    public static TheoryData<double[][], string> DegenerateInputs => new()
    {
        { [], "at least 2 points" },
        { [[1.0, 2.0]], "at least 2 points" },
        { [[1.0, 2.0], [3.0]], "point 1 has 1 coordinates but point 0 has 2" },
        { [[1.0, 2.0], null!], "point 1 has 0 coordinates" },
        { [[], []], "point 0 has no coordinates" },
        { [[1.0, 2.0], [double.NaN, 0.0]], "point 1 coordinate 0 is NaN" },
        { [[1.0, double.PositiveInfinity], [0.0, 0.0]], "point 0 coordinate 1 is" },
    };

    [Theory]
    [MemberData(nameof(DegenerateInputs))]
    public void DegenerateInputsThrowWithAClearMessage(double[][] points, string message)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Tsne.Embed(points, seed: 1));
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData(0.0, 100)]
    [InlineData(double.NaN, 100)]
    [InlineData(30.0, -1)]
    public void BadSettingsThrow(double perplexity, int iterations) =>
        Assert.ThrowsAny<ArgumentException>(() => Tsne.Embed([[0.0], [1.0], [2.0]], seed: 1, perplexity, iterations));
}
