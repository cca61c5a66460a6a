using System.Runtime.CompilerServices;

// The conformance suite reaches the OpenCL build-error path and the loader's failure path directly.
[assembly: InternalsVisibleTo("Sure.Devices.Tests")]
