using System.Runtime.InteropServices;

namespace Sure.Tensors.Devices.OpenCl;

/// <summary>
/// The OpenCL 1.2 entry points we use, bound at run time from libOpenCL.so.1 so that a machine without an
/// ICD loader still loads this assembly. Handles are nint, size_t is nuint, cl_int status is int.
/// </summary>
internal sealed unsafe class ClApi
{
    public const uint DeviceTypeAll = 0xFFFFFFFF;
    public const uint DeviceTypeGpu = 1 << 2;
    public const uint PlatformName = 0x0902;
    public const uint PlatformVersion = 0x0901;
    public const uint DeviceName = 0x102B;
    public const uint DeviceVersion = 0x102F;
    public const uint DeviceSingleFpConfig = 0x101B;
    public const ulong FpCorrectlyRoundedDivideSqrt = 1 << 7;
    public const uint ProgramBuildLog = 0x1183;
    public const ulong MemReadWrite = 1 << 0;

    static readonly string[] LibraryNames = OperatingSystem.IsWindows() ? ["OpenCL.dll"]
        : OperatingSystem.IsMacOS() ? ["/System/Library/Frameworks/OpenCL.framework/OpenCL"]
        : ["libOpenCL.so.1", "libOpenCL.so"];

    public delegate* unmanaged<uint, nint*, uint*, int> GetPlatformIDs;
    public delegate* unmanaged<nint, uint, nuint, void*, nuint*, int> GetPlatformInfo;
    public delegate* unmanaged<nint, ulong, uint, nint*, uint*, int> GetDeviceIDs;
    public delegate* unmanaged<nint, uint, nuint, void*, nuint*, int> GetDeviceInfo;
    public delegate* unmanaged<nint*, uint, nint*, nint, nint, int*, nint> CreateContext;
    public delegate* unmanaged<nint, int> ReleaseContext;
    public delegate* unmanaged<nint, nint, ulong, int*, nint> CreateCommandQueue;
    public delegate* unmanaged<nint, int> ReleaseCommandQueue;
    public delegate* unmanaged<nint, ulong, nuint, void*, int*, nint> CreateBuffer;
    public delegate* unmanaged<nint, int> ReleaseMemObject;
    public delegate* unmanaged<nint, nint, uint, nuint, nuint, void*, uint, nint*, nint*, int> EnqueueWriteBuffer;
    public delegate* unmanaged<nint, nint, uint, nuint, nuint, void*, uint, nint*, nint*, int> EnqueueReadBuffer;
    public delegate* unmanaged<nint, uint, byte**, nuint*, int*, nint> CreateProgramWithSource;
    public delegate* unmanaged<nint, uint, nint*, byte*, nint, nint, int> BuildProgram;
    public delegate* unmanaged<nint, nint, uint, nuint, void*, nuint*, int> GetProgramBuildInfo;
    public delegate* unmanaged<nint, int> ReleaseProgram;
    public delegate* unmanaged<nint, byte*, int*, nint> CreateKernel;
    public delegate* unmanaged<nint, int> ReleaseKernel;
    public delegate* unmanaged<nint, uint, nuint, void*, int> SetKernelArg;
    public delegate* unmanaged<nint, nint, uint, nuint*, nuint*, nuint*, uint, nint*, nint*, int> EnqueueNDRangeKernel;
    public delegate* unmanaged<nint, int> Finish;

    ClApi() { }

    /// <summary>Loads the ICD loader and resolves every entry point, or says which step failed.</summary>
    public static bool TryLoad(out ClApi? api, out string reason) => TryLoad(LibraryNames, out api, out reason);

