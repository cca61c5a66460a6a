using System.Runtime.CompilerServices;
using Sure.Autodiff;
using Sure.Tensors;

namespace Sure.Autodiff.Tests;

public class TensorTests
{
    [Fact]
    public void Reshape_is_a_view_of_the_same_buffer()
    {
        var t = Tensor<float>.Zeros(2, 3);
        var flat = t.Reshape(6);
        flat[4] = 7f;
        Assert.Equal(7f, t[1, 1]);
        Assert.Equal(new Shape(6), flat.Shape);
        Assert.Equal(2, t.Rows);
        Assert.Equal(3, t.Cols);
        Assert.Throws<ArgumentException>(() => t.Reshape(4));
    }

    [Fact]
    public void Shape_reports_dims_and_length()
    {
        var s = new Shape(2, 3, 4);
        Assert.Equal(3, s.Rank);
        Assert.Equal(24, s.Length);
        Assert.Equal(4, s.Cols);
        Assert.Equal(6, s.Rows);
        Assert.Equal("[2, 3, 4]", s.ToString());
        Assert.Throws<ArgumentException>(() => new Shape(1, 1, 1, 1, 1));
    }

    [Fact]
    public void Arena_hands_out_the_same_buffers_after_reset()
    {
        var arena = new Arena<double>(minChunkElements: 8);
        int[] sizes = [3, 5, 20, 1, 9, 40];
        var first = sizes.Select(n => arena.Rent(n)).ToArray();
        long capacity = arena.Capacity;
        arena.Reset();
        var second = sizes.Select(n => arena.Rent(n)).ToArray();
        Assert.Equal(capacity, arena.Capacity);
        for (int i = 0; i < sizes.Length; i++)
            Assert.True(Unsafe.AreSame(ref first[i].Span[0], ref second[i].Span[0]), $"buffer {i} moved");
        // live tensors never overlap
        first[0].Span.Fill(1);
        first[1].Span.Fill(2);
        Assert.All(first[0].ToArray(), v => Assert.Equal(1.0, v));
    }

    [Fact]
    public void Tape_reshape_shares_gradient_with_its_input()
    {
        var tape = new Tape<double>();
        var x = tape.Variable(Tensor<double>.FromArray([1, 2, 3, 4, 5, 6], 2, 3));
        var y = tape.Reshape(x, 3, 2);
        tape.Backward(tape.Sum(tape.Scale(y, 2.0)));
        Assert.Equal([2.0, 2, 2, 2, 2, 2], x.Grad.ToArray());
    }

    [Fact]
    public void Matmul_and_bilinear_give_known_values()
    {
        var tape = new Tape<double>(inference: true);
        var a = tape.Constant(Tensor<double>.FromArray([1, 2, 3, 4, 5, 6], 2, 3));
        var b = tape.Constant(Tensor<double>.FromArray([1, 0, 0, 1, 1, 1], 3, 2));
        Assert.Equal([4.0, 5, 10, 11], tape.MatMul(a, b).Value.ToArray());
        Assert.Equal([4.0, 5, 10, 11], tape.MatMul(a, tape.Constant(Tensor<double>.FromArray([1, 0, 1, 0, 1, 1], 2, 3)), transB: true).Value.ToArray());
        var w = tape.Constant(Tensor<double>.FromArray([1, 0, 0, 0, 1, 0, 0, 0, 1], 3, 3));
        // identity weight: bilinear(a, I, a) = a a^T
        Assert.Equal([14.0, 32, 32, 77], tape.Bilinear(a, w, a).Value.ToArray());
    }

    [Fact]
    public void Segment_mean_and_csr_mean_of_empty_sets_are_zero()
    {
        var tape = new Tape<double>(inference: true);
        var x = tape.Constant(Tensor<double>.FromArray([1, 2, 3, 4, 5, 6], 3, 2));
        Assert.Equal([2.0, 3, 0, 0, 5, 6], tape.SegmentMean(x, new[] { 0, 2, 2, 3 }).Value.ToArray());
        var graph = Csr.FromEdges(3, [0, 1], [2, 2], undirected: false);
        Assert.Equal([0.0, 0, 0, 0, 2, 3], tape.CsrMean(x, graph).Value.ToArray());
    }
}
