using OnnxInterp.Graph;

namespace OnnxInterp.Runtime;

/// <summary>
/// The attention mask a token prompt implies, in the input's declared rank and element type. A 2-D [batch, total]
/// padding mask is all ones. A per-query mask, 4-D [batch, 1, q, k] (Megatron's left-to-right mask, ONNX Runtime
/// Attention's max-length mask) or 3-D [batch, q, k], carries the causal structure itself, so it is lower-triangular,
/// its last row at the last key: ones would let every position read the future in a model that multiplies its scores
/// by the mask (in a model that also masks causally itself, the two agree).
/// </summary>
public static class AttentionMaskFeed
{
    public static NamedTensor Of(string name, ElementType type, long[] shape)
    {
        if (shape.Length < 3) return DefaultFeeds.Filled(name, type, shape, 1);
        long queries = shape[^2], keys = shape[^1];
        return DefaultFeeds.Generated(name, type, shape, i => (i % keys) <= (i / keys % queries) + (keys - queries) ? 1 : 0);
    }

    /// <summary>
    /// The mask for a prompt of <paramref name="total"/> tokens at batch 1 as the input declares it: [1, total], or for
    /// a 4-D input [1, 1, total, total] where its axes are symbolic (a fixed max length, as [1, 1, 1024, 1024], is kept).
    /// </summary>
    public static NamedTensor ForLength(string name, TensorType? declared, int total)
    {
        var type = declared?.ElementType is { } e and not ElementType.Undefined ? e : ElementType.Int64;
        if (declared?.Shape is not { Count: >= 3 } shape) return Of(name, type, [1, total]);
        return Of(name, type, [.. shape.Select((d, axis) => d.Value ?? (axis >= shape.Count - 2 ? total : 1))]);
    }
}
