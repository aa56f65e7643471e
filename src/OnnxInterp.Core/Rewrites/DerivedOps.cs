using OnnxInterp.Graph;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Rewrites;

/// <summary>
/// Adds nodes for the derived-hook rewrites under one scope. The opset-dependent forms (axes as attributes or
/// inputs), constants and node naming are <see cref="UnfuseContext"/>'s, shared with the unfuser; this adds the few
/// ops the derived hooks need besides, and declares each named output (a hook) with the weights' element type so
/// patch points can be put on it without a type probe.
/// </summary>
internal sealed class DerivedOps
{
    readonly UnfuseContext ctx;
    readonly string scope;

    public DerivedOps(OnnxGraph graph, long opset, string scope, ElementType elementType = ElementType.Float)
    {
        if (opset < 10) throw new GraphException($"derived hooks need opset 10 or later (Slice with inputs); this model imports opset {opset}.");
        ctx = new UnfuseContext(graph, opset) { FloatType = elementType };
        this.scope = scope;
    }

    /// <summary>Adds one node; its output gets <paramref name="output"/> (declared with the element type) or a fresh name.</summary>
    public string Op(string op, IEnumerable<string> inputs, string? output = null, params AttributeProto[] attributes) =>
        Declared(ctx.Op(scope, op, [.. inputs], output, attributes), output);

    public string Int64s(params long[] values) => ctx.Ints(values);

    /// <summary>A scalar int64 constant (a Gather index that drops its axis).</summary>
    public string Int64Scalar(long value) => ctx.ScalarInt(value);

    /// <summary>A scalar constant in the weights' element type.</summary>
    public string Scalar(double value) => ctx.Float(value);

    public string Unsqueeze(string x, long[] axes, string? output = null) => Declared(ctx.Unsqueeze(scope, x, axes, output), output);

    public string Squeeze(string x, long[] axes, string? output = null) => ctx.Opset >= 13
        ? Op("Squeeze", [x, Int64s(axes)], output)
        : Op("Squeeze", [x], output, UnfuseContext.Ints("axes", axes));

    public string ReduceSum(string x, long[] axes, bool keepDims, string? output = null) =>
        Declared(ctx.ReduceSum(scope, x, axes, keepDims, output), output);

    public string Slice(string x, long start, long end, long axis) => Op("Slice", [x, Int64s(start), Int64s(end), Int64s(axis)]);

    public string Transpose(string x, long[] perm, string? output = null) => Op("Transpose", [x], output, UnfuseContext.Ints("perm", perm));

    public string Reshape(string x, params long[] shape) => Op("Reshape", [x, Int64s(shape)]);

    /// <summary>
    /// LayerNorm over the last axis written as torch.onnx decomposes it, so values match the decomposed export:
    /// returns (output, scale = sqrt(var + eps) with the axis kept, normalized = (x - mean) / scale).
    /// </summary>
    public (string Output, string Scale, string Normalized) LayerNorm(string x, string? weight, string? bias, double epsilon,
        string? output = null, string? scaleName = null, string? normalizedName = null)
    {
        var d = Op("Sub", [x, ctx.ReduceMean(scope, x, [-1])]);
        var variance = ctx.ReduceMean(scope, Op("Pow", [d, Scalar(2)]), [-1]);
        var scale = Op("Sqrt", [Op("Add", [variance, Scalar(epsilon)])], scaleName);
        var normalized = Op("Div", [d, scale], weight is null && bias is null ? output ?? normalizedName : normalizedName);
        var y = normalized;
        if (weight is not null) y = Op("Mul", [y, weight], bias is null ? output : null);
        if (bias is not null) y = Op("Add", [y, bias], output);
        return (y, scale, normalized);
    }

    /// <summary>
    /// The element type of a tensor: declared, a constant's, or read back through the ops that keep their data input's
    /// type (exports declare few intermediate tensors: a float16 model's residual stream is float16 from its weights);
    /// float when nothing says.
    /// </summary>
    public static ElementType ElementOf(OnnxGraph graph, string tensor)
    {
        for (int hops = 0; hops < 64 && tensor.Length > 0; hops++)
        {
            if (graph.TypeOf(tensor) is { ElementType: not ElementType.Undefined } t) return t.ElementType;
            if (graph.ConstantTensor(tensor) is { } constant) return (ElementType)constant.DataType;
            var p = graph.Producer(tensor);
            if (p is { OpType: "Cast" } && p.IntAttribute("to") is { } to) return (ElementType)to;
            if (p is null || !KeepsDataType.Contains(p.OpType) || p.Inputs.Count == 0) break;
            tensor = p.Inputs[p.OpType == "Where" ? 1 : 0];
        }
        return ElementType.Float;
    }

    static readonly HashSet<string> KeepsDataType =
    [
        "Add", "Sub", "Mul", "Div", "MatMul", "Gemm", "Reshape", "Transpose", "Identity", "Softmax", "LayerNormalization",
        "Split", "Slice", "Concat", "Squeeze", "Unsqueeze", "Expand", "Flatten", "Gather", "Where", "Tanh", "Relu", "Gelu",
        "FastGelu", "Erf", "Pow", "Sqrt", "Neg", "ReduceMean", "ReduceSum", "Dropout",
    ];

    string Declared(string tensor, string? requested)
    {
        if (requested is not null && ctx.Graph.TypeOf(tensor) is not { ElementType: not ElementType.Undefined })
            ctx.Graph.SetType(tensor, new TensorType(ctx.FloatType, null));
        return tensor;
    }
}
