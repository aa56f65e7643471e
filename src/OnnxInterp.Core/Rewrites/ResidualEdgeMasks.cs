using OnnxInterp.Graph;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Rewrites;

/// <summary>
/// Senders that share one tensor: a residual-stream tensor [batch, pos, d_model] (one sender) or a head-result tensor
/// [batch, pos, head, d_model] (one sender per head).
/// </summary>
public sealed record SenderBlock(string Tensor, int Count, bool Heads);

/// <summary>
/// A receiver tensor whose readers (all, or those from which <paramref name="LeadingTo"/> can be reached) read
/// <c>Target + Σ_s mask[r, s] (reference_s - sender_s)</c> over the first <paramref name="Senders"/> senders.
/// <paramref name="Receivers"/> is 1 for a [batch, pos, d_model] target, the head count for a [batch, pos, head, d_model]
/// one (each head a receiver). The mask is the hook <paramref name="MaskHook"/>, [batch, receiver, sender], zero unless written.
/// </summary>
public sealed record MaskedReceiver(string Target, string? LeadingTo, int Receivers, int Senders, string MaskHook);

/// <summary>
/// The residual graph with one mask per receiver tensor instead of one tensor per edge, so its size grows with the
/// receivers, not with the edges (GPT-2 small: 49 masks for ~32k edges). Every sender's output is stacked as one hook
/// [batch, sender, pos, d_model] (read it to get a run's sender outputs); a second hook of that shape, zero unless written,
/// is the reference each masked edge reads instead of the sender's own output. Unwritten, every mask is zero and each
/// receiver reads exactly what it did. Writing a row's reference (a corrupted run's senders) and setting mask[r, s] to 1
/// corrupts edge s -> r alone, along the direct path (ACDC's edge removal). The input model is untouched.
/// </summary>
public static class ResidualEdgeMasks
{
    public static RewriteResult Apply(OnnxModel model, IReadOnlyList<SenderBlock> blocks, IReadOnlyList<MaskedReceiver> receivers,
        string sendersHook, string referenceHook)
    {
        if (blocks.Count == 0) throw new GraphException("the residual graph needs at least one sender.");
        var graph = model.Graph.Clone();
        var ops = new DerivedOps(graph, model.Opset(), "edge-masks", DerivedOps.ElementOf(graph, blocks[0].Tensor));
        foreach (var b in blocks)
            if (!graph.Contains(b.Tensor)) throw new GraphException($"the residual graph's sender '{b.Tensor}' is not in the graph.");

        // Senders as [batch, n, pos, d_model] blocks (sender-major, so each receiver's sum is one matrix product per row).
        var stacked = blocks.Select(b => b.Heads ? ops.Transpose(b.Tensor, [0, 2, 1, 3]) : ops.Unsqueeze(b.Tensor, [1])).ToList();
        var offsets = new int[blocks.Count + 1];
        for (int k = 0; k < blocks.Count; k++) offsets[k + 1] = offsets[k] + blocks[k].Count;
        int total = offsets[^1];
        ops.Op("Concat", stacked, sendersHook, Axis(1));

        var shape = ops.Op("Shape", [blocks[0].Tensor]); // [batch, pos, d_model]
        var batch = ops.Slice(shape, 0, 1, 0);
        var posModel = ops.Slice(shape, 1, 3, 0);
        var referenceShape = ops.Op("Concat", [batch, ops.Int64s(total), posModel], null, Axis(0));
        var reference = ops.Op("Identity", [ops.Op("Expand", [ops.Scalar(0), referenceShape])], referenceHook);

        var deltas = new string?[blocks.Count];
        string Delta(int k) => deltas[k] ??= ops.Reshape(ops.Op("Sub", [ops.Slice(reference, offsets[k], offsets[k + 1], 1), stacked[k]]), 0, blocks[k].Count, -1);

        foreach (var receiver in receivers)
        {
            int end = Array.IndexOf(offsets, receiver.Senders);
            if (end <= 0) throw new GraphException($"receiver '{receiver.Target}' reads {receiver.Senders} senders, which do not end on a sender block.");
            var maskShape = ops.Op("Concat", [batch, ops.Int64s(receiver.Receivers, receiver.Senders)], null, Axis(0));
            var mask = ops.Op("Identity", [ops.Op("Expand", [ops.Scalar(0), maskShape])], receiver.MaskHook);
            string? sum = null;
            for (int k = 0; k < end; k++)
            {
                // [batch, receiver, n] x [batch, n, pos * d_model] -> [batch, receiver, pos * d_model]
                var part = ops.Op("MatMul", [ops.Slice(mask, offsets[k], offsets[k + 1], 2), Delta(k)]);
                sum = sum is null ? part : ops.Op("Add", [sum, part]);
            }
            var correction = receiver.Receivers == 1
                ? ops.Op("Reshape", [sum!, shape])
                : ops.Transpose(ops.Op("Reshape", [sum!, ops.Op("Concat", [batch, ops.Int64s(receiver.Receivers), posModel], null, Axis(0))]), [0, 2, 1, 3]);
            ResidualEdges.Redirect(graph, receiver.Target, receiver.LeadingTo, ops.Op("Add", [receiver.Target, correction]));
        }
        return new RewriteResult(model.WithGraph(graph), [], [], $"residual-edge-masks[{string.Join(",", receivers.Select(r => r.MaskHook))}]");
    }

    static AttributeProto Axis(long axis) => new() { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = axis };
}
