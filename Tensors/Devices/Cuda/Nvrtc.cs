using System.Runtime.InteropServices;

namespace Sure.Tensors.Devices.Cuda;

/// <summary>
/// NVRTC, the CUDA runtime compiler, bound at run time. It ships with the CUDA toolkit (or the cuda-nvrtc
/// packages), not with the driver, so it is looked for by its versioned soname on the library path, then in the
/// usual toolkit folders. Signatures and nvrtcResult values are those of NVIDIA's nvrtc.h.
/// </summary>
internal sealed unsafe class Nvrtc
{
    // nvrtcResult (nvrtc.h)
    public const int ErrorInvalidOption = 5;
    public const int ErrorCompilation = 6;

    /// <summary>Set to the full path of a libnvrtc to use that one and no other.</summary>
    public const string PathVariable = "SURE_NVRTC";

    // Newest first: a newer NVRTC knows newer GPUs. The soname carries the major version only.
    static readonly string[] Sonames = OperatingSystem.IsWindows()
        ? ["nvrtc64_130_0.dll", "nvrtc64_120_0.dll"]
        : ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.13.0", "libnvrtc.so.12.0", "libnvrtc.so"];

    public delegate* unmanaged<int*, int*, int> Version;
    public delegate* unmanaged<nint*, byte*, byte*, int, byte**, byte**, int> CreateProgram;
    public delegate* unmanaged<nint, int, byte**, int> CompileProgram;
    public delegate* unmanaged<nint, nuint*, int> GetProgramLogSize;
    public delegate* unmanaged<nint, byte*, int> GetProgramLog;
    public delegate* unmanaged<nint, nuint*, int> GetCubinSize;
    public delegate* unmanaged<nint, byte*, int> GetCubin;
    public delegate* unmanaged<nint, nuint*, int> GetPtxSize;
    public delegate* unmanaged<nint, byte*, int> GetPtx;
    public delegate* unmanaged<nint*, int> DestroyProgram;
    public delegate* unmanaged<int, byte*> GetErrorString;
    // Optional (CUDA 11.2+): the architectures this NVRTC can target, ascending, e.g. 50 .. 90.
    public delegate* unmanaged<int*, int> GetNumSupportedArchs;
    public delegate* unmanaged<int*, int> GetSupportedArchs;

    /// <summary>The file that was loaded, for the device description.</summary>
    public string Library { get; private set; } = "";

    Nvrtc() { }

    /// <summary>Where NVRTC is looked for, in order: SURE_NVRTC alone if set, else sonames, then toolkit folders.</summary>
    public static IReadOnlyList<string> Candidates() => Candidates(Environment.GetEnvironmentVariable(PathVariable));

