using Sure.Tensors.Devices;

namespace Sure.Autodiff.Device;

// The ops, each forward beside its backward (Propagate's case), with the CPU tape's shapes, checks and semantics.
// Reductions and broadcasts are products with a vector of ones, so the engine needs no reduction kernel of its own.
public sealed partial class DeviceTape
{
    const int TransA = 1, TransB = 2;

    // a: [m, k], or [k, m] when transA;  b: [k, n], or [n, k] when transB;  returns op(a) @ op(b): [m, n]
    public DeviceVar MatMul(DeviceVar a, DeviceVar b, bool transA = false, bool transB = false)
    {
        var (sa, sb) = (a.Shape, b.Shape);
        if (sa.Rank != 2 || sb.Rank != 2) throw new ArgumentException($"MatMul needs matrices, got {sa} and {sb}");
        int m = transA ? sa.Cols : sa.Rows, k = transA ? sa.Rows : sa.Cols;
        int kb = transB ? sb.Cols : sb.Rows, n = transB ? sb.Rows : sb.Cols;
        if (k != kb) throw new ArgumentException($"MatMul: inner sizes differ, {sa}{(transA ? "^T" : "")} @ {sb}{(transB ? "^T" : "")}");
        var y = NewValue(m * n);
        Backend.Gemm(a.Value, transA, b.Value, transB, m, n, k, false, y);
        Record(Op.MatMul, y, new Shape(m, n), a.Id, b.Id).Flags = (transA ? TransA : 0) | (transB ? TransB : 0);
        return Last;
    }

    // With Y = op(A) op(B): d op(A) = dY op(B)^T and d op(B) = op(A)^T dY; a transposed operand takes the transpose.
    void MatMulBackward(in Node n)
    {
        bool ta = (n.Flags & TransA) != 0, tb = (n.Flags & TransB) != 0;
        ref readonly var a = ref _nodes[n.A];
        ref readonly var b = ref _nodes[n.B];
        int m = n.Shape.Rows, nn = n.Shape.Cols, k = ta ? a.Shape.Rows : a.Shape.Cols;
        if (a.Grad is { } da)
        {
            if (!ta) Backend.Gemm(n.Grad!, false, b.Value, !tb, m, k, nn, true, da);
            else Backend.Gemm(b.Value, tb, n.Grad!, true, k, m, nn, true, da);
        }
        if (b.Grad is { } db)
        {
            if (!tb) Backend.Gemm(a.Value, !ta, n.Grad!, false, k, nn, m, true, db);
            else Backend.Gemm(n.Grad!, true, a.Value, ta, nn, k, m, true, db);
        }
    }

    // x: [m, n]  bias: [n]; returns x + bias on every row
    public DeviceVar AddBias(DeviceVar x, DeviceVar bias)
    {
        var (sx, sb) = (x.Shape, bias.Shape);
        if (sb.Length != sx.Cols) throw new ArgumentException($"AddBias: bias {sb} for rows of {sx}");
        var y = NewValue(sx.Length);
        Backend.AddBias(x.Value, bias.Value, sx.Rows, sx.Cols, y);
        Record(Op.AddBias, y, sx, x.Id, bias.Id);
        return Last;
    }

    // dx += dy;  dbias += ones[1, m] @ dy[m, n]
    void AddBiasBackward(in Node n)
    {
        if (_nodes[n.A].Grad is { } dx) Backend.Axpy(1f, n.Grad!, n.Shape.Length, dx);
        if (_nodes[n.B].Grad is { } db) Backend.Gemm(Ones(n.Shape.Rows), false, n.Grad!, false, 1, n.Shape.Cols, n.Shape.Rows, true, db);
    }

    // a, b: same shape; returns a + b
    public DeviceVar Add(DeviceVar a, DeviceVar b) => Zip(Op.Add, BinaryOp.Add, a, b);

    // a, b: same shape; returns a * b elementwise
    public DeviceVar Mul(DeviceVar a, DeviceVar b) => Zip(Op.Mul, BinaryOp.Mul, a, b);

    DeviceVar Zip(Op op, BinaryOp kernel, DeviceVar a, DeviceVar b)
    {
        var shape = SameShape(a, b, op.ToString());
        var y = NewValue(shape.Length);
        Backend.Zip(kernel, a.Value, b.Value, shape.Length, y);
        Record(op, y, shape, a.Id, b.Id);
        return Last;
    }

