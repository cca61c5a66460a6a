using Sure.Autodiff;
using Sure.Models;
using Sure.Sim;

namespace Sure.Cli;

/// <summary>
/// The error contract of every command (docs/errors.md): bad input, or a file that cannot be read or written, is one
/// line on stderr and exit code 2; anything else is a bug, one line and exit code 1. --verbose adds the stack trace.
/// </summary>
static class Errors
{
    public const int Internal = 1, BadInput = 2;

    /// <summary>Each source of input has its own exception, whose message names the file, row or tensor and the defect;
    /// the system's IO errors name the path.</summary>
    public static bool IsInputError(Exception e) =>
        e is SimInputException or JobGraphException or SureFileException or SafetensorsFormatException or HostInputException
            or IOException or UnauthorizedAccessException;

    public static int Report(string command, Exception e, bool verbose, TextWriter error)
    {
        bool input = IsInputError(e);
        string message = input ? e.Message : $"internal error ({e.GetType().Name}): {e.Message}";
        // One line: a message that quotes a file's content may hold line breaks.
        error.WriteLine($"{command}: {message.ReplaceLineEndings(" ")}");
        if (verbose) error.WriteLine(e);
        return input ? BadInput : Internal;
    }
}
