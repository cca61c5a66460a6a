namespace Sure.Tensors.Devices.Cuda;

/// <summary>
/// A CUDA driver or NVRTC call did not succeed. The message names the call, the status's symbolic name and
/// the driver's description of it, plus any detail such as NVRTC's compile log.
/// </summary>
public sealed class CudaException : Exception
{
    public string Call { get; }
    public int Status { get; }

    public CudaException(string call, int status, string name, string? description = null, string? detail = null)
        : base($"{call} failed: {name} ({status})"
               + (string.IsNullOrEmpty(description) || description == name ? "" : $": {description}")
               + (detail is null ? "" : "\n" + detail))
    {
        Call = call;
        Status = status;
    }
}
