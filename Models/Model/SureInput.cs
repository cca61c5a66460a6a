namespace Sure.Models;

/// <summary>
/// One batch of tasks for the forward of SPEC 4: the conceptual S_i stacked over tasks, and the noises.
/// </summary>
public sealed class SureInput<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // s: [N, L, 1+K, D] (padding slots zero)   x, y: [N, L, 1+K] standard normal and Gumbel(0, 1) noise
    public SureInput(Tensor<T> s, Tensor<T> x, Tensor<T> y, NeighbourTable neighbours)
    {
        if (s.Rank != 4) throw new ArgumentException($"S must be [N, L, 1+K, D], got {s.Shape}");
        int n = s.Dim(0), l = s.Dim(1), slots = s.Dim(2);
        if (n != neighbours.Tasks || slots != 1 + neighbours.K)
            throw new ArgumentException($"S is {s.Shape} but nbr is [{neighbours.Tasks}, {neighbours.K}]: expected S [{neighbours.Tasks}, L, {1 + neighbours.K}, D]");
        if (l <= 0) throw new ArgumentException($"S has L = {l} snapshots; need at least one");
        var noiseShape = new Shape(n, l, slots);
        if (x.Shape != noiseShape) throw new ArgumentException($"x is {x.Shape}, expected {noiseShape}");
        if (y.Shape != noiseShape) throw new ArgumentException($"y is {y.Shape}, expected {noiseShape}");
        S = s; X = x; Y = y;
        Neighbours = neighbours;
    }

    public Tensor<T> S { get; }
    public Tensor<T> X { get; }
    public Tensor<T> Y { get; }
    public NeighbourTable Neighbours { get; }
    public int Tasks => S.Dim(0);
    public int L => S.Dim(1);
    public int K => Neighbours.K;
    public int D => S.Dim(3);
}
