using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Sure.Autodiff;

internal static class SafetensorsWriter
{
    public static byte[] Serialize(SafetensorsFile file)
    {
        var entries = file.Entries.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        byte[] header = BuildHeader(file, entries);
        // Pad so the data starts 8-byte aligned, as the reference writer does; spaces keep the JSON valid.
        int padded = (header.Length + 7) / 8 * 8;
        long total = 8L + padded + entries.Sum(e => (long)e.Data.Length);
        var bytes = new byte[total];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        header.CopyTo(bytes, 8);
        bytes.AsSpan(8 + header.Length, padded - header.Length).Fill((byte)' ');
        long offset = 8 + padded;
        foreach (var entry in entries)
        {
            entry.Data.CopyTo(bytes, offset);
            offset += entry.Data.Length;
        }
        return bytes;
    }

    private static byte[] BuildHeader(SafetensorsFile file, List<SafetensorsEntry> entries)
    {
        using var stream = new MemoryStream();
        // Relaxed escaping keeps non-ASCII names readable; the output is still plain valid JSON.
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (file.Metadata.Count > 0)
            {
                json.WriteStartObject(SafetensorsFile.MetadataKey);
                foreach (var (key, value) in file.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                    json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var entry in entries)
            {
                json.WriteStartObject(entry.Name);
                json.WriteString("dtype", entry.Dtype.ToString());
                json.WriteStartArray("shape");
                foreach (int dim in entry.Shape) json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + entry.Data.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += entry.Data.Length;
            }
            json.WriteEndObject();
        }
        return stream.ToArray();
    }
}
