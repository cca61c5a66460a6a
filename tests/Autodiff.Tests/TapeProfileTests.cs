using Sure.Tensors;

namespace Sure.Autodiff.Tests;

public class TapeProfileTests
{
    [Fact]
    public void Profile_counts_each_op_kind_and_times_both_directions()
    {
        var tape = new Tape<double>();
        var profile = new TapeProfile();
        tape.Profile = profile;
        var w = new Parameter<double>("w", Tensor<double>.FromArray([1.0, -2, 3, 4, 5, -6], 2, 3));
        for (int round = 0; round < 3; round++)
        {
            tape.Reset();
            var x = tape.Constant(Tensor<double>.FromArray([1.0, 2, 3, 4], 2, 2));
            var y = tape.Relu(tape.MatMul(x, tape.Param(w)));     // [2, 3]
            var loss = tape.Sum(tape.Mul(y, y));
            tape.Backward(loss);
        }
        var rows = profile.Rows().ToDictionary(r => r.Op);
        Assert.Equal(["MatMul", "Mul", "Relu", "Sum"], rows.Keys.Order());
        Assert.All(rows.Values, r => Assert.Equal(3, r.Calls));
        Assert.All(rows.Values, r => Assert.True(r.ForwardSeconds >= 0 && r.BackwardSeconds > 0, r.Op));
        profile.Clear();
        Assert.Empty(profile.Rows());
        tape.Profile = null;
        tape.Reset();
        tape.Relu(tape.Param(w));
        Assert.Empty(profile.Rows());   // detached: nothing more is counted
    }
}
