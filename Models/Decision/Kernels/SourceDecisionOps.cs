using Sure.Tensors.Devices;

namespace Sure.Models;

/// <summary>
/// The decision ops on OpenCL and CUDA: <see cref="DecisionSource"/> compiled once on the backend, each op one 1-D
/// launch with the same geometry on both runtimes.
/// </summary>
internal sealed class SourceDecisionOps : DecisionOps
{
    readonly KernelBackend backend;
    readonly KernelBackend.DeviceKernel project, omega, theta, anchorOmega, chooseNeighbours, buildSubgraphs, sageInput,
        sageCombine, sageCombineMean, actionHead, rescale;

    public SourceDecisionOps(KernelBackend backend)
    {
        this.backend = backend;
        var program = backend.Compile(DecisionSource.Source);
        project = program.Kernel("sure_nvss_project");
        omega = program.Kernel("sure_nvss_omega");
        theta = program.Kernel("sure_nvss_theta");
        anchorOmega = program.Kernel("sure_nvss_anchor_omega");
        chooseNeighbours = program.Kernel("sure_choose_neighbours");
        buildSubgraphs = program.Kernel("sure_build_subgraphs");
        sageInput = program.Kernel("sure_sage_input");
        sageCombine = program.Kernel("sure_sage_combine");
        sageCombineMean = program.Kernel("sure_sage_combine_mean");
        actionHead = program.Kernel("sure_action_head");
        rescale = program.Kernel("sure_rescale");
    }

    KernelBackend.KernelArg F(DeviceBuffer b, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(b))] string name = "") =>
        backend.FloatArg(b, name);

    KernelBackend.KernelArg I(DeviceBuffer b, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(b))] string name = "") =>
        backend.IntArg(b, name);

    protected override void RunNvssProject(DeviceBuffer features, int rows, int d, DeviceBuffer wMu, DeviceBuffer bMu, DeviceBuffer wSigma,
        DeviceBuffer bSigma, DeviceBuffer mu, DeviceBuffer sigma) =>
        backend.LaunchLinear(project, rows, rows, d, F(features), F(wMu), F(bMu), F(wSigma), F(bSigma), F(mu), F(sigma));

    protected override void RunNvssOmega(DeviceBuffer mu, DeviceBuffer sigma, DeviceBuffer x, DeviceBuffer y, int n, DeviceBuffer omega) =>
        backend.LaunchLinear(this.omega, n, n, F(mu), F(sigma), F(x), F(y), F(omega));

    protected override void RunNvssTheta(DeviceBuffer mu, DeviceBuffer sigma, int tasks, int L, DeviceBuffer decision, DeviceBuffer theta) =>
        backend.LaunchLinear(this.theta, tasks * L, tasks, L, I(decision), F(mu), F(sigma), F(theta));

    protected override void RunNvssAnchorOmega(DeviceBuffer mu, DeviceBuffer sigma, DeviceBuffer slots, DeviceBuffer valid, DeviceBuffer anchors,
        int tasks, int L, int K, int k1, DeviceBuffer decision, DeviceBuffer omega) =>
        backend.LaunchLinear(anchorOmega, tasks * k1 * K, tasks, L, K, k1, I(decision), I(slots), I(valid), I(anchors),
            F(mu), F(sigma), F(omega));

    protected override void RunChooseNeighbours(DeviceBuffer omega, bool everySnapshot, DeviceBuffer valid, DeviceBuffer anchors,
        int tasks, int L, int K, int k1, int k2, DeviceBuffer neighbours) =>
        backend.LaunchLinear(chooseNeighbours, tasks * k1, tasks, L, K, k1, k2, everySnapshot ? 1 : 0, I(valid), I(anchors),
            F(omega), I(neighbours));

    protected override void RunBuildSubgraphs(DeviceBuffer anchors, DeviceBuffer neighbours, DeviceBuffer slots, DeviceBuffer valid,
        DeviceBuffer linked, DeviceBuffer taskStarts, int tasks, int L, int K, int k1, int k2, bool ring,
        DeviceBuffer decision, DeviceBuffer nodeRow, DeviceBuffer degree, DeviceBuffer adjacency) =>
        backend.LaunchLinear(buildSubgraphs, tasks * k1, tasks, L, K, k1, k2, ring ? 1 : 0, I(decision), I(slots), I(valid),
            I(linked), I(taskStarts), I(anchors), I(neighbours), I(nodeRow), I(degree), I(adjacency));

    protected override void RunSageInput(DeviceBuffer features, int d, DeviceBuffer nodeRow, DeviceBuffer degree, DeviceBuffer adjacency,
        int nodes, int cap, DeviceBuffer input) =>
        backend.LaunchLinear(sageInput, nodes * 2 * d, nodes, d, cap, I(nodeRow), I(degree), I(adjacency), F(features), F(input));

    protected override void RunSageCombine(DeviceBuffer y, DeviceBuffer bias, int h, DeviceBuffer degree, DeviceBuffer adjacency,
        int nodes, int cap, DeviceBuffer output) =>
        backend.LaunchLinear(sageCombine, nodes * h, nodes, h, cap, I(degree), I(adjacency), F(y), F(bias), F(output));

    protected override void RunSageCombineMean(DeviceBuffer y, DeviceBuffer bias, int h, DeviceBuffer degree, DeviceBuffer adjacency,
        int cap, DeviceBuffer taskStarts, int tasks, DeviceBuffer hg) =>
        backend.LaunchLinear(sageCombineMean, tasks * h, tasks, h, cap, I(taskStarts), I(degree), I(adjacency), F(y), F(bias), F(hg));

    protected override void RunActionHead(DeviceBuffer hg, int h, int tasks, DeviceBuffer weight, DeviceBuffer bias, DeviceBuffer actionMean) =>
        backend.LaunchLinear(actionHead, tasks, tasks, h, F(hg), F(weight), F(bias), F(actionMean));

    protected override void RunRescale(DeviceBuffer actionMean, DeviceBuffer parallelism, int tasks, int pMax, DeviceBuffer newParallelism) =>
        backend.LaunchLinear(rescale, tasks, tasks, pMax, F(actionMean), I(parallelism), I(newParallelism));
}
