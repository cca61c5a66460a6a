using System.Runtime.InteropServices;

namespace Sure.Tensors.Devices.Cuda;

/// <summary>
/// The CUDA driver API entry points we use, bound at run time from libcuda.so.1 so that a machine without an
/// NVIDIA driver still loads this assembly. CUresult is int, CUdevice is int, CUdeviceptr is ulong (64-bit
/// builds), size_t is nuint and every other handle is nint. Signatures and enum values are those of NVIDIA's
/// cuda.h and the CUDA Driver API reference; the _v2 names are the symbols cuda.h maps the plain names to.
/// </summary>
internal sealed unsafe class CudaApi
{
    // CUdevice_attribute (cuda.h)
    public const int AttributeComputeCapabilityMajor = 75;
    public const int AttributeComputeCapabilityMinor = 76;
    // CUstream_flags: no implicit synchronisation with the legacy default stream, which stream capture requires
    public const uint StreamNonBlocking = 0x1;
    // CUstreamCaptureMode: only this thread's unsafe calls are refused during a capture, not other threads'
    public const int CaptureModeThreadLocal = 1;
    // CUresult values that become a reason instead of an error
    public const int ErrorInsufficientDriver = 35;
    public const int ErrorNoDevice = 100;
    // cuGraphInstantiateWithFlags appeared in CUDA 11.4; cuDriverGetVersion reports 1000 * major + 10 * minor.
    public const int MinimumDriverVersion = 11040;

    static readonly string[] LibraryNames = OperatingSystem.IsWindows() ? ["nvcuda.dll"] : ["libcuda.so.1", "libcuda.so"];

    public delegate* unmanaged<uint, int> Init;
    public delegate* unmanaged<int*, int> DriverGetVersion;
    public delegate* unmanaged<int*, int> DeviceGetCount;
    public delegate* unmanaged<int*, int, int> DeviceGet;
    public delegate* unmanaged<byte*, int, int, int> DeviceGetName;
    public delegate* unmanaged<int*, int, int, int> DeviceGetAttribute;
    public delegate* unmanaged<nint*, int, int> DevicePrimaryCtxRetain;
    public delegate* unmanaged<int, int> DevicePrimaryCtxRelease;
    public delegate* unmanaged<nint, int> CtxSetCurrent;
    public delegate* unmanaged<ulong*, nuint, int> MemAlloc;
    public delegate* unmanaged<ulong, int> MemFree;
    public delegate* unmanaged<ulong, void*, nuint, nint, int> MemcpyHtoDAsync;
    public delegate* unmanaged<void*, ulong, nuint, nint, int> MemcpyDtoHAsync;
    public delegate* unmanaged<nint*, void*, int> ModuleLoadData;
    public delegate* unmanaged<nint, int> ModuleUnload;
    public delegate* unmanaged<nint*, nint, byte*, int> ModuleGetFunction;
    public delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int> LaunchKernel;
    public delegate* unmanaged<nint*, uint, int> StreamCreate;
    public delegate* unmanaged<nint, int> StreamDestroy;
    public delegate* unmanaged<nint, int> StreamSynchronize;
    public delegate* unmanaged<int, byte**, int> GetErrorName;
    public delegate* unmanaged<int, byte**, int> GetErrorString;
    public delegate* unmanaged<nint, int, int> StreamBeginCapture;
    public delegate* unmanaged<nint, nint*, int> StreamEndCapture;
    public delegate* unmanaged<nint*, nint, ulong, int> GraphInstantiateWithFlags;
    public delegate* unmanaged<nint, nint, int> GraphLaunch;
    public delegate* unmanaged<nint, int> GraphExecDestroy;
    public delegate* unmanaged<nint, int> GraphDestroy;

    CudaApi() { }

    /// <summary>Loads the driver library and resolves every entry point, or says which step failed.</summary>
    public static bool TryLoad(out CudaApi? api, out string reason) => TryLoad(LibraryNames, out api, out reason);