    // a, b: same shape; returns a - b
    public DeviceVar Sub(DeviceVar a, DeviceVar b)
    {
        var shape = SameShape(a, b, nameof(Sub));
        var y = NewValue(shape.Length);
        Backend.Scale(b.Value, -1f, shape.Length, y);
        Backend.Axpy(1f, a.Value, shape.Length, y);
        Record(Op.Sub, y, shape, a.Id, b.Id);
        return Last;
    }

    // da += dy;  db += dy (Add) or -dy (Sub)
    void AddBackward(in Node n, float signB)
    {
        int count = n.Shape.Length;
        if (_nodes[n.A].Grad is { } da) Backend.Axpy(1f, n.Grad!, count, da);
        if (_nodes[n.B].Grad is { } db) Backend.Axpy(signB, n.Grad!, count, db);
    }

    // da += dy * b;  db += dy * a
    void MulBackward(in Node n)
    {
        int count = n.Shape.Length;
        ref readonly var a = ref _nodes[n.A];
        ref readonly var b = ref _nodes[n.B];
        if (a.Grad is { } da) Backend.MultiplyAdd(n.Grad!, b.Value, count, da);
        if (b.Grad is { } db) Backend.MultiplyAdd(n.Grad!, a.Value, count, db);
    }

    // returns c x
    public DeviceVar Scale(DeviceVar x, float c)
    {
        var shape = x.Shape;
        var y = NewValue(shape.Length);
        Backend.Scale(x.Value, c, shape.Length, y);
        Record(Op.Scale, y, shape, x.Id).Attr = c;
        return Last;
    }

    // returns -x
    public DeviceVar Neg(DeviceVar x) => Scale(x, -1f);

    // returns x + c
    public DeviceVar AddScalar(DeviceVar x, float c)
    {
        var shape = x.Shape;
        var y = NewValue(shape.Length);
        Backend.Fill(c, shape.Length, y);
        Backend.Axpy(1f, x.Value, shape.Length, y);
        Record(Op.AddScalar, y, shape, x.Id).Attr = 1f;
        return Last;
    }

    // dx += c dy (Scale; AddScalar with c = 1)
    void ScaleBackward(in Node n) => Backend.Axpy(n.Attr, n.Grad!, n.Shape.Length, _nodes[n.A].Grad!);

    public DeviceVar Sigmoid(DeviceVar x) => Map(UnaryOp.Sigmoid, x);
    public DeviceVar Softplus(DeviceVar x) => Map(UnaryOp.Softplus, x);
    public DeviceVar Relu(DeviceVar x) => Map(UnaryOp.Relu, x);
    public DeviceVar Tanh(DeviceVar x) => Map(UnaryOp.Tanh, x);
    public DeviceVar Exp(DeviceVar x) => Map(UnaryOp.Exp, x);
    public DeviceVar Log(DeviceVar x) => Map(UnaryOp.Log, x);

    // returns op(x) elementwise
    DeviceVar Map(UnaryOp op, DeviceVar x)
    {
        var shape = x.Shape;
        var y = NewValue(shape.Length);
        Backend.Map(op, x.Value, shape.Length, y);
        Record(Op.Map, y, shape, x.Id).Flags = (int)op;
        return Last;
    }

    // dx += dy op'(x)
    void MapBackward(in Node n)
    {
        ref readonly var x = ref _nodes[n.A];
        Backend.MapBackward((UnaryOp)n.Flags, x.Value, n.Value, n.Grad!, n.Shape.Length, x.Grad!);
    }

    // returns [1], the sum of all elements: ones[1, n] @ x[n, 1]
    public DeviceVar Sum(DeviceVar x)
    {
        int count = x.Shape.Length;
        var y = NewValue(1);
        Backend.Gemm(Ones(count), false, x.Value, false, 1, 1, count, false, y);
        Record(Op.Sum, y, new Shape(1), x.Id).Attr = 1f;
        return Last;
    }

