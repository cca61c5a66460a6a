using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Sure.Autodiff;
using static Sure.Autodiff.Tests.SafetensorsTestFiles;

namespace Sure.Autodiff.Tests;

/// <summary>
/// Seeded corruption of valid files: every mutant must either parse to a self-consistent file or fail with
/// exactly <see cref="SafetensorsFormatException"/> naming the source.
/// </summary>
public class SafetensorsFuzzTests
{
    private const int Iterations = 20_000;

    private static readonly JsonNode?[] DtypeValues =
        ["F32", "F64", "I32", "F16", "BF16", "I64", "U8", "f32", "", 5, null, true, new JsonArray()];

    [Fact]
    public void CorruptedFilesParseConsistentlyOrFailWithTheFormatException()
    {
        var random = new Random(20261121);
        var bases = Bases().Select(f => f.ToBytes()).ToArray();
        int accepted = 0, rejected = 0;
        for (int i = 0; i < Iterations; i++)
        {
            byte[] mutant = bases[random.Next(bases.Length)];
            int mutations = 1 + random.Next(3);
            for (int m = 0; m < mutations; m++) mutant = Mutate(mutant, random);
            if (CheckOutcome(mutant, $"fuzz-{i}")) accepted++;
            else rejected++;
        }
        // Both outcomes must be exercised, or the generator is not testing what it claims.
        Assert.True(accepted > Iterations / 50, $"only {accepted} mutants parsed");
        Assert.True(rejected > Iterations / 2, $"only {rejected} mutants were rejected");
    }

