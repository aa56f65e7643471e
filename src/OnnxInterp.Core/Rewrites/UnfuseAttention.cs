using OnnxInterp.Graph;

namespace OnnxInterp.Rewrites;

/// <summary>
/// com.microsoft.Attention as Hugging Face GPT-2's eager attention, op for op:
/// c_attn MatMul+Add -> Split(axis 2) -> q, k, v each Reshape [b,s,h,d] -> Transpose [0,2,1,3];
/// k and v Concat after the past's halves (axis 2); present = Concat(Unsqueeze(k), Unsqueeze(v));
/// MatMul(q, Transpose(k)) -> Div(sqrt d) (Mul(scale) when the attribute is set) -> Where(causal, ., lowest)
/// -> Add(additive mask) -> Softmax -> MatMul(., v) -> Transpose [0,2,1,3] -> Reshape [b,s,h*d].
/// Masking follows ORT's CPU kernel: mask value 0 adds mask_filter_value (default -10000), causal keys are those
/// after past + query position (bottom-right aligned).
/// </summary>
internal static class UnfuseAttention
{
    public static void Apply(UnfuseContext ctx, Node node, UnfuseNames names)
    {
        Reject(node, "do_rotary", "rotary embeddings");
        Reject(node, "past_present_share_buffer", "a shared past/present buffer");
        if (UnfuseContext.Optional(node, 6) is not null) Unsupported(node, "the past_sequence_length input");
        if (node.Inputs.Count < 2) Unsupported(node, "packed q, k, v without weights");

        var s = names.Scope;
        string x = node.Inputs[0], weights = node.Inputs[1];
        string? bias = UnfuseContext.Optional(node, 2), mask = UnfuseContext.Optional(node, 3);
        string? past = UnfuseContext.Optional(node, 4), attentionBias = UnfuseContext.Optional(node, 5);
        ctx.FloatType = ctx.FloatTypeOf(x);
        long heads = node.IntAttribute("num_heads") ?? throw new GraphException($"cannot unfuse {node}: it has no num_heads attribute.");
        var sizes = HiddenSizes(ctx, node, weights);
        if (sizes.Any(h => h % heads != 0)) Unsupported(node, $"hidden sizes [{string.Join(", ", sizes)}] not divisible by {heads} heads");

        var qkv = ctx.Op($"{s}/c_attn", "MatMul", [x, weights]);
        if (bias is not null) qkv = ctx.Op($"{s}/c_attn", "Add", [qkv, bias]);
        var split = ctx.Split(s, qkv, 2, sizes);
        var q = SplitHeads(ctx, s, split[0], heads, sizes[0] / heads);
        var k = SplitHeads(ctx, s, split[1], heads, sizes[1] / heads);
        var v = SplitHeads(ctx, s, split[2], heads, sizes[2] / heads);
        if (past is not null)
        {
            k = ctx.Op(s, "Concat", [PastHalf(ctx, s, past, 0), k], null, UnfuseContext.Int("axis", 2));
            v = ctx.Op(s, "Concat", [PastHalf(ctx, s, past, 1), v], null, UnfuseContext.Int("axis", 2));
        }
        if (ctx.UsedOutput(node, 1) is { } present)
            ctx.Op(s, "Concat", [ctx.Unsqueeze(s, k, [0]), ctx.Unsqueeze(s, v, [0])], present, UnfuseContext.Int("axis", 0));

        var scores = ctx.Op(s, "MatMul", [q, ctx.Op(s, "Transpose", [k], null, UnfuseContext.Ints("perm", [0, 1, 3, 2]))]);
        float scale = node.FloatAttribute("scale") ?? 0f;
        scores = scale == 0f
            ? ctx.Op(s, "Div", [scores, ctx.Float(Math.Sqrt(sizes[0] / heads))])
            : ctx.Op(s, "Mul", [scores, ctx.Float(scale)]);
        if ((node.IntAttribute("unidirectional") ?? 0) != 0)
            scores = ctx.Op(s, "Where", [Causal(ctx, s, q, k), scores, ctx.Float(Lowest(ctx.FloatType))]);
        if (mask is not null)
        {
            int rank = StaticRank.Of(ctx.Graph, mask) ?? 2;
            var additive = AdditiveMask(ctx, node, names.Outer, mask, rank, node.FloatAttribute("mask_filter_value") ?? -10000f);
            scores = ctx.Op(s, "Add", [scores, rank == 4 ? MaxLengthRows(ctx, s, additive, q, k) : additive]);
        }
        if (attentionBias is not null) scores = ctx.Op(s, "Add", [scores, attentionBias]);
        var pattern = ctx.Op(s, "Softmax", [scores], null, UnfuseContext.Int("axis", -1));
        var z = ctx.Op(s, "MatMul", [pattern, v]);
        z = ctx.Op(s, "Transpose", [z], null, UnfuseContext.Ints("perm", [0, 2, 1, 3]));
        ctx.Op(s, "Reshape", [z, ctx.Ints([0, 0, sizes[2]])], node.Outputs[0]);
    }