    // returns [1], the mean of all elements; 0 for an empty tensor
    public DeviceVar Mean(DeviceVar x)
    {
        int count = x.Shape.Length;
        float scale = count == 0 ? 0f : 1f / count;
        var y = NewValue(1);
        Backend.Gemm(Ones(count), false, x.Value, false, 1, 1, count, false, y);
        Backend.Scale(y, scale, 1, y);
        ref var node = ref Record(Op.Mean, y, new Shape(1), x.Id);
        node.Attr = scale;
        if (node.Backward) node.Scratch = NewValue(1);
        return Last;
    }

    // dx += scale dy[0] on every element: ones[n, 1] @ (scale dy)[1, 1]
    void SumBackward(in Node n)
    {
        ref readonly var x = ref _nodes[n.A];
        int count = x.Shape.Length;
        var dy = n.Grad!;
        if (n.Op == Op.Mean)
        {
            Backend.Scale(dy, n.Attr, 1, n.Scratch!);
            dy = n.Scratch!;
        }
        Backend.Gemm(Ones(count), false, dy, false, count, 1, 1, true, x.Grad!);
    }

    // x: [m, n] (a vector is one row); returns the softmax of each row
    public DeviceVar SoftmaxRows(DeviceVar x)
    {
        var shape = x.Shape;
        var y = NewValue(shape.Length);
        Backend.Softmax(x.Value, shape.Rows, shape.Cols, y);
        Record(Op.SoftmaxRows, y, shape, x.Id);
        return Last;
    }

    // x: [r, d]  index: [q], repeats allowed; returns x[index]: [q, d]. The inverse index goes up too, for the backward
    // gather (no atomics).
    public DeviceVar GatherRows(DeviceVar x, ReadOnlyMemory<int> indexMemory)
    {
        var index = indexMemory.Span;
        var sx = x.Shape;
        int d = sx.Cols;
        OpChecks.Rows(index, sx);
        var indexBuffer = UploadInts(index);
        var y = NewValue(index.Length * d);
        Backend.GatherRows(x.Value, d, indexBuffer, index.Length, y);
        ref var node = ref Record(Op.GatherRows, y, new Shape(index.Length, d), x.Id);
        if (node.Backward)
        {
            var host = Host(sx.Rows + 1 + index.Length);
            GatherIndex.Invert(index, sx.Rows, host[..(sx.Rows + 1)], host[(sx.Rows + 1)..]);
            node.I0 = UploadInts(host[..(sx.Rows + 1)]);
            node.I1 = UploadInts(host[(sx.Rows + 1)..]);
        }
        return Last;
    }

    // dx[index[i]] += dy[i], as a gather over the inverse index
    void GatherRowsBackward(in Node n)
    {
        ref readonly var x = ref _nodes[n.A];
        Backend.ScatterAddRows(n.Grad!, x.Shape.Cols, n.I0!, n.I1!, x.Shape.Rows, x.Grad!);
    }

    // x: [r, d]  segStart: [s + 1], from 0 to r, non-decreasing; returns [s, d], the mean of each segment's rows (0 when empty)
    public DeviceVar SegmentMean(DeviceVar x, ReadOnlyMemory<int> segStartMemory)
    {
        var segStart = segStartMemory.Span;
        var sx = x.Shape;
        OpChecks.Segments(segStart, sx.Rows);
        int segments = segStart.Length - 1;
        var starts = UploadInts(segStart);
        var y = NewValue(segments * sx.Cols);
        Backend.SegmentMean(x.Value, sx.Cols, starts, segments, y);
        Record(Op.SegmentMean, y, new Shape(segments, sx.Cols), x.Id).I0 = starts;
        return Last;
    }

    void SegmentMeanBackward(in Node n)
    {
        ref readonly var x = ref _nodes[n.A];
        Backend.SegmentMeanBackward(n.Grad!, x.Shape.Cols, n.I0!, n.Shape.Rows, x.Shape.Rows, x.Grad!);
    }

