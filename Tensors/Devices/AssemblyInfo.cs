using System.Runtime.CompilerServices;

// The conformance suite reaches the OpenCL build-error path and the loader's failure path directly.
[assembly: InternalsVisibleTo("Sure.Devices.Tests")]

// ILGPU's CPU accelerator emits a launcher assembly named ILGPURuntime that reads the internal kernel argument types
// (Ilgpu/IlgpuDecisionKernels.cs's SubgraphSizes); ILGPU documents this attribute as the way to allow it.
[assembly: InternalsVisibleTo("ILGPURuntime")]
