using System.Buffers.Binary;

namespace Sure.Autodiff;

/// <summary>One tensor of a safetensors file: its dtype, shape and raw little-endian bytes.</summary>
public sealed class SafetensorsEntry
{
    internal SafetensorsEntry(string name, SafetensorsDtype dtype, int[] shape, byte[] data)
    {
        Name = name;
        Dtype = dtype;
        Shape = shape;
        Data = data;
    }

    public string Name { get; }
    public SafetensorsDtype Dtype { get; }
    public int[] Shape { get; }

    /// <summary>Row-major, little-endian element bytes; length = ElementCount * element size.</summary>
    public byte[] Data { get; }

    public long ElementCount => Data.Length / SafetensorsDtypes.ElementSize(Dtype);
}

/// <summary>A typed copy of a tensor's values with its shape.</summary>
public readonly record struct SafetensorsArray<T>(T[] Values, int[] Shape);

/// <summary>
/// An in-memory safetensors file: named F32/F64/I32 tensors plus string metadata (<c>__metadata__</c>).
/// Reading validates the whole file and throws only <see cref="SafetensorsFormatException"/>.
/// </summary>
public sealed class SafetensorsFile
{
    public const string MetadataKey = "__metadata__";

    private readonly Dictionary<string, SafetensorsEntry> _entries = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public SafetensorsFile(string sourceName = "<memory>") => SourceName = sourceName;

    /// <summary>The path or caller-given name used in error messages.</summary>
    public string SourceName { get; }

    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    /// <summary>Tensor names in insertion order (header order for a file that was read).</summary>
    public IReadOnlyList<string> Names => _order;

    public IEnumerable<SafetensorsEntry> Entries => _order.Select(n => _entries[n]);

    public bool Contains(string name) => _entries.ContainsKey(name);

    public SafetensorsEntry this[string name] =>
        _entries.TryGetValue(name, out var entry)
            ? entry
            : throw new SafetensorsFormatException(SourceName, $"tensor '{name}' is missing");

    public void Add(string name, float[] values, params int[] shape) =>
        AddTyped(name, SafetensorsDtype.F32, values.Length, shape, bytes =>
        {
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        });

