namespace Sure.Autodiff;

/// <summary>
/// A file written so that a failed or interrupted write leaves the previous file as it was: the bytes go to a
/// temporary file in the same folder (so the rename cannot cross file systems), flushed to disk, and only
/// <see cref="Commit"/> renames it over the target. Disposing without committing deletes the temporary file.
/// An existing target of size 0 (an empty file, or a device such as /dev/null or /dev/full) is written in place:
/// there is nothing to keep, and a rename would replace the device with a plain file.
/// </summary>
public sealed class AtomicFile : IDisposable
{
    readonly string _target;
    readonly string? _temp;          // null when writing in place
    StreamWriter? _text;
    bool _committed;

    public AtomicFile(string path)
    {
        _target = ResolveTarget(path);
        if (WritesInPlace(path, _target))
        {
            Stream = new FileStream(_target, FileMode.Create, FileAccess.Write);
            return;
        }
        var existing = new FileInfo(_target);
        _temp = TempPath(_target);
        Stream = new FileStream(_temp, FileMode.CreateNew, FileAccess.Write);
        // The new file keeps the old one's permissions.
        if (existing.Exists && !OperatingSystem.IsWindows())
            File.SetUnixFileMode(_temp, File.GetUnixFileMode(_target));
    }

    /// <summary>Where the bytes go until <see cref="Commit"/>.</summary>
    public FileStream Stream { get; }

    /// <summary>A UTF-8 text writer on <see cref="Stream"/> (flushed by <see cref="Commit"/>).</summary>
    public StreamWriter Text => _text ??= new StreamWriter(Stream, leaveOpen: true);

    /// <summary>Flushes everything to disk and puts the new file in place of the old.</summary>
    public void Commit()
    {
        _text?.Flush();
        Stream.Flush(flushToDisk: true);
        Stream.Dispose();
        if (_temp is not null) File.Move(_temp, _target, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        if (_committed) return;
        // A write that failed (a full disk) leaves bytes in the buffers that fail again here; the first error is the one reported.
        try { _text?.Dispose(); } catch (IOException) { }
        try { Stream.Dispose(); } catch (IOException) { }
        if (_temp is not null)
            try { File.Delete(_temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        using var file = new AtomicFile(path);
        file.Stream.Write(bytes);
        file.Commit();
    }

    public static void WriteAllText(string path, string text)
    {
        using var file = new AtomicFile(path);
        file.Text.Write(text);
        file.Commit();
    }

    /// <summary>
    /// Throws what writing <paramref name="path"/> would throw at its start (a folder, a missing folder, no permission),
    /// without changing anything: lets a command refuse an output before long work rather than lose that work.
    /// </summary>
    public static void CheckWritable(string path)
    {
        string target = ResolveTarget(path);
        if (WritesInPlace(path, target))
        {
            using var _ = new FileStream(target, FileMode.Open, FileAccess.Write);     // Open: nothing truncated
            return;
        }
        using var probe = new FileStream(TempPath(target), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
    }

    static bool WritesInPlace(string path, string target)
    {
        if (Directory.Exists(target)) throw new IOException($"{path}: is a folder, not a file");
        var existing = new FileInfo(target);
        return existing.Exists && existing.Length == 0;
    }

    static string TempPath(string target) =>
        Path.Combine(Path.GetDirectoryName(target) ?? ".", $".{Path.GetFileName(target)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    /// <summary>The full path a write to <paramref name="path"/> ends up in: symbolic links followed.</summary>
    public static string ResolveTarget(string path)
    {
        string full = Path.GetFullPath(path);
        return new FileInfo(full).LinkTarget is null ? full : File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
    }
}
