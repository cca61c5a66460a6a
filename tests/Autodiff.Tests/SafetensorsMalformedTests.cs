using System.Buffers.Binary;
using Sure.Autodiff;
using static Sure.Autodiff.Tests.SafetensorsTestFiles;

namespace Sure.Autodiff.Tests;

public class SafetensorsMalformedTests
{
    private const string Source = "bad.safetensors";

    private static string Tensor(string name, string dtype, string shape, string offsets) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":{offsets}}}";

    private static byte[] LengthPrefix(ulong length, int extraBytes)
    {
        var bytes = new byte[8 + extraBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, length);
        return bytes;
    }

    private static byte[] ValidMinusLastByte()
    {
        byte[] valid = Sample().ToBytes();
        return valid[..^1];
    }

    public static TheoryData<string, byte[], string> Defects => new()
    {
        { "truncated length prefix", [1, 0, 0], "file is 3 bytes, too short for the 8-byte header length (truncated)" },
        { "empty file", [], "file is 0 bytes" },
        { "header longer than file", LengthPrefix(100, 20), "header length 100 is longer than the 20 bytes after the length prefix" },
        { "absurd header length", LengthPrefix(1UL << 40, 4), $"header length {1UL << 40} is absurd" },
        { "max header length", LengthPrefix(ulong.MaxValue, 4), "is absurd" },
        { "non-UTF-8 header", Raw([(byte)'{', 0xC3, 0x28, (byte)'}']), "header is not valid UTF-8" },
        { "invalid JSON", Raw("{\"a\":"), "header is not valid JSON" },
        { "trailing comma", Raw("{\"a\":{},}"), "header is not valid JSON" },
        { "empty header", Raw(""), "header is not valid JSON" },
        { "nesting too deep", Raw("{\"a\":" + new string('[', 100) + new string(']', 100) + "}"), "header is not valid JSON" },
        { "byte order mark", Raw([0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}']), "header is not valid JSON" },
        { "header not an object", Raw("[1,2]"), "header is a JSON Array, not an object" },
        { "entry not an object", Raw("{\"a\":3}"), "tensor 'a': header entry is a JSON Number, not an object" },
        { "missing dtype", Raw("{\"a\":{\"shape\":[],\"data_offsets\":[0,0]}}"), "tensor 'a': missing field 'dtype'" },
        { "missing shape", Raw("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,0]}}"), "tensor 'a': missing field 'shape'" },
        { "missing offsets", Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[0]}}"), "tensor 'a': missing field 'data_offsets'" },
        { "unexpected field", Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0],\"x\":1}}"), "tensor 'a': unexpected field 'x'" },
        { "duplicate field", Raw("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}"), "tensor 'a': duplicate field 'dtype'" },
        { "dtype not a string", Raw("{\"a\":{\"dtype\":5,\"shape\":[0],\"data_offsets\":[0,0]}}"), "tensor 'a': 'dtype' is a JSON Number, not a string" },
        { "unknown dtype", Raw("{" + Tensor("a", "BF16", "[1]", "[0,2]") + "}", new byte[2]), "tensor 'a': unsupported dtype 'BF16' (expected F32, F64 or I32)" },
        { "lower-case dtype", Raw("{" + Tensor("a", "f32", "[1]", "[0,4]") + "}", new byte[4]), "unsupported dtype 'f32'" },
        { "shape not an array", Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":3,\"data_offsets\":[0,12]}}", new byte[12]), "tensor 'a': 'shape' is a JSON Number, not an array" },
        { "fractional dimension", Raw("{" + Tensor("a", "F32", "[1.5]", "[0,4]") + "}", new byte[4]), "tensor 'a': shape element 0 (1.5) is not an integer in int32 range" },
        { "dimension beyond int32", Raw("{" + Tensor("a", "F32", "[1,4294967296]", "[0,4]") + "}", new byte[4]), "shape element 1 (4294967296) is not an integer" },
        { "string dimension", Raw("{" + Tensor("a", "F32", "[\"2\"]", "[0,8]") + "}", new byte[8]), "shape element 0 (\"2\") is not an integer" },
        { "negative dimension", Raw("{" + Tensor("a", "F32", "[2,-3]", "[0,0]") + "}"), "tensor 'a': negative dimension -3 in shape [2, -3]" },
        { "offsets not a pair", Raw("{" + Tensor("a", "F32", "[0]", "[0]") + "}"), "tensor 'a': 'data_offsets' must be an array of two integers, got [0]" },
        { "negative offset", Raw("{" + Tensor("a", "F32", "[0]", "[-4,0]") + "}"), "tensor 'a': data_offsets begin (-4) is not a non-negative 64-bit integer" },
        { "begin after end", Raw("{" + Tensor("a", "F32", "[1]", "[8,4]") + "}", new byte[8]), "tensor 'a': data_offsets [8, 4] begin after they end" },
        { "offsets outside data", Raw("{" + Tensor("a", "F32", "[2]", "[0,8]") + "}", new byte[4]), "tensor 'a': data_offsets [0, 8] lie outside the 4-byte data section" },
        { "truncated data section", ValidMinusLastByte(), "lie outside the" },
        { "shape does not match bytes", Raw("{" + Tensor("a", "F64", "[2,3]", "[0,40]") + "}", new byte[40]), "tensor 'a': dtype F64 shape [2, 3] needs 48 bytes but data_offsets [0, 40] span 40" },
        { "element count overflows", Raw("{" + Tensor("a", "F64", "[2147483647,2147483647,2147483647]", "[0,8]") + "}", new byte[8]), "needs more than 2^63 bytes" },
        { "overlapping tensors", Raw("{" + Tensor("a", "F32", "[2]", "[0,8]") + "," + Tensor("b", "F32", "[2]", "[4,12]") + "}", new byte[12]), "tensors 'a' [0, 8] and 'b' [4, 12] overlap" },
        { "shared bytes", Raw("{" + Tensor("a", "F32", "[1]", "[0,4]") + "," + Tensor("b", "I32", "[1]", "[0,4]") + "}", new byte[4]), "overlap" },
        { "gap between tensors", Raw("{" + Tensor("a", "F32", "[1]", "[0,4]") + "," + Tensor("b", "F32", "[1]", "[8,12]") + "}", new byte[12]), "data bytes [4, 8) before tensor 'b' belong to no tensor (gap)" },
        { "gap at start", Raw("{" + Tensor("a", "F32", "[1]", "[4,8]") + "}", new byte[8]), "data bytes [0, 4) before tensor 'a' belong to no tensor (gap)" },
        { "trailing bytes", Raw("{" + Tensor("a", "F32", "[1]", "[0,4]") + "}", new byte[7]), "3 trailing bytes after the last tensor (the data section must be fully covered)" },
        { "duplicate names", Raw("{" + Tensor("a", "F32", "[1]", "[0,4]") + "," + Tensor("a", "F32", "[1]", "[4,8]") + "}", new byte[8]), "duplicate name 'a' in header" },
        { "metadata not an object", Raw("{\"__metadata__\":[]}"), "'__metadata__' is a JSON Array, not an object of strings" },
        { "metadata value not a string", Raw("{\"__metadata__\":{\"lo\":-0.5}}"), "'__metadata__' value for key 'lo' is a JSON Number, not a string" },
        { "duplicate metadata key", Raw("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}"), "duplicate key 'k' in '__metadata__'" },
        { "lone surrogate name", Raw("{\"\\ud800\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}"), "not valid Unicode" },
    };

    [Theory]
    [MemberData(nameof(Defects))]
    public void EachDefectIsReportedWithTheFileNameAndTheDefect(string defect, byte[] bytes, string expectedMessagePart)
    {
        var error = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Read(bytes, Source));
        Assert.StartsWith(Source + ": ", error.Message);
        Assert.Contains(expectedMessagePart, error.Message);
        Assert.Equal(Source, error.SourceName);
        Assert.False(string.IsNullOrEmpty(defect));
    }

    [Fact]
    public void ReadingAPathNamesThePath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"st-bad-{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, LengthPrefix(1000, 3));
        try
        {
            var error = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Read(path));
            Assert.StartsWith(path + ": header length 1000", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AMissingFileIsAFormatErrorNamingThePath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"st-missing-{Guid.NewGuid():N}.safetensors");
        var error = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Read(path));
        Assert.StartsWith(path + ": cannot be read", error.Message);
    }

    [Fact]
    public void SpacePaddingAndEmptyTensorsAnywhereAreAccepted()
    {
        string header = "{" + Tensor("e", "F32", "[0]", "[4,4]") + "," + Tensor("a", "I32", "[1]", "[0,4]") + "," + Tensor("s", "F64", "[]", "[4,12]") + "}      ";
        var file = SafetensorsFile.Read(Raw(header, new byte[12]), Source);
        Assert.Equal(["e", "a", "s"], file.Names);
        Assert.Equal([0.0], file.GetDouble("s").Values);
        Assert.Empty(file.GetFloat("e").Values);
    }
}
