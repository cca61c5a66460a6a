using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Sure.Autodiff;

namespace Sure.Autodiff.Tests;

public class SafetensorsRoundTripTests
{
    [Fact]
    public void WriteThenReadKeepsEveryDtypeShapeValueAndMetadata()
    {
        var original = SafetensorsTestFiles.Sample();
        var back = SafetensorsFile.Read(original.ToBytes(), "sample");

        SafetensorsTestFiles.AssertSameContent(original, back);
        Assert.Equal([2, 3], back.GetFloat("weights").Shape);
        Assert.Equal(-2f, back.GetFloat("weights").Values[1]);
        Assert.True(float.IsNaN(back.GetFloat("weights").Values[3]));
        Assert.Equal(double.Epsilon, back.GetDouble("bias").Values[2]);
        Assert.Equal([7, -1, int.MaxValue, int.MinValue], back.GetInt32("index").Values);
        Assert.Empty(back.GetDouble("scalar").Shape);
        Assert.Equal([42.0], back.GetDouble("scalar").Values);
        Assert.Empty(back.GetFloat("empty").Values);
        Assert.Equal([3, 0], back.GetInt32("empty2d").Shape);
        Assert.Equal("-0.5", back.Metadata["lo"]);
    }

    [Fact]
    public void WrittenBytesMatchTheFormatByHand()
    {
        var file = new SafetensorsFile();
        file.Add("a", [7], 1);
        const string header = """{"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}""";
        Assert.Equal(54, header.Length); // 8 + 54 rounds up to 64: two spaces of padding

        var expected = new byte[8 + 56 + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(expected, 56);
        Encoding.ASCII.GetBytes(header + "  ").CopyTo(expected, 8);
        expected[64] = 7;
        Assert.Equal(expected, file.ToBytes());
    }

    [Fact]
    public void WriterIsDeterministicAlignedAndIndependentOfInsertionOrder()
    {
        var forward = new SafetensorsFile();
        forward.Add("b", [1.0, 2.0], 2);
        forward.Add("a", [3], 1);
        forward.Metadata["z"] = "1";
        forward.Metadata["y"] = "2";
        var backward = new SafetensorsFile();
        backward.Metadata["y"] = "2";
        backward.Metadata["z"] = "1";
        backward.Add("a", [3], 1);
        backward.Add("b", [1.0, 2.0], 2);

        byte[] bytes = forward.ToBytes();
        Assert.Equal(bytes, backward.ToBytes());
        Assert.Equal(bytes, forward.ToBytes());
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, (8 + headerLength) % 8);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        Assert.Equal([SafetensorsFile.MetadataKey, "a", "b"], header.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(4 + 16, bytes.Length - 8 - (int)headerLength);
    }

    [Fact]
    public void FileOnDiskRoundTripsAndUnicodeNamesSurvive()
    {
        var file = new SafetensorsFile();
        file.Add("grad.W0", [1f, 2f], 1, 2);
        file.Add("σ \"quoted\" <tag>", [5], 1);
        file.Metadata["ünïcode"] = "värde\n";
        string path = Path.Combine(Path.GetTempPath(), $"st-roundtrip-{Guid.NewGuid():N}.safetensors");
        try
        {
            file.Write(path);
            var back = SafetensorsFile.Read(path);
            SafetensorsTestFiles.AssertSameContent(file, back);
            Assert.Equal(path, back.SourceName);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void StreamReadMatchesByteRead()
    {
        var file = SafetensorsTestFiles.Sample();
        using var stream = new MemoryStream();
        file.Write(stream);
        stream.Position = 0;
        SafetensorsTestFiles.AssertSameContent(file, SafetensorsFile.Read(stream, "stream"));
    }

    [Fact]
    public void FloatGetterNarrowsF64AndDoubleGetterWidensF32()
    {
        var file = new SafetensorsFile();
        file.Add("d", [0.1, 1e300], 2);
        file.Add("f", [0.1f], 1);
        Assert.Equal([0.1f, float.PositiveInfinity], file.GetFloat("d").Values);
        Assert.Equal([(double)0.1f], file.GetDouble("f").Values);
    }

    [Fact]
    public void GettersReportMissingTensorsAndIndexDtypeMismatch()
    {
        var file = SafetensorsFile.Read(SafetensorsTestFiles.Sample().ToBytes(), "model.safetensors");
        var missing = Assert.Throws<SafetensorsFormatException>(() => file.GetFloat("nope"));
        Assert.Equal("model.safetensors: tensor 'nope' is missing", missing.Message);
        var wrong = Assert.Throws<SafetensorsFormatException>(() => file.GetInt32("weights"));
        Assert.Equal("model.safetensors: tensor 'weights' has dtype F32, expected I32", wrong.Message);
        Assert.Throws<SafetensorsFormatException>(() => file.GetDouble("index"));
    }

    [Fact]
    public void AddRejectsShapeMismatchDuplicatesAndTheReservedName()
    {
        var file = new SafetensorsFile();
        Assert.Throws<ArgumentException>(() => file.Add("a", [1f, 2f], 3));
        Assert.Throws<ArgumentException>(() => file.Add("a", [1f], -1, -1));
        Assert.Throws<ArgumentException>(() => file.Add(SafetensorsFile.MetadataKey, [1f], 1));
        file.Add("a", [1f], 1);
        Assert.Throws<ArgumentException>(() => file.Add("a", [1], 1));
    }

    [Fact]
    public void ArbitraryValuesRoundTripBitForBit()
    {
        Prop.ForAll(
            ArbMap.Default.ArbFor<double[]>(),
            ArbMap.Default.ArbFor<float[]>(),
            ArbMap.Default.ArbFor<int[]>(),
            (double[] doubles, float[] floats, int[] ints) =>
            {
                var file = new SafetensorsFile();
                file.Add("d", doubles, doubles.Length);
                file.Add("f", floats, 1, floats.Length);
                file.Add("i", ints, ints.Length, 1);
                var back = SafetensorsFile.Read(file.ToBytes(), "prop");
                SafetensorsTestFiles.AssertSameContent(file, back);
                Assert.Equal(doubles.Select(BitConverter.DoubleToInt64Bits), back.GetDouble("d").Values.Select(BitConverter.DoubleToInt64Bits));
                Assert.Equal(floats.Select(BitConverter.SingleToInt32Bits), back.GetFloat("f").Values.Select(BitConverter.SingleToInt32Bits));
                Assert.Equal(ints, back.GetInt32("i").Values);
            }).QuickCheckThrowOnFailure();
    }
}
