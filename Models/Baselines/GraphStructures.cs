using Sure.Sim;

namespace Sure.Models.Baselines;

/// <summary>What the baselines derive from a job's DAG, for B copies of it (one per decision of a batch; copy t's
/// task i is node t*n + i, so copies never mix). Built once per batch.</summary>
public static class GraphStructures
{
    /// <summary>The undirected DAG of B copies as a CSR (for mean aggregation, SPEC 4.3's GraphSAGE).</summary>
    public static Csr Undirected(JobGraph job, int copies)
    {
        var (src, dst) = Copies(job, copies);
        return Csr.FromEdges(copies * job.TaskCount, src, dst, undirected: true);
    }

    /// <summary>
    /// Kipf and Welling's propagation matrix D^-1/2 (A + I) D^-1/2 of the undirected DAG with self loops, B copies:
    /// the CSR pattern and one weight per entry (a [nnz] tensor), for <c>Tape.CsrWeightedSum</c>. Degrees count the
    /// self loop, so no degree is 0.
    /// </summary>
    public static (Csr Graph, Tensor<T> Weights) GcnPropagation<T>(JobGraph job, int copies) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (src, dst) = Copies(job, copies);
        int nodes = copies * job.TaskCount, m = src.Length;
        // Both directions of every edge, then one self loop per node.
        var from = new int[2 * m + nodes];
        var to = new int[2 * m + nodes];
        for (int e = 0; e < m; e++)
        {
            (from[2 * e], to[2 * e]) = (src[e], dst[e]);
            (from[2 * e + 1], to[2 * e + 1]) = (dst[e], src[e]);
        }
        for (int v = 0; v < nodes; v++) (from[2 * m + v], to[2 * m + v]) = (v, v);
        var graph = Csr.FromEdges(nodes, from, to, undirected: false);
        return (graph, Weights<T>(graph, (u, v, degree) => 1.0 / Math.Sqrt(degree[u] * degree[v])));
    }

    /// <summary>
    /// Chebyshev's scaled Laplacian L~ = 2 L / lambda_max - I of the undirected DAG, L = I - D^-1/2 A D^-1/2, with
    /// lambda_max taken as 2 (its bound for a normalised Laplacian, as ChebNet does): L~ = -D^-1/2 A D^-1/2, B copies,
    /// CSR pattern and weights. A task with no edge has an empty row.
    /// </summary>
    public static (Csr Graph, Tensor<T> Weights) ScaledLaplacian<T>(JobGraph job, int copies) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (src, dst) = Copies(job, copies);
        var graph = Csr.FromEdges(copies * job.TaskCount, src, dst, undirected: true);
        return (graph, Weights<T>(graph, (u, v, degree) => -1.0 / Math.Sqrt(degree[u] * degree[v])));
    }

    /// <summary>L~ of one copy as a dense [n, n] matrix (row-major), for ASTGCN's attention-weighted polynomials.</summary>
    public static double[] ScaledLaplacianDense(JobGraph job)
    {
        int n = job.TaskCount;
        var (graph, weights) = ScaledLaplacian<double>(job, 1);
        var dense = new double[n * n];
        for (int v = 0; v < n; v++)
            for (int k = graph.RowPtr[v]; k < graph.RowPtr[v + 1]; k++) dense[v * n + graph.Cols[k]] += weights.Span[k];
        return dense;
    }

    /// <summary>Row index that turns task-major rows (i*B + t) into decision-major ones (t*n + i): y = x[index].</summary>
    public static int[] TaskMajorToDecisionMajor(int tasks, int decisions)
    {
        var index = new int[tasks * decisions];
        for (int t = 0; t < decisions; t++)
            for (int i = 0; i < tasks; i++) index[t * tasks + i] = i * decisions + t;
        return index;
    }

    // Weight of entry (row v, column u) from both nodes' degrees (entries per row of the graph).
    static Tensor<T> Weights<T>(Csr graph, Func<int, int, double[], double> weight) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var degree = new double[graph.Rows];
        for (int v = 0; v < graph.Rows; v++) degree[v] = graph.Degree(v);
        var weights = Tensor<T>.Zeros(graph.NonZeros);
        var span = weights.Span;
        for (int v = 0; v < graph.Rows; v++)
            for (int k = graph.RowPtr[v]; k < graph.RowPtr[v + 1]; k++) span[k] = T.CreateChecked(weight(graph.Cols[k], v, degree));
        return weights;
    }

    // DAG edges (parent, child) of B copies, task ids of copy t offset by t*n.
    static (int[] Src, int[] Dst) Copies(JobGraph job, int copies)
    {
        var edges = job.Edges;
        int m = edges.Length / 2, n = job.TaskCount;
        var src = new int[copies * m];
        var dst = new int[copies * m];
        for (int t = 0; t < copies; t++)
            for (int e = 0; e < m; e++)
            {
                src[t * m + e] = edges[2 * e] + t * n;
                dst[t * m + e] = edges[2 * e + 1] + t * n;
            }
        return (src, dst);
    }
}