    [Fact]
    public void EveryTruncationOfAValidFileIsRejected()
    {
        byte[] valid = Sample().ToBytes();
        for (int length = 0; length < valid.Length; length++)
            Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Read(valid.AsSpan(0, length), "cut"));
    }

    [Fact]
    public void EveryHeaderLengthButTheTrueOneIsRejected()
    {
        byte[] valid = Sample().ToBytes();
        ulong trueLength = BinaryPrimitives.ReadUInt64LittleEndian(valid);
        for (ulong length = 0; length < (ulong)valid.Length + 16; length++)
        {
            if (length == trueLength) continue;
            BinaryPrimitives.WriteUInt64LittleEndian(valid, length);
            Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Read(valid, "length"));
        }
    }

    /// <summary>True when the mutant parsed (and was checked for consistency), false when it was rejected.</summary>
    private static bool CheckOutcome(byte[] mutant, string source)
    {
        SafetensorsFile file;
        try
        {
            file = SafetensorsFile.Read(mutant, source);
        }
        catch (SafetensorsFormatException e)
        {
            Assert.StartsWith(source + ": ", e.Message);
            return false;
        }
        catch (Exception e)
        {
            Assert.Fail($"{source}: {e.GetType().Name} escaped for bytes {Convert.ToHexString(mutant)}: {e}");
            throw;
        }
        AssertConsistent(file, mutant);
        return true;
    }

    private static void AssertConsistent(SafetensorsFile file, byte[] source)
    {
        Assert.Equal(file.Names.Count, file.Names.Distinct().Count());
        long dataBytes = 0;
        foreach (var entry in file.Entries)
        {
            long count = entry.Shape.Aggregate(1L, (product, dim) => product * dim);
            Assert.All(entry.Shape, dim => Assert.True(dim >= 0));
            Assert.Equal(count * (entry.Dtype == SafetensorsDtype.F64 ? 8 : 4), entry.Data.Length);
            int values = entry.Dtype == SafetensorsDtype.I32 ? file.GetInt32(entry.Name).Values.Length : file.GetDouble(entry.Name).Values.Length;
            Assert.Equal(count, values);
            dataBytes += entry.Data.Length;
        }
        // Full coverage: the tensors account for every byte after the header.
        Assert.Equal(source.Length - 8 - (long)BinaryPrimitives.ReadUInt64LittleEndian(source), dataBytes);
        SafetensorsTestFiles.AssertSameContent(file, SafetensorsFile.Read(file.ToBytes(), "rewritten"));
    }

    private static byte[] Mutate(byte[] bytes, Random random) => random.Next(7) switch
    {
        0 => FlipBytes(bytes, random),
        1 => Truncate(bytes, random),
        2 => TamperHeaderLength(bytes, random),
        3 => MutateJson(bytes, random),
        4 => MutateJson(bytes, random),
        5 => AppendGarbage(bytes, random),
        _ => EditHeaderText(bytes, random),
    };

    private static (int HeaderLength, bool Valid) HeaderLength(byte[] bytes)
    {
        if (bytes.Length < 8) return (0, false);
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return length <= (ulong)(bytes.Length - 8) ? ((int)length, true) : (0, false);
    }

    private static byte[] FlipBytes(byte[] bytes, Random random)
    {
        if (bytes.Length == 0) return bytes;
        var copy = (byte[])bytes.Clone();
        var (headerLength, valid) = HeaderLength(bytes);
        for (int flips = 1 + random.Next(4); flips > 0; flips--)
        {
            // Aim at each region in turn: length prefix, header, data.
            int region = random.Next(3);
            int at = region switch
            {
                0 => random.Next(Math.Min(8, copy.Length)),
                1 when valid && headerLength > 0 => 8 + random.Next(headerLength),
                2 when valid && copy.Length > 8 + headerLength => 8 + headerLength + random.Next(copy.Length - 8 - headerLength),
                _ => random.Next(copy.Length),
            };
            copy[at] = random.Next(2) == 0 ? (byte)(copy[at] ^ (1 << random.Next(8))) : (byte)random.Next(256);
        }
        return copy;
    }

    private static byte[] Truncate(byte[] bytes, Random random) => bytes.Length == 0 ? bytes : bytes[..random.Next(bytes.Length)];

    private static byte[] AppendGarbage(byte[] bytes, Random random)
    {
        var garbage = new byte[1 + random.Next(16)];
        random.NextBytes(garbage);
        if (random.Next(2) == 0) Array.Fill(garbage, (byte)' ');
        return [.. bytes, .. garbage];
    }

    private static byte[] TamperHeaderLength(byte[] bytes, Random random)
    {
        if (bytes.Length < 8) return bytes;
        var copy = (byte[])bytes.Clone();
        ulong current = BinaryPrimitives.ReadUInt64LittleEndian(copy);
        ulong tampered = random.Next(8) switch
        {
            0 => 0,
            1 => current + (ulong)random.Next(1, 17),
            2 => current - (ulong)Math.Min((long)current, random.Next(1, 17)),
            3 => (ulong)(copy.Length - 8),
            4 => (ulong)copy.Length,
            5 => 100_000_001,
            6 => ulong.MaxValue - (ulong)random.Next(3),
            _ => (ulong)random.NextInt64() << random.Next(2),
        };
        BinaryPrimitives.WriteUInt64LittleEndian(copy, tampered);
        return copy;
    }

    /// <summary>Inserts, deletes or overwrites header characters while keeping the length prefix correct.</summary>
    private static byte[] EditHeaderText(byte[] bytes, Random random)
    {
        var (headerLength, valid) = HeaderLength(bytes);
        if (!valid || headerLength == 0) return bytes;
        var header = bytes.AsSpan(8, headerLength).ToArray().ToList();
        int at = random.Next(header.Count);
        const string interesting = "{}[]\",:-0123456789e. \\u";
        switch (random.Next(3))
        {
            case 0: header.RemoveAt(at); break;
            case 1: header.Insert(at, (byte)interesting[random.Next(interesting.Length)]); break;
            default: header[at] = (byte)interesting[random.Next(interesting.Length)]; break;
        }
        return Raw([.. header], bytes[(8 + headerLength)..]);
    }

    private static byte[] MutateJson(byte[] bytes, Random random)
    {
        var (headerLength, valid) = HeaderLength(bytes);
        if (!valid) return bytes;
        JsonObject? root;
        try
        {
            root = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength)) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return bytes;
        }
        if (root is null) return bytes;
        byte[] data = bytes[(8 + headerLength)..];
        var tensors = root.Where(p => p.Key != SafetensorsFile.MetadataKey && p.Value is JsonObject).Select(p => (JsonObject)p.Value!).ToList();

        switch (random.Next(8))
        {
            case 0 when tensors.Count > 0:
                Pick(tensors, random)["dtype"] = Clone(DtypeValues[random.Next(DtypeValues.Length)]);
                break;
            case 1 when tensors.Count > 0:
                Pick(tensors, random)["shape"] = RandomShape(random);
                break;
            case 2 when tensors.Count > 0:
                Pick(tensors, random)["data_offsets"] = RandomOffsets(tensors, data.Length, random);
                break;
            case 3 when tensors.Count > 0:
                var tensor = Pick(tensors, random);
                tensor.Remove(Pick(["dtype", "shape", "data_offsets"], random));
                if (random.Next(2) == 0) tensor["extra"] = 1;
                break;
            case 4 when tensors.Count > 1:
                // Point one tensor at another's bytes: overlaps, gaps, or a legal swap.
                var (a, b) = (Pick(tensors, random), Pick(tensors, random));
                (a["data_offsets"], b["data_offsets"]) = (Clone(b["data_offsets"]), Clone(a["data_offsets"]));
                break;
            case 5:
                root[SafetensorsFile.MetadataKey] = random.Next(3) switch
                {
                    0 => new JsonObject { ["k"] = random.Next(2) == 0 ? 1 : "v" },
                    1 => new JsonArray("v"),
                    _ => null,
                };
                break;
            case 6:
                root["t" + random.Next(3)] = new JsonObject
                {
                    ["dtype"] = "F32",
                    ["shape"] = new JsonArray(random.Next(3)),
                    ["data_offsets"] = RandomOffsets(tensors, data.Length, random),
                };
                break;
            default:
                if (tensors.Count > 0) root[root.First(p => p.Value is JsonObject && p.Key != SafetensorsFile.MetadataKey).Key] = random.Next(2) == 0 ? 3 : "x";
                break;
        }
        byte[] header = Encoding.UTF8.GetBytes(root.ToJsonString());
        return Raw(header, random.Next(4) == 0 ? data[..random.Next(data.Length + 1)] : data);
    }

    private static JsonArray RandomShape(Random random)
    {
        JsonNode?[] dims = [-1, 0, 1, 2, 3, 4, 6, 7, int.MaxValue, 2147483648L, 1.5, "2", null];
        var shape = new JsonArray();
        for (int n = random.Next(5); n > 0; n--) shape.Add(Clone(dims[random.Next(dims.Length)]));
        return shape;
    }

    private static JsonNode RandomOffsets(List<JsonObject> tensors, int dataLength, Random random)
    {
        long Any() => random.Next(6) switch
        {
            0 => 0,
            1 => dataLength,
            2 => dataLength + 1,
            3 => -1,
            4 => long.MaxValue,
            _ => random.Next(dataLength + 2) / 4 * 4,
        };
        if (random.Next(10) == 0) return new JsonArray(1e30, "4");
        var offsets = new JsonArray();
        for (int n = random.Next(10) == 0 ? random.Next(4) : 2; n > 0; n--) offsets.Add(Any());
        return offsets;
    }

    private static T Pick<T>(IReadOnlyList<T> items, Random random) => items[random.Next(items.Count)];

    private static JsonNode? Clone(JsonNode? node) => node?.DeepClone();
}
