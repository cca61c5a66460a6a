using Sure.Tensors.Devices;

namespace Sure.Devices.Tests;

static class Check
{
    public static DeviceBuffer Upload(this IComputeBackend backend, float[] data)
    {
        var buffer = backend.Allocate(ElementType.Float32, data.Length);
        backend.Upload<float>(data, buffer);
        return buffer;
    }

    public static DeviceBuffer Upload(this IComputeBackend backend, int[] data)
    {
        var buffer = backend.Allocate(ElementType.Int32, data.Length);
        backend.Upload<int>(data, buffer);
        return buffer;
    }

    public static float[] Floats(this IComputeBackend backend, DeviceBuffer buffer)
    {
        var data = new float[buffer.Length];
        backend.Download<float>(buffer, data);
        return data;
    }

    public static int[] Ints(this IComputeBackend backend, DeviceBuffer buffer)
    {
        var data = new int[buffer.Length];
        backend.Download<int>(buffer, data);
        return data;
    }

    public static float[] RandomFloats(Random rng, int n, float lo, float hi)
    {
        var data = new float[n];
        for (int i = 0; i < n; i++) data[i] = lo + (hi - lo) * rng.NextSingle();
        return data;
    }

    /// <summary>|actual - expected| &lt;= abs + rel * |expected| everywhere (NaN only where NaN is expected).</summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double rel, double abs, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            if (float.IsNaN(e) && float.IsNaN(a)) continue;
            if (e == a) continue;
            double err = Math.Abs((double)a - e);
            if (!(err <= abs + rel * Math.Abs(e)))
                Assert.Fail($"{what}: [{i}] = {a:R}, expected {e:R} (error {err:G3} > {abs:G3} + {rel:G3} * |expected|)");
        }
    }

    /// <summary>Bit-for-bit equality, reporting the first differing element.</summary>
    public static void Same(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: [{i}] = {actual[i]:R}, expected exactly {expected[i]:R}");
    }

    public static void Same(ReadOnlySpan<int> expected, ReadOnlySpan<int> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            if (expected[i] != actual[i]) Assert.Fail($"{what}: [{i}] = {actual[i]}, expected {expected[i]}");
    }
}
