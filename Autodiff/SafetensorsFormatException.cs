namespace Sure.Autodiff;

/// <summary>
/// The single error a safetensors file can produce: a malformed file, or a well-formed file that lacks a
/// requested tensor or holds it in an unusable dtype. The message reads "&lt;source&gt;: &lt;defect&gt;".
/// </summary>
public sealed class SafetensorsFormatException : Exception
{
    public SafetensorsFormatException(string sourceName, string defect, Exception? inner = null)
        : base($"{sourceName}: {defect}", inner)
    {
        SourceName = sourceName;
        Defect = defect;
    }

    /// <summary>The file path or caller-given name of the data.</summary>
    public string SourceName { get; }

    /// <summary>What is wrong, without the source name.</summary>
    public string Defect { get; }
}
