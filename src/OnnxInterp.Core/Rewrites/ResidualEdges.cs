using OnnxInterp.Graph;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Rewrites;

/// <summary>One sender's output as one receiver reads it: <c>Edge = Identity(Source)</c>, or of one index of an axis of it (a head).</summary>
public sealed record EdgeTerm(string Edge, string Source, int Axis = -1, long Index = -1);

/// <summary>
/// A receiver whose readers (all readers of <paramref name="Target"/>, or those from which <paramref name="LeadingTo"/>
/// can be reached) read <c>Target + Σ (edge - source)</c>. With one slot the sum is added as is; with several (one per
/// head) each slot's sum is stacked along <paramref name="SlotAxis"/> first.
/// </summary>
public sealed record EdgeReceiver(string Target, string? LeadingTo, IReadOnlyList<IReadOnlyList<EdgeTerm>> Slots, int SlotAxis = -1);

/// <summary>
/// Gives every (sender, receiver) pair of a residual network its own tensor, so one edge can be written alone: the
/// receiver reads its input plus, per edge, (edge - sender output). Unwritten, every difference is exactly zero and the
/// graph computes what it did; writing an edge (e.g. from another batch row) changes what that receiver alone sees of
/// that sender, along the direct path only (path patching, ACDC, causal scrubbing). The input model is untouched.
/// </summary>
public static class ResidualEdges
{
    public static RewriteResult Apply(OnnxModel model, IEnumerable<EdgeReceiver> receivers)
    {
        var graph = model.Graph.Clone();
        var list = receivers.ToList();
        foreach (var receiver in list) Add(graph, model.Opset(), receiver);
        return new RewriteResult(model.WithGraph(graph), [], [], $"residual-edges[{string.Join(",", list.SelectMany(r => r.Slots.SelectMany(s => s.Select(t => t.Edge))))}]");
    }

    static void Add(OnnxGraph graph, long opset, EdgeReceiver receiver)
    {
        var ops = new DerivedOps(graph, opset, "edges:" + receiver.Target, DerivedOps.ElementOf(graph, receiver.Target));
        var given = receiver.Slots.Select(slot => slot.Count == 0 ? null : Sum(graph, ops, slot)).ToList();
        // A head with no edges of its own (only some edges were asked for) adds exact zeros of a sibling's shape.
        var zeros = given.FirstOrDefault(x => x is not null) is { } sibling ? ops.Op("Expand", [ops.Scalar(0), ops.Op("Shape", [sibling])]) : null;
        var sums = given.Select(x => x ?? zeros ?? throw new GraphException("a receiver needs at least one edge.")).ToList();
        var delta = sums.Count == 1 ? sums[0] : ops.Op("Concat", [.. sums.Select(s => ops.Unsqueeze(s, [receiver.SlotAxis]))],
            null, new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = receiver.SlotAxis });
        Redirect(graph, receiver.Target, receiver.LeadingTo, ops.Op("Add", [receiver.Target, delta]));
    }

    /// <summary>Makes the readers of <paramref name="target"/> (all, or those leading to <paramref name="leadingTo"/>) read <paramref name="input"/> instead.</summary>
    internal static void Redirect(OnnxGraph graph, string target, string? leadingTo, string input)
    {
        var added = graph.Producer(input);
        var readers = (leadingTo is null ? graph.Consumers(target) : InsertWritePoints.ReadersLeadingTo(graph, target, leadingTo)).Where(n => n != added).ToList();
        foreach (var reader in readers)
            for (int i = 0; i < reader.Inputs.Count; i++)
                if (reader.Inputs[i] == target) graph.SetNodeInput(reader, i, input);
        if (graph.TypeOf(target) is { } type) graph.SetType(input, type);
    }

    static string Sum(OnnxGraph graph, DerivedOps ops, IReadOnlyList<EdgeTerm> terms)
    {
        string? sum = null;
        foreach (var t in terms)
        {
            if (!graph.Contains(t.Source)) throw new GraphException($"cannot add edge '{t.Edge}': its sender '{t.Source}' is not in the graph.");
            var source = t.Axis < 0 ? t.Source
                : ops.Op("Gather", [t.Source, ops.Int64Scalar(t.Index)], null, new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = t.Axis });
            var edge = ops.Op("Identity", [source], t.Edge);
            var difference = ops.Op("Sub", [edge, source]);
            sum = sum is null ? difference : ops.Op("Add", [sum, difference]);
        }
        return sum ?? throw new GraphException("a receiver slot needs at least one edge.");
    }
}
