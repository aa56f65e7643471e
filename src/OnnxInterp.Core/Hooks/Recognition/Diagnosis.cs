using System.Text;

namespace OnnxInterp.Hooks.Recognition;

/// <summary>The message for a model no recogniser understood: what the graph holds, where matching stopped, what to do.</summary>
internal static class Diagnosis
{
    static readonly HashSet<string> FusedOps = ["Attention", "MultiHeadAttention", "GroupQueryAttention", "EmbedLayerNormalization",
        "SkipLayerNormalization", "SkipSimplifiedLayerNormalization", "SimplifiedLayerNormalization", "BiasGelu", "FastGelu", "Gelu"];

    public static string Explain(GraphQuery q, string reason)
    {
        var g = q.Graph;
        var sb = new StringBuilder();
        sb.Append($"the model is not recognised as a decoder-only transformer (GPT-2 export or toy model): {reason}").AppendLine();
        sb.AppendLine("Found:");
        sb.AppendLine($"  {g.Nodes.Count} nodes; inputs {string.Join(", ", g.Inputs.Where(i => !g.IsInitializer(i)))}; outputs {string.Join(", ", g.Outputs)}");
        int softmax = g.Nodes.Count(n => n.OpType == "Softmax");
        int fusedLn = g.Nodes.Count(n => n.OpType == "LayerNormalization");
        int decomposedLn = g.Nodes.Where(n => n.OpType is "Add" or "Mul" or "Div" && n.Outputs.Count > 0) // a malformed node may have none
            .Select(n => LayerNorm.To(q, n.Outputs[0])).Where(ln => ln is { Fused: null }).Select(ln => ln!.Input).Distinct().Count();
        sb.AppendLine($"  {softmax} Softmax (attention candidates), {decomposedLn} decomposed LayerNorm patterns, {fusedLn} LayerNormalization nodes");
        var fused = g.Nodes.Where(n => n.Domain == "com.microsoft" || FusedOps.Contains(n.OpType) && n.Domain != "")
            .GroupBy(n => $"{n.Domain}.{n.OpType}").Select(x => $"{x.Key} x{x.Count()}").ToList();
        if (fused.Count > 0) sb.AppendLine($"  ONNX Runtime fused ops: {string.Join(", ", fused)}");
        var scopes = Scopes.Seen(g);
        sb.AppendLine(scopes.Count > 0 ? $"  node scopes: {string.Join(", ", scopes)}" : "  node scopes: none (node names carry no module path)");
        var stems = Scopes.WeightStems(g);
        if (stems.Count > 0) sb.AppendLine($"  weight names: {string.Join(", ", stems)}");
        sb.AppendLine("What to do:");
        if (g.Nodes.Any(n => n.Domain == "com.microsoft" && n.OpType is "Attention" or "MultiHeadAttention" or "SkipLayerNormalization" or "EmbedLayerNormalization"))
            sb.AppendLine("  - this graph was fused by ONNX Runtime's transformer optimiser: unfuse it to standard ops first (the Unfuse rewrite), then it can be recognised.");
        sb.AppendLine("  - Write a hook map: a JSON file naming, for each hook, a tensor or an op pattern such as");
        sb.AppendLine("    {\"op\": \"Softmax\", \"index\": \"{l}\"}, and pass it with --hook-map. The format, and a DistilBERT example, are in docs/hooks.md.");
        return sb.ToString().TrimEnd();
    }
}