    /// <summary>q, k, v widths: qkv_hidden_sizes, else a third each of the weights' declared last dimension.</summary>
    static long[] HiddenSizes(UnfuseContext ctx, Node node, string weights)
    {
        if (node.IntsAttribute("qkv_hidden_sizes") is { Count: 3 } given) return [.. given];
        if (ctx.Graph.TypeOf(weights)?.Shape is [_, { Value: long total }] && total % 3 == 0) return [total / 3, total / 3, total / 3];
        throw new GraphException($"cannot unfuse {node}: the width of '{weights}' is not declared and there is no qkv_hidden_sizes attribute.");
    }

    /// <summary>[b, s, h*d] -> Reshape [b, s, h, d] -> Transpose [b, h, s, d].</summary>
    static string SplitHeads(UnfuseContext ctx, string s, string x, long heads, long headSize)
    {
        var reshaped = ctx.Op(s, "Reshape", [x, ctx.Ints([0, 0, heads, headSize])]);
        return ctx.Op(s, "Transpose", [reshaped], null, UnfuseContext.Ints("perm", [0, 2, 1, 3]));
    }

    /// <summary>past[index] (0 = keys, 1 = values): [2, b, h, past, d] -> [b, h, past, d].</summary>
    static string PastHalf(UnfuseContext ctx, string s, string past, long index) =>
        ctx.Op(s, "Gather", [past, ctx.ScalarInt(index)], null, UnfuseContext.Int("axis", 0));

    /// <summary>
    /// Bool [s, t], true where key j may be seen by query i: j &lt;= (t - s) + i. Built from the run-time lengths
    /// (Range), so any past length works; Hugging Face slices a stored triangle instead, with the same values.
    /// </summary>
    static string Causal(UnfuseContext ctx, string s, string q, string k)
    {
        ctx.RequireOpset(11, "unidirectional Attention (Range)");
        var queries = ctx.Dim(s, q, 2);
        var keys = ctx.Dim(s, k, 2);
        var queryPositions = ctx.Op(s, "Range", [ctx.Op(s, "Sub", [keys, queries]), keys, ctx.ScalarInt(1)]);
        var keyPositions = ctx.Op(s, "Range", [ctx.ScalarInt(0), keys, ctx.ScalarInt(1)]);
        var future = ctx.Op(s, "Greater", [keyPositions, ctx.Unsqueeze(s, queryPositions, [1])]);
        return ctx.Op(s, "Not", [future]);
    }

    /// <summary>
    /// The rows and columns of a 4-D mask [b, 1, max, max] (Megatron's form, ORT's schema) that this call reads: query i
    /// of s is position past + i, keys are 0..t-1, so rows t-s..t-1 and columns 0..t-1. A mask already [b, 1, s, t] with
    /// no past is taken whole.
    /// </summary>
    static string MaxLengthRows(UnfuseContext ctx, string s, string mask, string q, string k)
    {
        ctx.RequireOpset(10, "a 4-D Attention mask (Slice with inputs)");
        var queries = ctx.Unsqueeze(s, ctx.Dim(s, q, 2), [0]);
        var keys = ctx.Unsqueeze(s, ctx.Dim(s, k, 2), [0]);
        var starts = ctx.Op(s, "Concat", [ctx.Op(s, "Sub", [keys, queries]), ctx.Ints([0])], null, UnfuseContext.Int("axis", 0));
        var ends = ctx.Op(s, "Concat", [keys, keys], null, UnfuseContext.Int("axis", 0));
        return ctx.Op(s, "Slice", [mask, starts, ends, ctx.Ints([2, 3])]);
    }

    /// <summary>
    /// mask_index [b, t] (or [b, s, t], or [b, 1, max, max]) of 1 = keep, 0 = mask, turned into [b, 1, 1, t] (or
    /// [b, 1, s, t], or [b, 1, max, max] for <see cref="MaxLengthRows"/> to cut) of 0 or mask_filter_value, once per mask
    /// for all blocks (as GPT2Model does). <paramref name="rank"/> is the declared one, else the one its producers give
    /// (<see cref="StaticRank"/>: exporters build 4-D masks from attention_mask without declaring them), else 2, the
    /// schema's common form.
    /// </summary>
    static string AdditiveMask(UnfuseContext ctx, Node node, string scope, string mask, int rank, float filter)
    {
        if (rank is not (2 or 3 or 4)) Unsupported(node, $"a rank-{rank} mask_index (only raw 0/1 masks [batch, total], [batch, seq, total] or [batch, 1, seq, total] are handled)");
        var type = ctx.FloatType;
        return ctx.Shared($"mask:{mask}:{filter:R}:{type}", () =>
        {
            var keep = ctx.Op(scope, "Greater", [mask, ctx.Int32(0)]);
            var additive = ctx.Op(scope, "Where", [keep, ctx.Float(0.0), ctx.Float(filter)]);
            return rank == 4 ? additive : ctx.Unsqueeze(scope, additive, rank == 2 ? [1, 2] : [1]);
        });
    }

    /// <summary>The most negative finite value of the type: what ORT's kernel and Hugging Face put on causal entries.</summary>
    static double Lowest(ElementType type) => type switch
    {
        ElementType.Float16 => (double)Half.MinValue,
        ElementType.Double => double.MinValue,
        _ => float.MinValue,
    };

    static void Reject(Node node, string attribute, string what)
    {
        if ((node.IntAttribute(attribute) ?? 0) != 0) Unsupported(node, what);
    }

    static void Unsupported(Node node, string what) =>
        throw new GraphException($"cannot unfuse {node}: {what} is not supported.");
}
