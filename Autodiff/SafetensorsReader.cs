using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Sure.Autodiff;

/// <summary>
/// Validates and decodes a whole safetensors file. Every defect becomes a
/// <see cref="SafetensorsFormatException"/>; the data section must be covered exactly by the tensors
/// (no overlaps, gaps or trailing bytes), as the reference format requires.
/// </summary>
internal static class SafetensorsReader
{
    /// <summary>The reference implementation's cap; a larger length is corruption, not a real header.</summary>
    public const ulong MaxHeaderBytes = 100_000_000;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private sealed record Span(string Name, long Begin, long End);

    public static SafetensorsFile Parse(ReadOnlySpan<byte> bytes, string source)
    {
        SafetensorsFormatException Fail(string defect) => new(source, defect);

        if (bytes.Length < 8)
            throw Fail($"file is {bytes.Length} bytes, too short for the 8-byte header length (truncated)");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes)
            throw Fail($"header length {headerLength} is absurd (limit {MaxHeaderBytes} bytes)");
        if (headerLength > (ulong)(bytes.Length - 8))
            throw Fail($"header length {headerLength} is longer than the {bytes.Length - 8} bytes after the length prefix (truncated or corrupt)");

        var header = bytes.Slice(8, (int)headerLength);
        var data = bytes[(8 + (int)headerLength)..];
        try
        {
            StrictUtf8.GetCharCount(header);
        }
        catch (DecoderFallbackException)
        {
            throw Fail("header is not valid UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header.ToArray());
        }
        catch (JsonException e)
        {
            throw Fail($"header is not valid JSON ({e.Message})");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Fail($"header is a JSON {root.ValueKind}, not an object");

            var file = new SafetensorsFile(source);
            var spans = new List<Span>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                string name = ReadName(property, source);
                if (!seen.Add(name))
                    throw Fail($"duplicate name '{name}' in header");
                if (name == SafetensorsFile.MetadataKey)
                    ReadMetadata(property.Value, file, source);
                else
                    spans.Add(ReadTensor(name, property.Value, data, file, source));
            }
            CheckCoverage(spans, data.Length, source);
            return file;
        }
    }

    private static SafetensorsFormatException Fail(string source, string defect) => new(source, defect);

    // A JSON escape such as "\uD800" is valid syntax but not valid Unicode; System.Text.Json refuses to decode it.
    private static string ReadName(JsonProperty property, string source)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            throw Fail(source, "header has a name that is not valid Unicode");
        }
    }

    private static string? ReadString(JsonElement element, string source, string what)
    {
        try
        {
            return element.GetString();
        }
        catch (InvalidOperationException)
        {
            throw Fail(source, $"{what} is not valid Unicode");
        }
    }

    private static void ReadMetadata(JsonElement value, SafetensorsFile file, string source)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Fail(source, $"'{SafetensorsFile.MetadataKey}' is a JSON {value.ValueKind}, not an object of strings");
        foreach (var property in value.EnumerateObject())
        {
            string key = ReadName(property, source);
            if (property.Value.ValueKind != JsonValueKind.String)
                throw Fail(source, $"'{SafetensorsFile.MetadataKey}' value for key '{key}' is a JSON {property.Value.ValueKind}, not a string");
            if (!file.Metadata.TryAdd(key, ReadString(property.Value, source, $"'{SafetensorsFile.MetadataKey}' value for key '{key}'")!))
                throw Fail(source, $"duplicate key '{key}' in '{SafetensorsFile.MetadataKey}'");
        }
    }

    private static Span ReadTensor(string name, JsonElement value, ReadOnlySpan<byte> data, SafetensorsFile file, string source)
    {
        SafetensorsFormatException Fail(string defect) => new(source, $"tensor '{name}': {defect}");

        if (value.ValueKind != JsonValueKind.Object)
            throw Fail($"header entry is a JSON {value.ValueKind}, not an object");
        JsonElement? dtypeField = null, shapeField = null, offsetsField = null;
        foreach (var field in value.EnumerateObject())
        {
            string fieldName = ReadName(field, source);
            ref JsonElement? slot = ref dtypeField;
            if (fieldName == "dtype") slot = ref dtypeField;
            else if (fieldName == "shape") slot = ref shapeField;
            else if (fieldName == "data_offsets") slot = ref offsetsField;
            else throw Fail($"unexpected field '{fieldName}'");
            if (slot is not null) throw Fail($"duplicate field '{fieldName}'");
            slot = field.Value;
        }
        var dtypeElement = dtypeField ?? throw Fail("missing field 'dtype'");
        var shapeElement = shapeField ?? throw Fail("missing field 'shape'");
        var offsetsElement = offsetsField ?? throw Fail("missing field 'data_offsets'");

        if (dtypeElement.ValueKind != JsonValueKind.String)
            throw Fail($"'dtype' is a JSON {dtypeElement.ValueKind}, not a string");
        string dtypeText = ReadString(dtypeElement, source, $"tensor '{name}': 'dtype'")!;
        if (!SafetensorsDtypes.TryParse(dtypeText, out var dtype))
            throw Fail($"unsupported dtype '{dtypeText}' (expected F32, F64 or I32)");

        if (shapeElement.ValueKind != JsonValueKind.Array)
            throw Fail($"'shape' is a JSON {shapeElement.ValueKind}, not an array");
        var shape = new int[shapeElement.GetArrayLength()];
        int index = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt32(out shape[index]))
                throw Fail($"shape element {index} ({dim.GetRawText()}) is not an integer in int32 range");
            if (shape[index] < 0)
                throw Fail($"negative dimension {shape[index]} in shape {SafetensorsFile.FormatShape(shape.Take(index + 1))}");
            index++;
        }

        if (offsetsElement.ValueKind != JsonValueKind.Array || offsetsElement.GetArrayLength() != 2)
            throw Fail($"'data_offsets' must be an array of two integers, got {offsetsElement.GetRawText()}");
        long begin = ReadOffset(offsetsElement[0], "begin", Fail);
        long end = ReadOffset(offsetsElement[1], "end", Fail);
        if (begin > end)
            throw Fail($"data_offsets [{begin}, {end}] begin after they end");
        if (end > data.Length)
            throw Fail($"data_offsets [{begin}, {end}] lie outside the {data.Length}-byte data section (truncated file?)");

        long? needed = ByteLength(shape, dtype);
        if (needed != end - begin)
            throw Fail($"dtype {dtype} shape {SafetensorsFile.FormatShape(shape)} needs {(needed is null ? "more than 2^63" : needed.ToString())} bytes but data_offsets [{begin}, {end}] span {end - begin}");

        file.AddEntry(new SafetensorsEntry(name, dtype, shape, data[(int)begin..(int)end].ToArray()));
        return new Span(name, begin, end);
    }

    private static long ReadOffset(JsonElement element, string which, Func<string, SafetensorsFormatException> fail)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out long offset) || offset < 0)
            throw fail($"data_offsets {which} ({element.GetRawText()}) is not a non-negative 64-bit integer");
        return offset;
    }

    /// <summary>Bytes the shape needs, or null when that does not fit a long (then it cannot match any span).</summary>
    private static long? ByteLength(int[] shape, SafetensorsDtype dtype)
    {
        if (shape.Contains(0)) return 0;
        long bytes = SafetensorsDtypes.ElementSize(dtype);
        foreach (int dim in shape)
        {
            if (bytes > long.MaxValue / dim) return null;
            bytes *= dim;
        }
        return bytes;
    }

    private static void CheckCoverage(List<Span> spans, int dataLength, string source)
    {
        var sorted = spans.OrderBy(s => s.Begin).ThenBy(s => s.End).ToList();
        long covered = 0;
        Span? previous = null;
        foreach (var span in sorted)
        {
            if (span.Begin < covered)
                throw Fail(source, $"tensors '{previous!.Name}' [{previous.Begin}, {previous.End}] and '{span.Name}' [{span.Begin}, {span.End}] overlap");
            if (span.Begin > covered)
                throw Fail(source, $"data bytes [{covered}, {span.Begin}) before tensor '{span.Name}' belong to no tensor (gap)");
            covered = span.End;
            previous = span;
        }
        if (covered < dataLength)
            throw Fail(source, $"{dataLength - covered} trailing bytes after the last tensor (the data section must be fully covered)");
    }
}