    internal static IReadOnlyList<string> Candidates(string? explicitPath)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath)) return [explicitPath.Trim()];
        var candidates = new List<string>(Sonames);
        foreach (var folder in ToolkitFolders())
        {
            if (!Directory.Exists(folder)) continue;
            candidates.AddRange(Sonames.Select(name => Path.Combine(folder, name)).Where(File.Exists));
            // Full versions such as libnvrtc.so.12.4.127 when the soname link is missing.
            candidates.AddRange(Directory.GetFiles(folder, "libnvrtc.so.1*").OrderDescending(StringComparer.Ordinal));
        }
        return candidates;
    }

    static IEnumerable<string> ToolkitFolders()
    {
        foreach (var variable in new[] { "CUDA_PATH", "CUDA_HOME" })
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } root)
            {
                yield return Path.Combine(root, "lib64");
                yield return Path.Combine(root, "lib");
            }
        yield return "/usr/local/cuda/lib64";
        yield return "/usr/local/cuda/targets/x86_64-linux/lib";
    }

    public static bool TryLoad(out Nvrtc? api, out string reason) => TryLoad(Candidates(), out api, out reason);

    internal static bool TryLoad(IReadOnlyList<string> candidates, out Nvrtc? api, out string reason)
    {
        api = null;
        nint lib = 0;
        string loaded = "";
        foreach (var name in candidates)
            if (NativeLibrary.TryLoad(name, out lib)) { loaded = name; break; }
        if (lib == 0)
        {
            reason = $"NVRTC not found (tried {string.Join(", ", candidates.Distinct())}; install the CUDA toolkit's "
                     + $"NVRTC, e.g. cuda-nvrtc-12-x, or set {PathVariable} to the libnvrtc file)";
            return false;
        }
        var a = new Nvrtc { Library = loaded };
        var missing = new List<string>();
        nint F(string symbol, bool required = true)
        {
            if (NativeLibrary.TryGetExport(lib, symbol, out var p)) return p;
            if (required) missing.Add(symbol);
            return 0;
        }
        a.Version = (delegate* unmanaged<int*, int*, int>)F("nvrtcVersion");
        a.CreateProgram = (delegate* unmanaged<nint*, byte*, byte*, int, byte**, byte**, int>)F("nvrtcCreateProgram");
        a.CompileProgram = (delegate* unmanaged<nint, int, byte**, int>)F("nvrtcCompileProgram");
        a.GetProgramLogSize = (delegate* unmanaged<nint, nuint*, int>)F("nvrtcGetProgramLogSize");
        a.GetProgramLog = (delegate* unmanaged<nint, byte*, int>)F("nvrtcGetProgramLog");
        a.GetCubinSize = (delegate* unmanaged<nint, nuint*, int>)F("nvrtcGetCUBINSize");
        a.GetCubin = (delegate* unmanaged<nint, byte*, int>)F("nvrtcGetCUBIN");
        a.GetPtxSize = (delegate* unmanaged<nint, nuint*, int>)F("nvrtcGetPTXSize");
        a.GetPtx = (delegate* unmanaged<nint, byte*, int>)F("nvrtcGetPTX");
        a.DestroyProgram = (delegate* unmanaged<nint*, int>)F("nvrtcDestroyProgram");
        a.GetErrorString = (delegate* unmanaged<int, byte*>)F("nvrtcGetErrorString");
        a.GetNumSupportedArchs = (delegate* unmanaged<int*, int>)F("nvrtcGetNumSupportedArchs", required: false);
        a.GetSupportedArchs = (delegate* unmanaged<int*, int>)F("nvrtcGetSupportedArchs", required: false);
        if (missing.Count > 0)
        {
            reason = $"NVRTC at {loaded} is too old: it lacks {string.Join(", ", missing)} (need CUDA 11.1 or newer)";
            return false;
        }
        api = a;
        reason = "";
        return true;
    }

    public void Check(int status, string call, string? detail = null)
    {
        if (status != 0) throw Error(status, call, detail);
    }

    CudaException Error(int status, string call, string? detail = null)
    {
        var name = GetErrorString(status);
        return new CudaException(call, status, name == null ? "unknown NVRTC error" : Marshal.PtrToStringUTF8((nint)name)!,
            null, detail);
    }

    public (int Major, int Minor) VersionNumber()
    {
        int major, minor;
        Check(Version(&major, &minor), "nvrtcVersion");
        return (major, minor);
    }

    /// <summary>The architectures this NVRTC can compile for (e.g. 75, 80, 86, 89, 90), or empty if it cannot say.</summary>
    public int[] SupportedArchitectures()
    {
        if (GetNumSupportedArchs == null || GetSupportedArchs == null) return [];
        int count;
        if (GetNumSupportedArchs(&count) != 0 || count <= 0) return [];
        var archs = new int[count];
        fixed (int* p = archs)
            if (GetSupportedArchs(p) != 0) return [];
        return archs;
    }

    /// <summary>
    /// Compiles source with the options and returns the image for cuModuleLoadData: a CUBIN, or NUL-terminated
    /// PTX when cubin is false. A failed compile throws with NVRTC's program log in the message.
    /// </summary>
    public byte[] Compile(string source, string programName, IReadOnlyList<string> options, bool cubin)
    {
        nint program;
        var sourceBytes = Utf8z(source);
        var nameBytes = Utf8z(programName);
        fixed (byte* s = sourceBytes, n = nameBytes)
            Check(CreateProgram(&program, s, n, 0, null, null), "nvrtcCreateProgram");
        try
        {
            var optionBytes = options.Select(Utf8z).ToArray();
            var handles = optionBytes.Select(o => GCHandle.Alloc(o, GCHandleType.Pinned)).ToArray();
            int status;
            try
            {
                var pointers = stackalloc byte*[optionBytes.Length];
                for (int i = 0; i < handles.Length; i++) pointers[i] = (byte*)handles[i].AddrOfPinnedObject();
                status = CompileProgram(program, optionBytes.Length, pointers);
            }
            finally
            {
                foreach (var h in handles) h.Free();
            }
            if (status != 0)
                throw Error(status, "nvrtcCompileProgram",
                    $"options: {string.Join(' ', options)}\ncompile log:\n{Log(program)}");
            nuint size;
            if (cubin) Check(GetCubinSize(program, &size), "nvrtcGetCUBINSize");
            else Check(GetPtxSize(program, &size), "nvrtcGetPTXSize");
            var image = new byte[(int)size];
            fixed (byte* p = image)
                if (cubin) Check(GetCubin(program, p), "nvrtcGetCUBIN");
                else Check(GetPtx(program, p), "nvrtcGetPTX");
            return image;
        }
        finally
        {
            DestroyProgram(&program);
        }
    }

    string Log(nint program)
    {
        nuint size;
        if (GetProgramLogSize(program, &size) != 0 || size == 0) return "(no compile log)";
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes)
            if (GetProgramLog(program, p) != 0) return "(no compile log)";
        int end = Array.IndexOf(bytes, (byte)0);
        return System.Text.Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end).Trim();
    }

    static byte[] Utf8z(string text) => System.Text.Encoding.UTF8.GetBytes(text + "\0");
}
