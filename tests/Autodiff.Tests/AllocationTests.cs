using Sure.Autodiff;
using Sure.Tensors;
using Sure.Tests;

namespace Sure.Autodiff.Tests;

public class AllocationTests
{
    sealed class Model
    {
        public readonly ParameterSet<float> Parameters = new();
        public readonly Tensor<float> X;
        public readonly Composite.Problem Problem;

        public Model()
        {
            Problem = Composite.RandomProblem(n: 60, d: 8, h: 16, b: 4, edges: 120, seed: 5, isolatedNode: true);
            X = Tensor<float>.FromArray(Problem.Values[0].Select(v => (float)v).ToArray(), Problem.Shapes[0][0], Problem.Shapes[0][1]);
            for (int k = 1; k < Composite.InputNames.Length; k++)
            {
                var p = Parameters.Add(Composite.InputNames[k], Problem.Shapes[k].Rank == 1
                    ? [Problem.Shapes[k][0]]
                    : [Problem.Shapes[k][0], Problem.Shapes[k][1]]);
                for (int i = 0; i < p.Value.Length; i++) p.Value[i] = (float)Problem.Values[k][i];
            }
        }

        public Var<float> Forward(Tape<float> t)
        {
            var ps = Parameters;
            return Composite.Build(t, t.Constant(X), Problem.Graph, Problem.Seg, t.Param(ps["W0"]), t.Param(ps["b0"]),
                t.Param(ps["W1"]), t.Param(ps["b1"]), t.Param(ps["Wd"]), t.Param(ps["f"])).I;
        }
    }

    [Fact]
    public void Repeated_training_step_allocates_nothing_after_warm_up()
    {
        var model = new Model();
        var tape = new Tape<float>();
        var adam = new Adam<float>(model.Parameters, 1e-3f);
        void Step()
        {
            tape.Reset();
            model.Parameters.ZeroGrad();
            var loss = tape.Neg(model.Forward(tape));
            tape.Backward(loss);
            model.Parameters.ClipGradNorm(1f);
            adam.Step();
        }
        for (int i = 0; i < 3; i++) Step();
        long capacity = tape.Arena.Capacity;
        Assert.Equal(0, Allocations.SteadyState(Step));
        Assert.Equal(capacity, tape.Arena.Capacity);
        Assert.True(model.Parameters["W0"].Grad.ToArray().Any(g => g != 0), "the step must actually produce gradients");
    }

    [Fact]
    public void Inference_mode_allocates_nothing_and_records_no_gradient()
    {
        var model = new Model();
        var tape = new Tape<float>(inference: true);
        float first = 0;
        for (int i = 0; i < 3; i++)
        {
            tape.Reset();
            first = model.Forward(tape).Item;
        }
        float last = 0;
        Assert.Equal(0, Allocations.SteadyState(() => { tape.Reset(); last = model.Forward(tape).Item; }));
        Assert.Equal(first, last);
        var output = model.Forward(tape);
        Assert.False(output.RequiresGrad);
        Assert.Throws<InvalidOperationException>(() => tape.Backward(output));
    }
}
