using OnnxInterp.Graph;

namespace OnnxInterp.Hooks.Weights;

/// <summary>The message for an attention weight the recogniser could not find: which head, and what the graph holds instead.</summary>
internal static class MissingWeights
{
    public static string Explain(HookedModel model, int layer, int head, string letter)
    {
        var hook = $"blocks.{layer}.attn.hook_{(letter == "O" ? "z" : letter.ToLowerInvariant())}";
        var found = model.Map.TryGet(hook, out var point)
            ? $"{hook} is '{point.Tensor}', {Walk(model.Model.Graph, point.Tensor, letter == "O")}"
            : $"the hook map has no {hook} either";
        return $"cannot find W_{letter} of layer {layer} (head {head}): {found}. Weight circuits need W_{letter} as a constant " +
            $"(an initializer or Constant) read by MatMul or Gemm; give it as blocks.{{l}}.attn.W_{letter} in a hook-map file's parameters (--hook-map, docs/hooks.md).";
    }

    /// <summary>Follows producers (for q/k/v) or consumers (for z) through reshapes, biases and casts to the first MatMul or Gemm, and describes its inputs.</summary>
    static string Walk(OnnxGraph g, string tensor, bool downstream)
    {
        var path = new List<string>();
        var t = tensor;
        for (int step = 0; step < 8; step++)
        {
            var n = downstream ? g.Consumers(t).FirstOrDefault() : g.Producer(t);
            if (n is null) return $"{Chain(path)}which {(downstream ? "nothing reads" : "is a graph input")}";
            path.Add($"{n.OpType} '{(n.Name.Length > 0 ? n.Name : n.Outputs[0])}'");
            if (n.OpType is "MatMul" or "Gemm")
                return $"{Chain(path)}whose inputs are {string.Join(", ", n.Inputs.Where(i => i.Length > 0).Select(i => Describe(g, i)))}";
            t = downstream ? n.Outputs[0] : n.Inputs.FirstOrDefault(i => i.Length > 0 && !g.IsInitializer(i)) ?? n.Inputs[0];
        }
        return $"{Chain(path)}and no MatMul or Gemm within 8 ops";
    }

    static string Chain(List<string> path) => path.Count == 0 ? "" : "via " + string.Join(", ", path) + ", ";

    static string Describe(OnnxGraph g, string t)
    {
        if (g.Initializers.TryGetValue(t, out var init) && !g.IsGraphInput(t)) return $"'{t}' (initializer [{string.Join(", ", init.Dims)}])";
        if (g.IsGraphInput(t)) return $"'{t}' (a graph input, not a stored weight)";
        return g.Producer(t) is { } p ? $"'{t}' (computed by {p.OpType} '{(p.Name.Length > 0 ? p.Name : p.Outputs[0])}', not a stored weight)" : $"'{t}'";
    }
}
