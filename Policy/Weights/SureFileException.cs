namespace Sure.Policy;

/// <summary>A weights or input file that is well formed but does not fit: wrong names, shapes or values.</summary>
public sealed class SureFileException(string message) : Exception(message);
