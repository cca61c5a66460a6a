using Sure.Autodiff;
using Sure.Tensors;

namespace Sure.Autodiff.Tests;

public class OptimizerTests
{
    [Fact]
    public void Adam_two_steps_match_the_hand_computed_update()
    {
        var set = new ParameterSet<double>();
        var p = set.Add("w", 2);
        p.Value[0] = 1.0;
        p.Value[1] = -2.0;
        var adam = new Adam<double>(set, lr: 0.1);

        // step 1: m = 0.1 g, v = 0.001 g^2, so m^ = g, v^ = g^2 and the step is lr * sign(g) (up to eps)
        p.Grad[0] = 0.5;
        p.Grad[1] = -1.0;
        adam.Step();
        Assert.Equal(0.900000002, p.Value[0], 12);
        Assert.Equal(-1.900000001, p.Value[1], 12);

        // step 2, first element: m = 0.065, v = 0.00028975, m^ = 0.065 / 0.19, v^ = 0.00028975 / 0.001999
        p.Grad[0] = 0.2;
        p.Grad[1] = 3.0;
        adam.Step();
        Assert.Equal(0.8101424839029282, p.Value[0], 12);
        Assert.Equal(-1.9494189841087441, p.Value[1], 12);
        Assert.Equal(2, adam.StepCount);
    }

    [Fact]
    public void Clipping_scales_to_the_max_norm_and_returns_the_norm_before()
    {
        var set = new ParameterSet<double>();
        var a = set.Add("a", 2);
        var b = set.Add("b.weight", 1, 1);
        a.Grad[0] = 3;
        a.Grad[1] = 4;
        b.Grad[0] = 12; // global norm sqrt(9 + 16 + 144) = 13

        Assert.Equal(13.0, set.ClipGradNorm(20.0), 12);
        Assert.Equal([3.0, 4.0, 12.0], [a.Grad[0], a.Grad[1], b.Grad[0]]);

        Assert.Equal(13.0, set.ClipGradNorm(6.5), 12);
        Assert.Equal(1.5, a.Grad[0], 12);
        Assert.Equal(2.0, a.Grad[1], 12);
        Assert.Equal(6.0, b.Grad[0], 12);
        Assert.Equal(6.5, set.GradNorm(), 12);

        set.ZeroGrad();
        Assert.Equal(0.0, set.GradNorm());
    }

    [Fact]
    public void Parameters_are_found_by_name_and_names_are_unique()
    {
        var set = new ParameterSet<float>();
        var w = set.Add("sage.0.weight", 4, 3);
        set.Add("sage.0.bias", 3);
        Assert.Same(w, set["sage.0.weight"]);
        Assert.Equal(15, set.ElementCount);
        Assert.Throws<ArgumentException>(() => set.Add("sage.0.bias", 3));
    }

    [Fact]
    public void Backward_accumulates_into_parameter_gradients_across_tapes()
    {
        var set = new ParameterSet<double>();
        var w = set.Add("w", 3);
        w.Value.CopyFrom([1.0, 2.0, 3.0]);
        var tape = new Tape<double>();
        for (int pass = 0; pass < 2; pass++)
        {
            tape.Reset();
            var v = tape.Param(w);
            tape.Backward(tape.Sum(v * v)); // d/dw sum(w^2) = 2w
        }
        Assert.Equal([4.0, 8.0, 12.0], w.Grad.ToArray());
    }
}
