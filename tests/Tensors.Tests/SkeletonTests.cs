using Sure.Tensors;

namespace Sure.Tensors.Tests;

public class SkeletonTests
{
    [Fact]
    public void GemmMatchesHandComputedProduct()
    {
        // [1 2; 3 4] @ [5 6; 7 8] = [19 22; 43 50]
        float[] a = [1, 2, 3, 4], b = [5, 6, 7, 8], c = new float[4];
        Gemm.Multiply<float>(a, false, b, false, c, 2, 2, 2);
        Assert.Equal([19f, 22f, 43f, 50f], c);
    }
}
