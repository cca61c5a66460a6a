using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Sure.Devices.Tests;

/// <summary>
/// Runs this test assembly in-process with xunit's own test framework, so that a self-contained publish of it
/// checks a machine that has a GPU but no .NET SDK (no dotnet test, no vstest):
///   Sure.Devices.Tests [--require BACKEND]... [NAME-FILTER]...
/// --require fails the run when that backend cannot be created, instead of letting its tests skip.
/// A filter keeps the tests whose display name contains it. Ends with "N passed, N failed, N skipped".
/// </summary>
public static class SelfCheck
{
    public static int Main(string[] args)
    {
        var required = new List<string>();
        var filters = new List<string>();
        for (int i = 0; i < args.Length; i++)
            if (args[i] == "--require" && i + 1 < args.Length) required.Add(args[++i]);
            else filters.Add(args[i]);

        bool missing = false;
        foreach (var name in required)
            if (TestBackends.Unavailable(name) is { } reason)
            {
                Console.WriteLine($"required backend {name} is unavailable: {reason}");
                missing = true;
            }
            else Console.WriteLine($"{name}: {TestBackends.Backend(name).Device}");
        if (missing) return 2;

        var assembly = typeof(SelfCheck).Assembly;
        var sink = new Sink();
        using var framework = new XunitTestFramework(sink);
        using var discoverer = framework.GetDiscoverer(Reflector.Wrap(assembly));
        discoverer.Find(includeSourceInformation: false, sink, new Options());
        sink.DiscoveryDone.WaitOne();
        var cases = sink.Cases.Where(c => filters.Count == 0 || filters.Any(f => c.DisplayName.Contains(f, StringComparison.OrdinalIgnoreCase))).ToList();
        using var executor = framework.GetExecutor(assembly.GetName());
        executor.RunTests(cases, sink, new Options());
        sink.RunDone.WaitOne();
        Console.WriteLine($"{sink.Passed} passed, {sink.Failed} failed, {sink.Skipped} skipped");
        return sink.Failed == 0 && cases.Count > 0 ? 0 : 1;
    }

    // Discovery and execution options: an empty bag, so xunit uses its defaults.
    sealed class Options : ITestFrameworkDiscoveryOptions, ITestFrameworkExecutionOptions
    {
        readonly Dictionary<string, object?> values = [];
        public TValue GetValue<TValue>(string name) => values.TryGetValue(name, out var v) && v is TValue t ? t : default!;
        public void SetValue<TValue>(string name, TValue value) => values[name] = value;
    }

    sealed class Sink : LongLivedMarshalByRefObject, IMessageSink
    {
        public readonly List<ITestCase> Cases = [];
        public readonly ManualResetEvent DiscoveryDone = new(false), RunDone = new(false);
        public int Passed, Failed, Skipped;

        public bool OnMessage(IMessageSinkMessage message)
        {
            switch (message)
            {
                case ITestCaseDiscoveryMessage found:
                    Cases.Add(found.TestCase);
                    break;
                case IDiscoveryCompleteMessage:
                    DiscoveryDone.Set();
                    break;
                case ITestPassed passed:
                    Passed++;
                    Console.WriteLine($"  passed  {passed.Test.DisplayName}");
                    Print(passed.Output);
                    break;
                case ITestFailed failed:
                    Failed++;
                    Console.WriteLine($"  FAILED  {failed.Test.DisplayName}");
                    for (int i = 0; i < failed.Messages.Length; i++)
                        Console.WriteLine($"    {failed.ExceptionTypes[i]}: {failed.Messages[i]}\n{failed.StackTraces[i]}");
                    Print(failed.Output);
                    break;
                case ITestSkipped skipped:
                    Skipped++;
                    Console.WriteLine($"  skipped {skipped.Test.DisplayName}: {skipped.Reason}");
                    break;
                case ITestAssemblyFinished:
                    RunDone.Set();
                    break;
            }
            return true;
        }

        static void Print(string output)
        {
            if (!string.IsNullOrWhiteSpace(output))
                foreach (var line in output.TrimEnd().Split('\n')) Console.WriteLine($"          | {line}");
        }
    }
}
