namespace Sure.Autodiff;

public sealed partial class Tape<T>
{
    // x: [m, h]  w: [h, h2]  z: [p, h2]; returns [m, p], y[a, b] = x[a] . w . z[b]
    // Two matmuls, so the backward is theirs.
    public Var<T> Bilinear(Var<T> x, Var<T> w, Var<T> z) => MatMul(MatMul(x, w), z, transB: true);
}
