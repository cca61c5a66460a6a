using System.Text;

namespace Sure.Sim;

/// <summary>
/// TextReader.ReadLine with a cap on the line's length: a file with no line break (a binary file, /dev/zero) is one
/// clear error instead of an allocation that grows until the process dies. Line ends as ReadLine: \n, \r\n or \r.
/// </summary>
sealed class BoundedLines(TextReader reader, string source)
{
    public const int MaxLineChars = 4096;
    readonly StringBuilder _line = new();

    /// <summary>Number of the line the last <see cref="Next"/> returned (1-based).</summary>
    public int LineNumber { get; private set; }

    public string? Next()
    {
        _line.Clear();
        while (true)
        {
            int c = reader.Read();
            if (c < 0)
            {
                if (_line.Length == 0) return null;
                break;
            }
            if (c == '\n') break;
            if (c == '\r')
            {
                if (reader.Peek() == '\n') reader.Read();
                break;
            }
            if (_line.Length == MaxLineChars) throw SimInputException.At(source, LineNumber + 1, $"line longer than {MaxLineChars} characters");
            _line.Append((char)c);
        }
        LineNumber++;
        return _line.ToString();
    }
}