    internal static bool TryLoad(string[] libraryNames, out ClApi? api, out string reason)
    {
        api = null;
        nint lib = 0;
        foreach (var name in libraryNames)
            if (NativeLibrary.TryLoad(name, out lib)) break;
        if (lib == 0)
        {
            reason = $"{libraryNames[0]} not found (install an OpenCL ICD loader, e.g. ocl-icd-libopencl1)";
            return false;
        }
        var a = new ClApi();
        var missing = new List<string>();
        nint F(string symbol)
        {
            if (NativeLibrary.TryGetExport(lib, symbol, out var p)) return p;
            missing.Add(symbol);
            return 0;
        }
        a.GetPlatformIDs = (delegate* unmanaged<uint, nint*, uint*, int>)F("clGetPlatformIDs");
        a.GetPlatformInfo = (delegate* unmanaged<nint, uint, nuint, void*, nuint*, int>)F("clGetPlatformInfo");
        a.GetDeviceIDs = (delegate* unmanaged<nint, ulong, uint, nint*, uint*, int>)F("clGetDeviceIDs");
        a.GetDeviceInfo = (delegate* unmanaged<nint, uint, nuint, void*, nuint*, int>)F("clGetDeviceInfo");
        a.CreateContext = (delegate* unmanaged<nint*, uint, nint*, nint, nint, int*, nint>)F("clCreateContext");
        a.ReleaseContext = (delegate* unmanaged<nint, int>)F("clReleaseContext");
        a.CreateCommandQueue = (delegate* unmanaged<nint, nint, ulong, int*, nint>)F("clCreateCommandQueue");
        a.ReleaseCommandQueue = (delegate* unmanaged<nint, int>)F("clReleaseCommandQueue");
        a.CreateBuffer = (delegate* unmanaged<nint, ulong, nuint, void*, int*, nint>)F("clCreateBuffer");
        a.ReleaseMemObject = (delegate* unmanaged<nint, int>)F("clReleaseMemObject");
        a.EnqueueWriteBuffer = (delegate* unmanaged<nint, nint, uint, nuint, nuint, void*, uint, nint*, nint*, int>)F("clEnqueueWriteBuffer");
        a.EnqueueReadBuffer = (delegate* unmanaged<nint, nint, uint, nuint, nuint, void*, uint, nint*, nint*, int>)F("clEnqueueReadBuffer");
        a.CreateProgramWithSource = (delegate* unmanaged<nint, uint, byte**, nuint*, int*, nint>)F("clCreateProgramWithSource");
        a.BuildProgram = (delegate* unmanaged<nint, uint, nint*, byte*, nint, nint, int>)F("clBuildProgram");
        a.GetProgramBuildInfo = (delegate* unmanaged<nint, nint, uint, nuint, void*, nuint*, int>)F("clGetProgramBuildInfo");
        a.ReleaseProgram = (delegate* unmanaged<nint, int>)F("clReleaseProgram");
        a.CreateKernel = (delegate* unmanaged<nint, byte*, int*, nint>)F("clCreateKernel");
        a.ReleaseKernel = (delegate* unmanaged<nint, int>)F("clReleaseKernel");
        a.SetKernelArg = (delegate* unmanaged<nint, uint, nuint, void*, int>)F("clSetKernelArg");
        a.EnqueueNDRangeKernel = (delegate* unmanaged<nint, nint, uint, nuint*, nuint*, nuint*, uint, nint*, nint*, int>)F("clEnqueueNDRangeKernel");
        a.Finish = (delegate* unmanaged<nint, int>)F("clFinish");
        if (missing.Count > 0)
        {
            reason = $"OpenCL library lacks {string.Join(", ", missing)}";
            return false;
        }
        api = a;
        reason = "";
        return true;
    }

    /// <summary>Throws when an OpenCL call did not return CL_SUCCESS, naming the call and the status.</summary>
    public static void Check(int status, string call)
    {
        if (status != 0) throw new OpenClException(call, status);
    }

    public string PlatformString(nint platform, uint param)
    {
        nuint size;
        Check(GetPlatformInfo(platform, param, 0, null, &size), "clGetPlatformInfo");
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes) Check(GetPlatformInfo(platform, param, size, p, null), "clGetPlatformInfo");
        return CString(bytes);
    }

    public string DeviceString(nint device, uint param)
    {
        nuint size;
        Check(GetDeviceInfo(device, param, 0, null, &size), "clGetDeviceInfo");
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes) Check(GetDeviceInfo(device, param, size, p, null), "clGetDeviceInfo");
        return CString(bytes);
    }

    public ulong DeviceBits(nint device, uint param)
    {
        ulong value;
        Check(GetDeviceInfo(device, param, sizeof(ulong), &value, null), "clGetDeviceInfo");
        return value;
    }

    public string BuildLog(nint program, nint device)
    {
        nuint size;
        if (GetProgramBuildInfo(program, device, ProgramBuildLog, 0, null, &size) != 0) return "(no build log)";
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes)
            if (GetProgramBuildInfo(program, device, ProgramBuildLog, size, p, null) != 0) return "(no build log)";
        return CString(bytes).Trim();
    }

    static string CString(byte[] bytes)
    {
        int end = Array.IndexOf(bytes, (byte)0);
        return System.Text.Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
    }
}
