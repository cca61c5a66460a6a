using System.Globalization;
using System.Reflection;

namespace Sure.Sim;

/// <summary>
/// A per-minute workload trace. One reader for every format: one number per line, or CSV whose
/// last column is the value (<c>time,value</c>, ClarkNet's <c>datetime,view</c>). A first line
/// whose value is not a number is a header; any later one is an error.
/// </summary>
public sealed class WorkloadTrace
{
    public const string ClarkNetResource = "clarknet-per-minute.csv";
    public const int WeekMinutes = 10080;
    public const double DefaultBaseRate = 1000;
    /// <summary>Largest value a minute may hold: far above any real request count per minute, and small enough that the
    /// mean cannot overflow and one value cannot scale every other minute to nothing.</summary>
    public const double MaxValue = 1e12;
    /// <summary>Smallest mean: W(t) = trace[t] / mean * baseRate must stay finite (a trace of denormals would give infinity).</summary>
    public const double MinMean = 1e-9;
    /// <summary>Most minutes a trace may hold: 19 years, 80 MB of values.</summary>
    public const int MaxMinutes = 10_000_000;

    public string Source { get; }
    public double[] Values { get; }
    public int Length => Values.Length;
    public double Mean { get; }

    WorkloadTrace(string source, double[] values)
    {
        Source = source;
        Values = values;
        Mean = values.Average();
    }

    /// <summary>ClarkNet-HTTP per minute, 20,160 minutes (two weeks), from the embedded copy.</summary>
    public static WorkloadTrace ClarkNet()
    {
        var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ClarkNetResource)
            ?? throw new InvalidOperationException($"embedded resource {ClarkNetResource} is missing");
        using var reader = new StreamReader(stream);
        return Parse(reader, ClarkNetResource);
    }

    /// <summary>Loads a trace file; null = the embedded ClarkNet trace.</summary>
    public static WorkloadTrace Load(string? file)
    {
        if (file is null) return ClarkNet();
        using var reader = JobCatalog.OpenFile(file);
        return Parse(reader, file);
    }

    public static WorkloadTrace Parse(TextReader reader, string source)
    {
        var values = new List<double>();
        var lines = new BoundedLines(reader, source);
        string? line;
        var blankLines = new List<int>();
        while ((line = lines.Next()) is not null)
        {
            int lineNo = lines.LineNumber;
            if (lineNo > MaxMinutes + 1) throw SimInputException.At(source, lineNo, $"the trace is longer than the limit of {MaxMinutes} minutes");
            if (string.IsNullOrWhiteSpace(line)) { blankLines.Add(lineNo); continue; }
            if (blankLines.Count > 0) throw SimInputException.At(source, blankLines[0], "empty line inside the trace");
            string field = line[(line.LastIndexOf(',') + 1)..].Trim();
            if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                if (lineNo == 1) continue;                                   // header
                throw SimInputException.At(source, lineNo, $"value '{field}' is not a number");
            }
            if (!double.IsFinite(value)) throw SimInputException.At(source, lineNo, $"value '{field}' is not finite");
            if (value < 0) throw SimInputException.At(source, lineNo, $"negative value {field}");
            if (value > MaxValue) throw SimInputException.At(source, lineNo, $"value {field} is above the limit {MaxValue:G}");
            values.Add(value);
        }
        if (values.Count == 0) throw new SimInputException($"{source}: the trace has no values");
        var trace = new WorkloadTrace(source, [.. values]);
        if (trace.Mean <= 0) throw new SimInputException($"{source}: the trace's mean is 0, so W(t) = trace/mean is undefined");
        if (trace.Mean < MinMean) throw new SimInputException($"{source}: the trace's mean {trace.Mean:G3} is below {MinMean:G}, too small to scale W(t) = trace/mean");
        return trace;
    }

    /// <summary>W(t) = trace[t] / mean(trace) * baseRate records per minute, for every minute of the trace.</summary>
    public double[] Workload(double baseRate = DefaultBaseRate)
    {
        if (!(baseRate > 0) || !double.IsFinite(baseRate)) throw new ArgumentOutOfRangeException(nameof(baseRate), "the base rate must be positive");
        var w = new double[Length];
        double scale = baseRate / Mean;
        for (int t = 0; t < w.Length; t++) w[t] = Values[t] * scale;
        return w;
    }
}
