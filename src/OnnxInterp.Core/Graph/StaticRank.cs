namespace OnnxInterp.Graph;

/// <summary>
/// The rank of a tensor the file does not declare, worked out from its producers (the subset of ONNX shape inference
/// that mask computations use): elementwise ops broadcast to the largest input rank, Unsqueeze adds its axes, Reshape
/// and Expand take their constant shape's length. Null when it cannot be known without running the graph.
/// </summary>
public static class StaticRank
{
    static readonly HashSet<string> Elementwise =
        ["Add", "Sub", "Mul", "Div", "Pow", "Where", "Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "And", "Or", "Not",
         "Cast", "Neg", "Abs", "Sqrt", "Exp", "Relu", "Identity", "Min", "Max", "Clip", "Sigmoid", "Tanh", "Erf", "Softmax", "Transpose"];

    public static int? Of(OnnxGraph graph, string tensor, int depth = 0)
    {
        if (graph.TypeOf(tensor)?.Rank is int declared) return declared;
        if (depth > 64 || graph.Producer(tensor) is not { } node) return null;
        int? InputRank(int i) => i < node.Inputs.Count && node.Inputs[i].Length > 0 ? Of(graph, node.Inputs[i], depth + 1) : null;
        switch (node.OpType)
        {
            case var op when Elementwise.Contains(op):
                var ranks = node.Inputs.Where(i => i.Length > 0).Select(i => Of(graph, i, depth + 1)).ToList();
                return ranks.All(r => r is not null) && ranks.Count > 0 ? ranks.Max() : null;
            case "Unsqueeze":
                var added = node.IntsAttribute("axes")?.Count ?? ConstantLength(graph, node, 1);
                return InputRank(0) is int r && added is int a ? r + a : null;
            case "Squeeze":
                var removed = node.IntsAttribute("axes")?.Count ?? ConstantLength(graph, node, 1);
                return InputRank(0) is int rs && removed is int x ? rs - x : null;
            case "Reshape":
                return ConstantLength(graph, node, 1);
            case "Expand":
                return ConstantLength(graph, node, 1) is int e && InputRank(0) is int ri ? Math.Max(e, ri) : null;
            case "Slice" or "Concat":
                return InputRank(0);
            default:
                return null;
        }
    }

    /// <summary>The element count of a constant 1-D input (an initializer or a Constant node's value).</summary>
    static int? ConstantLength(OnnxGraph graph, Node node, int input)
    {
        if (input >= node.Inputs.Count || node.Inputs[input].Length == 0) return null;
        var name = node.Inputs[input];
        if (graph.Initializers.TryGetValue(name, out var init)) return init.Dims.Count == 1 ? (int)init.Dims[0] : null;
        if (graph.Producer(name) is { OpType: "Constant" } c && c.Attribute("value")?.T is { } t) return t.Dims.Count == 1 ? (int)t.Dims[0] : null;
        return null;
    }
}