    // x: [n, d]  graph: n rows; returns [n, d]: row v is the mean of x over v's neighbours, 0 when it has none.
    // The transposed graph goes up too, for the backward gather.
    public DeviceVar CsrMean(DeviceVar x, Csr graph)
    {
        var sx = x.Shape;
        if (graph.Rows != sx.Rows) throw new ArgumentException($"CsrMean: graph of {graph.Rows} rows for {sx}");
        int rows = graph.Rows, nnz = graph.NonZeros;
        var rowPtr = UploadInts(graph.RowPtr.AsSpan(0, rows + 1));
        var colIdx = UploadInts(graph.Cols.AsSpan(0, nnz));
        var y = NewValue(sx.Length);
        Backend.MeanAggregate(rowPtr, colIdx, rows, x.Value, sx.Cols, y);
        ref var node = ref Record(Op.CsrMean, y, sx, x.Id);
        node.I0 = rowPtr;
        if (node.Backward)
        {
            // Transposed: row u lists every v with u among v's neighbours, in ascending v (edges are in v order).
            var host = Host(rows + 1 + 3 * nnz);
            var tRowPtr = host[..(rows + 1)];
            var positions = host.Slice(rows + 1, nnz);
            var edgeRow = host.Slice(rows + 1 + nnz, nnz);
            var tColIdx = host.Slice(rows + 1 + 2 * nnz, nnz);
            GatherIndex.Invert(graph.Cols.AsSpan(0, nnz), rows, tRowPtr, positions);
            for (int v = 0; v < rows; v++) edgeRow[graph.RowPtr[v]..graph.RowPtr[v + 1]].Fill(v);
            for (int j = 0; j < nnz; j++) tColIdx[j] = edgeRow[positions[j]];
            node.I2 = UploadInts(tRowPtr);
            node.I3 = UploadInts(tColIdx);
        }
        return Last;
    }

    void CsrMeanBackward(in Node n)
    {
        ref readonly var x = ref _nodes[n.A];
        int rows = n.Shape.Rows;
        Backend.MeanAggregateBackward(n.I2!, n.I3!, rows, n.I0!, rows, n.Grad!, n.Shape.Cols, x.Grad!);
    }

    // a: [m, p]  b: [m, q]; returns [m, p + q], columns of a then b
    public DeviceVar Concat(DeviceVar a, DeviceVar b)
    {
        var (sa, sb) = (a.Shape, b.Shape);
        if (sa.Rank != 2 || sb.Rank != 2 || sa.Rows != sb.Rows)
            throw new ArgumentException($"Concat: {sa} and {sb} are not matrices with equal rows");
        int m = sa.Rows, p = sa.Cols, q = sb.Cols;
        var y = NewValue(m * (p + q));
        Backend.CopyBlock(a.Value, 0, p, m, p, 0, p + q, false, y);
        Backend.CopyBlock(b.Value, 0, q, m, q, p, p + q, false, y);
        Record(Op.Concat, y, new Shape(m, p + q), a.Id, b.Id);
        return Last;
    }

    void ConcatBackward(in Node n)
    {
        ref readonly var a = ref _nodes[n.A];
        ref readonly var b = ref _nodes[n.B];
        int m = n.Shape.Rows, p = a.Shape.Cols, q = b.Shape.Cols;
        if (a.Grad is { } da) Backend.CopyBlock(n.Grad!, 0, p + q, m, p, 0, p, true, da);
        if (b.Grad is { } db) Backend.CopyBlock(n.Grad!, p, p + q, m, q, 0, q, true, db);
    }

    // x: [m, n]  s: [m] (or [m, 1]); returns y[i, j] = x[i, j] s[i]. The scales are broadcast as s[m, 1] @ ones[1, n].
    public DeviceVar ScaleRows(DeviceVar x, DeviceVar s)
    {
        var (sx, ss) = (x.Shape, s.Shape);
        if (ss.Length != sx.Rows) throw new ArgumentException($"ScaleRows: {ss} scales for the rows of {sx}");
        int m = sx.Rows, cols = sx.Cols;
        var wide = NewValue(m * cols);
        Backend.Gemm(s.Value, false, Ones(cols), false, m, cols, 1, false, wide);
        var y = NewValue(m * cols);
        Backend.Zip(BinaryOp.Mul, x.Value, wide, m * cols, y);
        ref var node = ref Record(Op.ScaleRows, y, sx, x.Id, s.Id);
        node.Scratch = wide;
        return Last;
    }