    internal static bool TryLoad(string[] libraryNames, out CudaApi? api, out string reason)
    {
        api = null;
        nint lib = 0;
        foreach (var name in libraryNames)
            if (NativeLibrary.TryLoad(name, out lib)) break;
        if (lib == 0)
        {
            reason = $"{libraryNames[0]} not found (no NVIDIA driver)";
            return false;
        }
        var a = new CudaApi();
        var missing = new List<string>();
        nint F(string symbol)
        {
            if (NativeLibrary.TryGetExport(lib, symbol, out var p)) return p;
            missing.Add(symbol);
            return 0;
        }
        a.Init = (delegate* unmanaged<uint, int>)F("cuInit");
        a.DriverGetVersion = (delegate* unmanaged<int*, int>)F("cuDriverGetVersion");
        a.DeviceGetCount = (delegate* unmanaged<int*, int>)F("cuDeviceGetCount");
        a.DeviceGet = (delegate* unmanaged<int*, int, int>)F("cuDeviceGet");
        a.DeviceGetName = (delegate* unmanaged<byte*, int, int, int>)F("cuDeviceGetName");
        a.DeviceGetAttribute = (delegate* unmanaged<int*, int, int, int>)F("cuDeviceGetAttribute");
        a.DevicePrimaryCtxRetain = (delegate* unmanaged<nint*, int, int>)F("cuDevicePrimaryCtxRetain");
        a.DevicePrimaryCtxRelease = (delegate* unmanaged<int, int>)F("cuDevicePrimaryCtxRelease_v2");
        a.CtxSetCurrent = (delegate* unmanaged<nint, int>)F("cuCtxSetCurrent");
        a.MemAlloc = (delegate* unmanaged<ulong*, nuint, int>)F("cuMemAlloc_v2");
        a.MemFree = (delegate* unmanaged<ulong, int>)F("cuMemFree_v2");
        a.MemcpyHtoDAsync = (delegate* unmanaged<ulong, void*, nuint, nint, int>)F("cuMemcpyHtoDAsync_v2");
        a.MemcpyDtoHAsync = (delegate* unmanaged<void*, ulong, nuint, nint, int>)F("cuMemcpyDtoHAsync_v2");
        a.ModuleLoadData = (delegate* unmanaged<nint*, void*, int>)F("cuModuleLoadData");
        a.ModuleUnload = (delegate* unmanaged<nint, int>)F("cuModuleUnload");
        a.ModuleGetFunction = (delegate* unmanaged<nint*, nint, byte*, int>)F("cuModuleGetFunction");
        a.LaunchKernel = (delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int>)F("cuLaunchKernel");
        a.StreamCreate = (delegate* unmanaged<nint*, uint, int>)F("cuStreamCreate");
        a.StreamDestroy = (delegate* unmanaged<nint, int>)F("cuStreamDestroy_v2");
        a.StreamSynchronize = (delegate* unmanaged<nint, int>)F("cuStreamSynchronize");
        a.GetErrorName = (delegate* unmanaged<int, byte**, int>)F("cuGetErrorName");
        a.GetErrorString = (delegate* unmanaged<int, byte**, int>)F("cuGetErrorString");
        a.StreamBeginCapture = (delegate* unmanaged<nint, int, int>)F("cuStreamBeginCapture_v2");
        a.StreamEndCapture = (delegate* unmanaged<nint, nint*, int>)F("cuStreamEndCapture");
        a.GraphInstantiateWithFlags = (delegate* unmanaged<nint*, nint, ulong, int>)F("cuGraphInstantiateWithFlags");
        a.GraphLaunch = (delegate* unmanaged<nint, nint, int>)F("cuGraphLaunch");
        a.GraphExecDestroy = (delegate* unmanaged<nint, int>)F("cuGraphExecDestroy");
        a.GraphDestroy = (delegate* unmanaged<nint, int>)F("cuGraphDestroy");
        if (missing.Count > 0)
        {
            reason = $"CUDA driver too old: {libraryNames[0]} lacks {string.Join(", ", missing)} (need CUDA 11.4 or newer)";
            return false;
        }
        api = a;
        reason = "";
        return true;
    }

    /// <summary>Throws when a driver call did not return CUDA_SUCCESS, with the driver's name and text for it.</summary>
    public void Check(int status, string call, string? detail = null)
    {
        if (status != 0) throw Error(status, call, detail);
    }

    public CudaException Error(int status, string call, string? detail = null)
    {
        byte* name = null, text = null;
        // Both calls leave the pointer null for a code this driver does not know.
        if (GetErrorName(status, &name) != 0) name = null;
        if (GetErrorString(status, &text) != 0) text = null;
        return new CudaException(call, status,
            name == null ? "unknown CUDA error" : Marshal.PtrToStringUTF8((nint)name)!,
            text == null ? null : Marshal.PtrToStringUTF8((nint)text), detail);
    }

    public string DeviceName(int device)
    {
        var bytes = new byte[256];
        fixed (byte* p = bytes) Check(DeviceGetName(p, bytes.Length, device), "cuDeviceGetName");
        int end = Array.IndexOf(bytes, (byte)0);
        return System.Text.Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
    }

    public int Attribute(int device, int attribute)
    {
        int value;
        Check(DeviceGetAttribute(&value, attribute, device), $"cuDeviceGetAttribute({attribute})");
        return value;
    }
}
