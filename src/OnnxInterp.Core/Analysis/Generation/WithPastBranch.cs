using OnnxInterp.Graph;
using OnnxInterp.Onnx.Proto;
using OnnxInterp.Rewrites;

namespace OnnxInterp.Analysis.Generation;

/// <summary>
/// A merged decoder (optimum's legacy <c>decoder_model_merged.onnx</c>: one top-level <c>If</c> on a bool input choosing
/// the with-past or the no-past decoder) with its with-past branch inlined, so every decoding step, the prompt's too
/// (an empty past), runs one plain graph with past inputs. The with-past branch is the one that reads past inputs.
/// Other models come back unchanged. (Analysis elsewhere inlines the no-past branch: it has no past to feed.)
/// </summary>
public static class WithPastBranch
{
    public static OnnxModel Inline(OnnxModel model)
    {
        var g = model.Graph;
        foreach (var node in g.Nodes.Where(n => n.OpType == "If" && g.IsGraphInput(n.Inputs[0]) && !g.IsInitializer(n.Inputs[0])))
        {
            bool thenPast = ReadsPast(g, node.Attribute("then_branch")?.G), elsePast = ReadsPast(g, node.Attribute("else_branch")?.G);
            if (thenPast != elsePast) return InlineIfBranch.Apply(model, node.Outputs[0], condition: thenPast).Model;
        }
        return model;
    }

    /// <summary>Whether a branch reads a graph input named like a past key/value (its nested subgraphs included).</summary>
    static bool ReadsPast(OnnxGraph outer, GraphProto? body)
    {
        if (body is null) return false;
        var inputs = outer.Inputs.Where(i => i.StartsWith("past", StringComparison.OrdinalIgnoreCase)).ToHashSet(StringComparer.Ordinal);
        bool Reads(GraphProto g) => g.Node.Any(n => n.Input.Any(inputs.Contains) || n.Attribute.Any(a => a.G is { } sub && Reads(sub) || a.Graphs.Any(Reads)));
        return Reads(body);
    }
}
