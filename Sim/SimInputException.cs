namespace Sure.Sim;

/// <summary>
/// Bad input data (a job file, a trace, a job name). The message names the source, the line where
/// there is one, and the defect, so a command line can print it as is.
/// </summary>
public sealed class SimInputException(string message) : Exception(message)
{
    public static SimInputException At(string source, int line, string defect) =>
        new($"{source}:{line}: {defect}");
}