    // dx += dy * s (broadcast);  ds += (dy * x) @ ones[n, 1]
    void ScaleRowsBackward(in Node n)
    {
        ref readonly var x = ref _nodes[n.A];
        ref readonly var s = ref _nodes[n.B];
        int m = n.Shape.Rows, cols = n.Shape.Cols;
        if (x.Grad is { } dx) Backend.MultiplyAdd(n.Grad!, n.Scratch!, m * cols, dx);
        if (s.Grad is { } ds)
        {
            // The broadcast scales are no longer needed: their buffer takes dy * x.
            Backend.Zip(BinaryOp.Mul, n.Grad!, x.Value, m * cols, n.Scratch!);
            Backend.Gemm(n.Scratch!, false, Ones(cols), false, m, 1, cols, true, ds);
        }
    }

    // returns a view of x with new dims (same element count); value and gradient share x's buffers
    public DeviceVar Reshape(DeviceVar x, params ReadOnlySpan<int> dims)
    {
        var shape = new Shape(dims);
        if (shape.Length != x.Shape.Length) throw new ArgumentException($"Reshape: {x.Shape} has {x.Shape.Length} elements, {shape} needs {shape.Length}");
        return Leaf(x.Value, x.Grad, shape);
    }

    // returns x's value (same buffer) with no gradient path back to x
    public DeviceVar StopGradient(DeviceVar x) => Leaf(x.Value, null, x.Shape);

    // x: [m, k]  w: [k, l]  z: [n, l]; returns x w z^T: [m, n]
    public DeviceVar Bilinear(DeviceVar x, DeviceVar w, DeviceVar z) => MatMul(MatMul(x, w), z, transB: true);

    // u, mean: [n]  logStd: [1]; returns [n], ln N(u; mean, s^2) = -0.5 ((u - mean) / s)^2 - ln s - 0.5 ln(2 pi), s = e^logStd.
    // Composed of the ops above (the CPU tape has it as one op): its backward is theirs.
    public DeviceVar GaussianLogDensity(DeviceVar u, DeviceVar mean, DeviceVar logStd)
    {
        var shape = SameShape(u, mean, nameof(GaussianLogDensity));
        if (logStd.Shape.Length != 1) throw new ArgumentException($"GaussianLogDensity: logStd {logStd.Shape} must have one element");
        int n = shape.Length;
        var ls = Reshape(logStd, 1, 1);
        var z = MatMul(Reshape(Sub(u, mean), n, 1), Exp(Neg(ls)));                       // [n, 1]
        var lnS = AddScalar(MatMul(Ones(n, 1), ls), 0.5f * MathF.Log(MathF.Tau));        // [n, 1]
        return Reshape(Sub(Scale(Mul(z, z), -0.5f), lnS), shape);
    }

    DeviceVar Reshape(DeviceVar x, Shape shape) => Leaf(x.Value, x.Grad, shape);

    void Propagate(in Node n)
    {
        switch (n.Op)
        {
            case Op.MatMul: MatMulBackward(in n); break;
            case Op.AddBias: AddBiasBackward(in n); break;
            case Op.Add: AddBackward(in n, 1f); break;
            case Op.Sub: AddBackward(in n, -1f); break;
            case Op.Mul: MulBackward(in n); break;
            case Op.Scale or Op.AddScalar: ScaleBackward(in n); break;
            case Op.Map: MapBackward(in n); break;
            case Op.Sum or Op.Mean: SumBackward(in n); break;
            case Op.SoftmaxRows: Backend.SoftmaxBackward(n.Value, n.Grad!, n.Shape.Rows, n.Shape.Cols, _nodes[n.A].Grad!); break;
            case Op.GatherRows: GatherRowsBackward(in n); break;
            case Op.SegmentMean: SegmentMeanBackward(in n); break;
            case Op.CsrMean: CsrMeanBackward(in n); break;
            case Op.Concat: ConcatBackward(in n); break;
            case Op.ScaleRows: ScaleRowsBackward(in n); break;
            default: throw new InvalidOperationException($"no backward for {n.Op}");
        }
    }

    static Shape SameShape(DeviceVar a, DeviceVar b, string op)
    {
        var (sa, sb) = (a.Shape, b.Shape);
        return sa == sb ? sa : throw new ArgumentException($"{op}: shapes {sa} and {sb} differ");
    }
}
