using OnnxInterp.Graph;
using OnnxInterp.Onnx.Proto;
using OnnxInterp.Rewrites;

namespace OnnxInterp.Hooks.Recognition;

/// <summary>
/// optimum's legacy merged decoder: the whole model is one top-level <c>If</c> on a bool graph input
/// (<c>use_cache_branch</c>), with the with-past decoder in one branch and the no-past decoder in the other. Analysis
/// runs the no-past branch, told apart by what it reads (no past inputs), never by branch or input names: it is
/// inlined (<see cref="InlineIfBranch"/>), and the condition and the past inputs leave the graph.
/// </summary>
internal static class MergedDecoder
{
    static readonly HashSet<string> AttentionOps = ["Softmax", "Attention", "MultiHeadAttention", "GroupQueryAttention"];

    /// <summary>The model with its merged-decoder If inlined, or the model itself when it has none.</summary>
    public static OnnxModel InlineNoPastBranch(OnnxModel model, List<string> changes)
    {
        var g = model.Graph;
        var merged = g.Nodes.Where(n => n.OpType == "If" && g.IsGraphInput(n.Inputs[0]) && !g.IsInitializer(n.Inputs[0])
                                        && Branch(n, "then_branch") is { } t && HasAttention(t) && Branch(n, "else_branch") is { } e && HasAttention(e)).ToList();
        if (merged.Count == 0) return model;
        if (merged.Count > 1)
            throw new RecognitionException($"{merged.Count} If nodes each wrap a decoder ({string.Join(", ", merged.Select(Attention.Describe))}); a merged decoder has one.");
        var node = merged[0];
        var thenReads = InputsRead(g, Branch(node, "then_branch")!);
        var elseReads = InputsRead(g, Branch(node, "else_branch")!);
        bool noPastIsThen;
        if (thenReads.IsProperSubsetOf(elseReads)) noPastIsThen = true;
        else if (elseReads.IsProperSubsetOf(thenReads)) noPastIsThen = false;
        else throw new RecognitionException(
            $"{Attention.Describe(node)} on '{node.Inputs[0]}' wraps two decoders, but neither reads a strict subset of the other's inputs, so the no-past branch cannot be told apart.");
        var inlined = InlineIfBranch.Apply(model, node.Outputs[0], noPastIsThen).Model;
        var dropped = g.Inputs.Where(i => !g.IsInitializer(i)).Except(inlined.Graph.Inputs);
        changes.Add($"inlined the no-past branch ({(noPastIsThen ? "then" : "else")}_branch) of the merged decoder's {Attention.Describe(node)} on '{node.Inputs[0]}'; dropped the inputs it does not read: {string.Join(", ", dropped)}");
        return inlined;
    }

    static GraphProto? Branch(Node node, string name) => node.Attribute(name)?.G;

    static bool HasAttention(GraphProto body) => body.Node.Any(n => AttentionOps.Contains(n.OpType));

    /// <summary>The outer graph's inputs a branch reads (names it uses without producing them).</summary>
    static HashSet<string> InputsRead(OnnxGraph outer, GraphProto body) =>
        OnnxGraph.OuterReads(body).Where(i => outer.IsGraphInput(i) && !outer.IsInitializer(i)).ToHashSet(StringComparer.Ordinal);
}
