namespace Sure.Tensors.Devices.Kernels;

/// <summary>
/// Macros that let one kernel source compile as OpenCL C 1.2 and, with another prelude, as CUDA (NVRTC).
/// Kernel bodies use only these names for address spaces, indexing and synchronisation, plus the C maths
/// functions both languages share (expf-style names are avoided: OpenCL's exp/log are overloaded for float).
/// </summary>
internal static class Prelude
{
    public const string OpenCl = """
        // Bit-reproducible arithmetic: no a*b+c contraction into fma, so sums match the CPU kernels' order.
        #pragma OPENCL FP_CONTRACT OFF
        #define KERNEL __kernel
        #define GLOBAL __global
        #define LOCAL __local
        #define INLINE inline
        #define BARRIER barrier(CLK_LOCAL_MEM_FENCE)
        #define GLOBAL_ID(d) ((int)get_global_id(d))
        #define LOCAL_ID(d) ((int)get_local_id(d))
        #define GROUP_ID(d) ((int)get_group_id(d))
        #define LOCAL_SIZE(d) ((int)get_local_size(d))
        typedef ulong u64;

        """;

    /// <summary>
    /// For NVRTC (CudaBackend compiles it with --fmad=false, the counterpart of FP_CONTRACT OFF). OpenCL C's
    /// overloaded float maths names are sent to CUDA's single-precision functions by name, so no call can resolve
    /// to a double overload; isnan and INFINITY are spelled out because NVRTC has no math.h to bring them.
    /// </summary>
    public const string Cuda = """
        #define KERNEL extern "C" __global__
        #define GLOBAL
        #define LOCAL __shared__
        #define INLINE __device__ inline
        #define BARRIER __syncthreads()
        #define GLOBAL_ID(d) ((int)((d) == 0 ? blockIdx.x * blockDim.x + threadIdx.x : blockIdx.y * blockDim.y + threadIdx.y))
        #define LOCAL_ID(d) ((int)((d) == 0 ? threadIdx.x : threadIdx.y))
        #define GROUP_ID(d) ((int)((d) == 0 ? blockIdx.x : blockIdx.y))
        #define LOCAL_SIZE(d) ((int)((d) == 0 ? blockDim.x : blockDim.y))
        typedef unsigned int uint;
        typedef unsigned long long u64;
        #define exp(x) expf(x)
        #define log(x) logf(x)
        #define log1p(x) log1pf(x)
        #define tanh(x) tanhf(x)
        #define sqrt(x) sqrtf(x)
        #define sin(x) sinf(x)
        #define cos(x) cosf(x)
        #define fmax(a, b) fmaxf(a, b)
        #define fabs(x) fabsf(x)
        #define rint(x) rintf(x)
        #undef isnan
        #define isnan(x) ((x) != (x))
        #undef INFINITY
        #define INFINITY __int_as_float(0x7f800000)

        """;
}
