using ILGPU;
using ILGPU.Runtime;
using Sure.Tensors.Devices;
using Sure.Tensors.Devices.Ilgpu;
using D = Sure.Models.IlgpuDecisionKernels;

namespace Sure.Models;

/// <summary>
/// The decision ops on an ILGPU backend: <see cref="IlgpuDecisionKernels"/> loaded on the backend's accelerator on first
/// use (ILGPU compiles per accelerator) and launched under the backend's lock, in order with its own ops.
/// </summary>
internal sealed class IlgpuDecisionOps(IlgpuBackend backend) : DecisionOps
{
    readonly Accelerator accelerator = backend.Accelerator;

    Action<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? nvssProject;
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? nvssOmega;
    Action<Index1D, int, int, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? nvssTheta;
    Action<Index1D, int, int, int, int, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? nvssAnchorOmega;
    Action<Index1D, int, int, int, int, int, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<int>>? chooseNeighbours;
    Action<Index1D, SubgraphSizes, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>,
        ArrayView<int>, ArrayView<int>, ArrayView<int>>? buildSubgraphs;
    Action<Index1D, int, int, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>>? sageInput;
    Action<Index1D, int, int, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? sageCombine;
    Action<Index1D, int, int, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? sageCombineMean;
    Action<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? actionHead;
    Action<Index1D, int, ArrayView<float>, ArrayView<int>, ArrayView<int>>? rescale;

    ArrayView<float> F(DeviceBuffer b, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(b))] string name = "") =>
        backend.FloatView(b, name);

    ArrayView<int> I(DeviceBuffer b, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(b))] string name = "") =>
        backend.IntView(b, name);

    protected override void RunNvssProject(DeviceBuffer features, int rows, int d, DeviceBuffer wMu, DeviceBuffer bMu, DeviceBuffer wSigma,
        DeviceBuffer bSigma, DeviceBuffer mu, DeviceBuffer sigma)
    {
        using var serialised = backend.Serialise();
        (nvssProject ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>>(D.NvssProject))(rows, d, F(features), F(wMu), F(bMu), F(wSigma), F(bSigma), F(mu), F(sigma));
    }

    protected override void RunNvssOmega(DeviceBuffer mu, DeviceBuffer sigma, DeviceBuffer x, DeviceBuffer y, int n, DeviceBuffer omega)
    {
        using var serialised = backend.Serialise();
        (nvssOmega ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>>(D.NvssOmega))(n, F(mu), F(sigma), F(x), F(y), F(omega));
    }

    protected override void RunNvssTheta(DeviceBuffer mu, DeviceBuffer sigma, int tasks, int L, DeviceBuffer decision, DeviceBuffer theta)
    {
        using var serialised = backend.Serialise();
        (nvssTheta ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(
            D.NvssTheta))(tasks * L, tasks, L, I(decision), F(mu), F(sigma), F(theta));
    }

    protected override void RunNvssAnchorOmega(DeviceBuffer mu, DeviceBuffer sigma, DeviceBuffer slots, DeviceBuffer valid, DeviceBuffer anchors,
        int tasks, int L, int K, int k1, DeviceBuffer decision, DeviceBuffer omega)
    {
        using var serialised = backend.Serialise();
        (nvssAnchorOmega ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, int, int, ArrayView<int>, ArrayView<int>, ArrayView<int>,
            ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(D.NvssAnchorOmega))(
            tasks * k1 * K, tasks, L, K, k1, I(decision), I(slots), I(valid), I(anchors), F(mu), F(sigma), F(omega));
    }

    protected override void RunChooseNeighbours(DeviceBuffer omega, bool everySnapshot, DeviceBuffer valid, DeviceBuffer anchors,
        int tasks, int L, int K, int k1, int k2, DeviceBuffer neighbours)
    {
        using var serialised = backend.Serialise();
        (chooseNeighbours ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, int, int, int, ArrayView<int>, ArrayView<int>,
            ArrayView<float>, ArrayView<int>>(D.ChooseNeighbours))(
            tasks * k1, L, K, k1, k2, everySnapshot ? 1 : 0, I(valid), I(anchors), F(omega), I(neighbours));
    }

    protected override void RunBuildSubgraphs(DeviceBuffer anchors, DeviceBuffer neighbours, DeviceBuffer slots, DeviceBuffer valid,
        DeviceBuffer linked, DeviceBuffer taskStarts, int tasks, int L, int K, int k1, int k2, bool ring,
        DeviceBuffer decision, DeviceBuffer nodeRow, DeviceBuffer degree, DeviceBuffer adjacency)
    {
        using var serialised = backend.Serialise();
        var sizes = new SubgraphSizes { Tasks = tasks, L = L, K = K, K1 = k1, K2 = k2, Ring = ring ? 1 : 0 };
        (buildSubgraphs ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, SubgraphSizes, ArrayView<int>, ArrayView<int>, ArrayView<int>,
            ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>>(D.BuildSubgraphs))(
            tasks * k1, sizes, I(decision), I(slots), I(valid), I(linked), I(taskStarts), I(anchors), I(neighbours), I(nodeRow), I(degree),
            I(adjacency));
    }

    protected override void RunSageInput(DeviceBuffer features, int d, DeviceBuffer nodeRow, DeviceBuffer degree, DeviceBuffer adjacency,
        int nodes, int cap, DeviceBuffer input)
    {
        using var serialised = backend.Serialise();
        (sageInput ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>,
            ArrayView<float>>(D.SageInput))(nodes * 2 * d, d, cap, I(nodeRow), I(degree), I(adjacency), F(features), F(input));
    }

    protected override void RunSageCombine(DeviceBuffer y, DeviceBuffer bias, int h, DeviceBuffer degree, DeviceBuffer adjacency,
        int nodes, int cap, DeviceBuffer output)
    {
        using var serialised = backend.Serialise();
        (sageCombine ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>>(D.SageCombine))(nodes * h, h, cap, I(degree), I(adjacency), F(y), F(bias), F(output));
    }

    protected override void RunSageCombineMean(DeviceBuffer y, DeviceBuffer bias, int h, DeviceBuffer degree, DeviceBuffer adjacency,
        int cap, DeviceBuffer taskStarts, int tasks, DeviceBuffer hg)
    {
        using var serialised = backend.Serialise();
        (sageCombineMean ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<int>, ArrayView<int>, ArrayView<int>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>>(D.SageCombineMean))(
            tasks * h, h, cap, I(taskStarts), I(degree), I(adjacency), F(y), F(bias), F(hg));
    }

    protected override void RunActionHead(DeviceBuffer hg, int h, int tasks, DeviceBuffer weight, DeviceBuffer bias, DeviceBuffer actionMean)
    {
        using var serialised = backend.Serialise();
        (actionHead ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(
            D.ActionHead))(tasks, h, F(hg), F(weight), F(bias), F(actionMean));
    }

    protected override void RunRescale(DeviceBuffer actionMean, DeviceBuffer parallelism, int tasks, int pMax, DeviceBuffer newParallelism)
    {
        using var serialised = backend.Serialise();
        (rescale ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<int>, ArrayView<int>>(D.Rescale))(
            tasks, pMax, F(actionMean), I(parallelism), I(newParallelism));
    }
}