    public void Add(string name, double[] values, params int[] shape) =>
        AddTyped(name, SafetensorsDtype.F64, values.Length, shape, bytes =>
        {
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), values[i]);
        });

    public void Add(string name, int[] values, params int[] shape) =>
        AddTyped(name, SafetensorsDtype.I32, values.Length, shape, bytes =>
        {
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), values[i]);
        });

    /// <summary>Adds a tensor from raw little-endian bytes (copied).</summary>
    public void AddRaw(string name, SafetensorsDtype dtype, int[] shape, ReadOnlySpan<byte> data)
    {
        long count = CheckedElementCount(shape);
        if (count * SafetensorsDtypes.ElementSize(dtype) != data.Length)
            throw new ArgumentException($"tensor '{name}': {data.Length} bytes do not fit dtype {dtype} shape {FormatShape(shape)}", nameof(data));
        AddEntry(new SafetensorsEntry(name, dtype, (int[])shape.Clone(), data.ToArray()));
    }

    /// <summary>F32 values; an F64 tensor is accepted and rounded to the nearest float.</summary>
    public SafetensorsArray<float> GetFloat(string name)
    {
        var entry = this[name];
        var values = new float[entry.ElementCount];
        var bytes = entry.Data.AsSpan();
        switch (entry.Dtype)
        {
            case SafetensorsDtype.F32:
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                break;
            case SafetensorsDtype.F64:
                for (int i = 0; i < values.Length; i++) values[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]);
                break;
            default:
                throw WrongDtype(entry, "F32 or F64");
        }
        return new(values, (int[])entry.Shape.Clone());
    }

    /// <summary>F64 values; an F32 tensor is accepted and widened exactly.</summary>
    public SafetensorsArray<double> GetDouble(string name)
    {
        var entry = this[name];
        var values = new double[entry.ElementCount];
        var bytes = entry.Data.AsSpan();
        switch (entry.Dtype)
        {
            case SafetensorsDtype.F64:
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]);
                break;
            case SafetensorsDtype.F32:
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                break;
            default:
                throw WrongDtype(entry, "F64 or F32");
        }
        return new(values, (int[])entry.Shape.Clone());
    }

    /// <summary>I32 values only: indices are never silently converted from floats.</summary>
    public SafetensorsArray<int> GetInt32(string name)
    {
        var entry = this[name];
        if (entry.Dtype != SafetensorsDtype.I32) throw WrongDtype(entry, "I32");
        var values = new int[entry.ElementCount];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt32LittleEndian(entry.Data.AsSpan(4 * i));
        return new(values, (int[])entry.Shape.Clone());
    }

    public static SafetensorsFile Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = ReadBounded(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException or System.Security.SecurityException)
        {
            throw new SafetensorsFormatException(path, $"cannot be read: {e.Message}", e);
        }
        return SafetensorsReader.Parse(bytes, path);
    }

    /// <summary>Largest file <see cref="Read(string)"/> takes: a model at every size limit of SureConfig fits, and a
    /// device that never ends (/dev/zero) stops here instead of growing an array until the process dies.</summary>
    public const long MaxFileBytes = 1L << 30;

    static byte[] ReadBounded(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (stream.Length > MaxFileBytes) throw new SafetensorsFormatException(path, $"{stream.Length} bytes is above the limit of {MaxFileBytes}");
        // Length is 0 for a device or a pipe, whose size is only known by reading it.
        using var copy = new MemoryStream(stream.Length > 0 ? (int)stream.Length : 1 << 16);
        var chunk = new byte[1 << 16];
        int n;
        while ((n = stream.Read(chunk)) > 0)
        {
            if (copy.Length + n > MaxFileBytes) throw new SafetensorsFormatException(path, $"more than {MaxFileBytes} bytes, the limit");
            copy.Write(chunk, 0, n);
        }
        return copy.ToArray();
    }

    public static SafetensorsFile Read(Stream stream, string sourceName)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return SafetensorsReader.Parse(copy.ToArray(), sourceName);
    }

    public static SafetensorsFile Read(ReadOnlySpan<byte> bytes, string sourceName) => SafetensorsReader.Parse(bytes, sourceName);

    /// <summary>Serializes deterministically: tensors in ordinal name order, header padded to 8 bytes.</summary>
    public byte[] ToBytes() => SafetensorsWriter.Serialize(this);

    public void Write(Stream stream) => stream.Write(ToBytes());

    /// <summary>Writes atomically (<see cref="AtomicFile"/>): a failed or interrupted write keeps the previous file.</summary>
    public void Write(string path) => AtomicFile.WriteAllBytes(path, ToBytes());

    internal void AddEntry(SafetensorsEntry entry)
    {
        if (entry.Name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor");
        if (!_entries.TryAdd(entry.Name, entry)) throw new ArgumentException($"tensor '{entry.Name}' already exists");
        _order.Add(entry.Name);
    }

    internal static string FormatShape(IEnumerable<int> shape) => "[" + string.Join(", ", shape) + "]";

    private void AddTyped(string name, SafetensorsDtype dtype, int count, int[] shape, Action<byte[]> fill)
    {
        if (CheckedElementCount(shape) != count)
            throw new ArgumentException($"tensor '{name}': {count} values do not fit shape {FormatShape(shape)}");
        var bytes = new byte[(long)count * SafetensorsDtypes.ElementSize(dtype)];
        fill(bytes);
        AddEntry(new SafetensorsEntry(name, dtype, (int[])shape.Clone(), bytes));
    }

    private static long CheckedElementCount(int[] shape)
    {
        long count = 1;
        foreach (int dim in shape)
        {
            if (dim < 0) throw new ArgumentException($"negative dimension in shape {FormatShape(shape)}");
            count = checked(count * dim);
        }
        return count;
    }

    private SafetensorsFormatException WrongDtype(SafetensorsEntry entry, string wanted) =>
        new(SourceName, $"tensor '{entry.Name}' has dtype {entry.Dtype}, expected {wanted}");
}
