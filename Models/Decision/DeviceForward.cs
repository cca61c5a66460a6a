using Sure.Tensors.Devices;

namespace Sure.Models;

/// <summary>
/// `sure forward --device opencl|cuda`: SPEC 4 on a batch from files (S and the noises given, SPEC 8), run on a
/// device with the decision's kernels, in float, without gradients. Writes the same tensors as the CPU path.
/// <para>Unlike the decision, S is read as given (a node's features are its row of S, not a ring row), Omega is
/// computed for every element because the output holds all of it, and theta is gathered from it.</para>
/// </summary>
public static class DeviceForward
{
    /// <summary>mu, sigma, omega, anchors, neighbors, h_g, action_mean as <see cref="ForwardFiles.Run"/> writes them (F32).</summary>
    public static SafetensorsFile Run(IComputeBackend backend, SafetensorsFile modelFile, SafetensorsFile inputFile)
    {
        var model = SureModel<float>.FromSafetensors(modelFile);
        var (input, k1, k2) = ForwardFiles.ReadInput<float>(inputFile, model.Config);
        int n = input.Tasks, L = input.L, K = input.K, slots = 1 + K, rows = n * L * slots, H = model.Config.H;

        // Omega of slot 0 sits at every (1+K)-th element: theta is a gather of those.
        var thetaIndex = new int[n * L];
        for (int r = 0; r < thetaIndex.Length; r++) thetaIndex[r] = r * slots;

        var buffers = new List<DeviceBuffer>();
        DeviceBuffer Up<T>(T[] values, ElementType type) where T : unmanaged
        {
            var buffer = backend.Allocate(type, values.Length);
            buffers.Add(buffer);
            backend.Upload<T>(values, buffer);
            return buffer;
        }
        try
        {
            using var network = new DeviceNetwork(backend, model, input.Neighbours, L, k1, k2);
            network.UploadParameters();
            // S as [n L (1+K), D]; x, y, mu, sigma, omega: [n, L, 1+K]; theta: [n, L]
            var s = Up(input.S.Span.ToArray(), ElementType.Float32);
            var x = Up(input.X.Span.ToArray(), ElementType.Float32);
            var y = Up(input.Y.Span.ToArray(), ElementType.Float32);
            var index = Up(thetaIndex, ElementType.Int32);
            var decision = Up(new int[DecisionScalars.Length], ElementType.Int32);
            var mu = Up(new float[rows], ElementType.Float32);
            var sigma = Up(new float[rows], ElementType.Float32);
            var omega = Up(new float[rows], ElementType.Float32);
            var theta = Up(new float[n * L], ElementType.Float32);

            network.Project(s, rows, mu, sigma);
            network.Ops.NvssOmega(mu, sigma, x, y, rows, omega);
            backend.GatherRows(omega, 1, index, n * L, theta);
            backend.TopK(theta, n, L, L, k1, ascendingIndices: true, network.Anchors);
            network.Enqueue(s, ring: false, decision, omega, everySnapshot: true);

            var anchors = new int[n * k1];
            var neighbours = new int[n * k1 * k2];
            var hg = new float[n * H];
            var actionMean = new float[n];
            var (muValues, sigmaValues, omegaValues) = (new float[rows], new float[rows], new float[rows]);
            backend.Download<float>(mu, muValues);
            backend.Download<float>(sigma, sigmaValues);
            backend.Download<float>(omega, omegaValues);
            backend.Download<int>(network.Anchors, anchors);
            backend.Download<int>(network.Neighbours, neighbours);
            backend.Download<float>(network.Readout, hg);
            backend.Download<float>(network.ActionMeans, actionMean);
            return ForwardFiles.Outputs(n, L, input.Neighbours, k1, k2, H, muValues, sigmaValues, omegaValues, anchors, neighbours,
                hg, actionMean);
        }
        finally
        {
            foreach (var buffer in buffers) buffer.Dispose();
        }
    }
}
