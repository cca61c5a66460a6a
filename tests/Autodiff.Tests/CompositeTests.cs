using Sure.Autodiff;
using Sure.Tensors;

namespace Sure.Autodiff.Tests;

public class CompositeTests
{
    [Theory]
    [InlineData(9, 3, 5, 3, 12, 1, false)]
    [InlineData(7, 2, 4, 1, 6, 2, true)] // B = 1 and a node without neighbours, as in the fixture's edge case
    [InlineData(10, 4, 6, 4, 15, 3, true)]
    public void Composite_gradient_matches_finite_differences(int n, int d, int h, int b, int edges, int seed, bool isolated)
    {
        var problem = Composite.RandomProblem(n, d, h, b, edges, seed, isolated);
        GradCheck.Assert(problem, problem.Inputs(), new GradCheckOptions { Seed = seed, Names = Composite.InputNames });
    }

    [Fact]
    public void With_one_graph_the_negative_term_is_zero()
    {
        var problem = Composite.RandomProblem(5, 2, 3, 1, 4, 7);
        var tape = new Tape<double>();
        var v = problem.Shapes.Select((s, k) => tape.Constant(new Tensor<double>(problem.Values[k], 0, s))).ToArray();
        var outputs = Composite.Build(tape, v[0], problem.Graph, problem.Seg, v[1], v[2], v[3], v[4], v[5], v[6]);
        double t00 = outputs.Scores.Value[0];
        double expected = -(Math.Max(-t00, 0) + Math.Log(1 + Math.Exp(-Math.Abs(t00))));
        Assert.Equal(expected, outputs.I.Item, 12);
    }

    [Fact]
    public void Composite_value_matches_a_direct_computation()
    {
        var p = Composite.RandomProblem(6, 2, 3, 2, 5, 11, isolatedNode: true);
        var tape = new Tape<double>(inference: true);
        var v = p.Shapes.Select((s, k) => tape.Constant(new Tensor<double>(p.Values[k], 0, s))).ToArray();
        double actual = p.Loss(tape, v).Item;
        Assert.Equal(DirectMi(p), actual, 10);
    }

    [Fact]
    public void Composite_in_float_matches_double()
    {
        var p = Composite.RandomProblem(40, 8, 16, 5, 60, 13, isolatedNode: true);
        GradCheck.AssertFloatVsDouble(p, p.Inputs(), new GradCheckOptions { Seed = 13, Names = Composite.InputNames });
    }

    // Loops straight from the formulas in FIXTURES.md, sharing nothing with the tape.
    static double DirectMi(Composite.Problem p)
    {
        var (x, w0, b0, w1, b1, wd, f) = (p.Values[0], p.Values[1], p.Values[2], p.Values[3], p.Values[4], p.Values[5], p.Values[6]);
        int n = p.Shapes[0][0], d = p.Shapes[0][1], h = p.Shapes[2][0], bCount = p.Shapes[6][0];
        double[] Layer(double[] input, int din, double[] w, double[] bias)
        {
            var output = new double[n * h];
            for (int v = 0; v < n; v++)
            {
                var cat = new double[2 * din];
                for (int c = 0; c < din; c++) cat[c] = input[v * din + c];
                int lo = p.Graph.RowPtr[v], hi = p.Graph.RowPtr[v + 1];
                for (int e = lo; e < hi; e++)
                    for (int c = 0; c < din; c++) cat[din + c] += input[p.Graph.Cols[e] * din + c] / (hi - lo);
                for (int j = 0; j < h; j++)
                {
                    double s = bias[j];
                    for (int c = 0; c < 2 * din; c++) s += cat[c] * w[c * h + j];
                    output[v * h + j] = Math.Max(s, 0);
                }
            }
            return output;
        }
        var h2 = Layer(Layer(x, d, w0, b0), h, w1, b1);
        var hg = new double[bCount * h];
        for (int g = 0; g < bCount; g++)
            for (int r = p.Seg[g]; r < p.Seg[g + 1]; r++)
                for (int j = 0; j < h; j++) hg[g * h + j] += h2[r * h + j] / (p.Seg[g + 1] - p.Seg[g]);
        double Score(int a, int b)
        {
            double s = 0;
            for (int i = 0; i < h; i++)
                for (int j = 0; j < h; j++) s += hg[a * h + i] * wd[i * h + j] * f[b * h + j];
            return s;
        }
        static double Sp(double z) => Math.Log(1 + Math.Exp(z));
        double positive = 0, negative = 0;
        for (int a = 0; a < bCount; a++)
        {
            positive -= Sp(-Score(a, a)) / bCount;
            for (int b = 0; b < bCount; b++)
                if (a != b) negative += Sp(Score(a, b)) / (bCount * (bCount - 1));
        }
        return positive - negative;
    }
}
