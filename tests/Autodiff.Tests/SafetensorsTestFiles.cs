using System.Buffers.Binary;
using System.Text;
using Sure.Autodiff;

namespace Sure.Autodiff.Tests;

/// <summary>Builders shared by the safetensors tests: valid sample files and hand-assembled raw bytes.</summary>
internal static class SafetensorsTestFiles
{
    /// <summary>Length prefix + the given header text (unpadded, exactly as given) + data.</summary>
    public static byte[] Raw(string header, byte[]? data = null) => Raw(Encoding.UTF8.GetBytes(header), data);

    public static byte[] Raw(byte[] header, byte[]? data = null)
    {
        data ??= [];
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    public static SafetensorsFile Sample()
    {
        var file = new SafetensorsFile();
        file.Metadata["lo"] = "-0.5";
        file.Metadata["note"] = "sample";
        file.Add("weights", [1.5f, -2f, 3.25f, float.NaN, float.PositiveInfinity, -0f], 2, 3);
        file.Add("bias", [0.1, -1e300, double.Epsilon], 3);
        file.Add("index", [7, -1, int.MaxValue, int.MinValue], 2, 2);
        file.Add("scalar", [42.0]);
        file.Add("empty", Array.Empty<float>(), 0);
        file.Add("empty2d", Array.Empty<int>(), 3, 0);
        return file;
    }

    public static SafetensorsFile[] Bases()
    {
        var single = new SafetensorsFile();
        single.Add("a", [1, 2, 3], 3);
        var twoDoubles = new SafetensorsFile();
        twoDoubles.Add("x0", [0.5, 1.5, -2.5, 3.0, 4.0, 5.0], 2, 3);
        twoDoubles.Add("y", [9.0], 1);
        twoDoubles.Metadata["hi"] = "0.5";
        return [Sample(), single, twoDoubles, new SafetensorsFile()];
    }

    public static void AssertSameContent(SafetensorsFile expected, SafetensorsFile actual)
    {
        Assert.Equal(expected.Names.OrderBy(n => n, StringComparer.Ordinal), actual.Names.OrderBy(n => n, StringComparer.Ordinal));
        foreach (var name in expected.Names)
        {
            Assert.Equal(expected[name].Dtype, actual[name].Dtype);
            Assert.Equal(expected[name].Shape, actual[name].Shape);
            Assert.Equal(expected[name].Data, actual[name].Data);
        }
        Assert.Equal(expected.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal), actual.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
    }
}
