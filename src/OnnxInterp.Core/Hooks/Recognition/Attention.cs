using OnnxInterp.Graph;

namespace OnnxInterp.Hooks.Recognition;

/// <summary>Where a per-head q, k or v block's columns come from: a slice of a (possibly fused QKV) projection.</summary>
internal sealed record Projection(Linear Linear, long Start, long Width);

/// <summary>
/// q, k or v as a hook: <see cref="Tensor"/> is [batch, pos, head, d_head] when <see cref="Perm"/> is null (the
/// Reshape output before the exporter's Transpose, which is exact); otherwise Transpose(Tensor, Perm) has that layout.
/// <see cref="Projection"/> is where the [batch, pos, head*d_head] tensor the Reshape reads comes from, and
/// <see cref="ReshapeShape"/> the Reshape's target shape (for the number of heads).
/// </summary>
internal sealed record HeadTensor(string Tensor, int[]? Perm, Projection? Projection, string ReshapeShape);

/// <summary>
/// One attention core found around a Softmax: scores MatMul (eager: then Div and masking; SDPA: q and k pre-scaled by
/// Mul), Softmax, the pattern-value MatMul, Transpose to [b, s, h, d] (z), Reshape and the output projection.
/// </summary>
internal sealed record Attention(
    Node Softmax, string Scores, string Pattern, HeadTensor Q, HeadTensor K, HeadTensor V,
    string Z, Linear Out)
{
    static readonly HashSet<string> PassThrough = ["Cast", "Identity", "Dropout"];
    static readonly HashSet<string> ScoreOps = ["Add", "Sub", "Mul", "Div", "Where", "Cast", "Identity", "Clip", "Max", "Min"];

    /// <summary>The block's attention input (ln1's output, or the residual stream without LayerNorm).</summary>
    public string Input => Q.Projection?.Linear.Input ?? "";

    public static Attention Match(GraphQuery q, Node softmax)
    {
        var axis = softmax.IntAttribute("axis");
        if (axis is not (null or -1 or 3) && q.Model.Opset() >= 13 || axis is not (-1 or 3) && q.Model.Opset() < 13)
            throw new RecognitionException($"{Describe(softmax)} does not normalise over the last axis of a 4-d tensor (axis={axis}).");
        var scores = softmax.Inputs[0];
        var pattern = softmax.Outputs[0];
        var qk = FindScoresMatMul(q, scores) ?? throw new RecognitionException($"no q·k MatMul feeds {Describe(softmax)}.");
        var pv = PatternValueMatMul(q, pattern) ?? throw new RecognitionException($"{Describe(softmax)}'s pattern does not feed a MatMul with v.");

        var qh = Head(q, qk.Inputs[0], [0, 2, 1, 3], allowConcat: false, "q");
        var kh = Head(q, qk.Inputs[1], [0, 3, 1, 2], allowConcat: true, "k");
        var vh = Head(q, pv.Inputs[1], [0, 2, 1, 3], allowConcat: true, "v");

        var zHeadsFirst = pv.Outputs[0];
        var zt = q.ConsumersOf(zHeadsFirst, "Transpose").FirstOrDefault(t => t.IntsAttribute("perm") is [0, 2, 1, 3])
            ?? throw new RecognitionException($"the attention output of {Describe(softmax)} is not transposed to [batch, pos, head, d_head].");
        var merge = q.ConsumersOf(zt.Outputs[0], "Reshape").FirstOrDefault(r => r.Inputs[0] == zt.Outputs[0])
            ?? throw new RecognitionException($"z of {Describe(softmax)} is not reshaped to [batch, pos, d_model].");
        var outProj = Linear.From(q, merge.Outputs[0]).FirstOrDefault()
            ?? throw new RecognitionException($"no output projection (MatMul/Gemm with a weight) reads z of {Describe(softmax)}.");
        return new Attention(softmax, scores, pattern, qh, kh, vh, zt.Outputs[0], outProj);
    }

    public static string Describe(Node n) => $"{n.OpType} '{(n.Name.Length > 0 ? n.Name : n.Outputs[0])}'";

    static Node? FindScoresMatMul(GraphQuery q, string scores)
    {
        var queue = new Queue<(string, int)>([(scores, 0)]);
        var seen = new HashSet<string>();
        while (queue.Count > 0)
        {
            var (t, depth) = queue.Dequeue();
            if (!seen.Add(t) || q.Producer(t) is not { } p) continue;
            if (p.OpType == "MatMul" && !q.IsConstant(p.Inputs[0]) && !q.IsConstant(p.Inputs[1])) return p;
            if (depth < 6 && ScoreOps.Contains(p.OpType))
                foreach (var i in p.Inputs.Where(i => i.Length > 0 && !q.IsConstant(i))) queue.Enqueue((i, depth + 1));
        }
        return null;
    }

    static Node? PatternValueMatMul(GraphQuery q, string pattern)
    {
        for (int depth = 0; depth < 3; depth++)
        {
            if (q.ConsumersOf(pattern, "MatMul").FirstOrDefault(m => m.Inputs[0] == pattern) is { } mm) return mm;
            if (q.Consumers(pattern).FirstOrDefault(c => PassThrough.Contains(c.OpType)) is not { } next) return null;
            pattern = next.Outputs[0];
        }
        return null;
    }

    /// <summary>
    /// Walks from a MatMul operand back through Transpose, Mul/Div by a scale (constant or computed from shapes), Cast
    /// and past-Concat to the Reshape that splits heads. <paramref name="semantics"/> maps the target layout [b, s, h, d] to the operand's axes.
    /// </summary>
    static HeadTensor Head(GraphQuery q, string operand, int[] semantics, bool allowConcat, string what)
    {
        int[] c = [0, 1, 2, 3];
        var t = operand;
        for (int step = 0; step < 12; step++)
        {
            var p = q.Producer(t) ?? throw new RecognitionException($"{what} does not come from a Reshape (stopped at graph input '{t}').");
            switch (p.OpType)
            {
                case "Reshape":
                    int[] fix = [.. semantics.Select(i => c[i])];
                    return new HeadTensor(t, fix.SequenceEqual([0, 1, 2, 3]) ? null : fix, ProjectionOf(q, p.Inputs[0]), p.Inputs[1]);
                case "Transpose":
                    var perm = p.IntsAttribute("perm") ?? [3, 2, 1, 0];
                    c = [.. c.Select(i => (int)perm[i])];
                    t = p.Inputs[0];
                    break;
                case "Mul" or "Div" when p.Inputs.Count == 2 && q.IsShapeDerivedScale(p.Inputs[1]):
                    t = p.Inputs[0];
                    break;
                case "Mul" when q.IsShapeDerivedScale(p.Inputs[0]):
                    t = p.Inputs[1];
                    break;
                case "Cast" or "Identity":
                    t = p.Inputs[0];
                    break;
                case "Concat" when allowConcat:
                    // Past keys/values are graph inputs (or computed from them); the new ones come from this step's Reshape.
                    t = p.Inputs.LastOrDefault(i => i.Length > 0 && !q.Graph.IsGraphInput(i)) ?? p.Inputs[^1];
                    break;
                default:
                    throw new RecognitionException($"{what} passes through {Describe(p)} before the head split; expected Transpose, Mul/Div by a scale, or Reshape.");
            }
        }
        throw new RecognitionException($"{what}: no head-splitting Reshape within 12 steps of the attention MatMul.");
    }

    /// <summary>The projection producing a merged q/k/v block: a Split or Slice of a fused projection, or its own linear.</summary>
    static Projection? ProjectionOf(GraphQuery q, string merged)
    {
        var p = q.Producer(merged);
        if (p?.OpType == "Split" && Linear.To(q, p.Inputs[0]) is { } fused && fused.Features(q) is { } f)
        {
            int index = p.Outputs.ToList().IndexOf(merged);
            var sizes = SplitSizes(q, p, f.Out);
            if (sizes is null || sizes.Length != p.Outputs.Count) return null;
            return new Projection(fused, sizes.Take(index).Sum(), sizes[index]);
        }
        if (p?.OpType == "Slice" && Linear.To(q, p.Inputs[0]) is { } sliced && q.Values(p.Inputs[1]) is [var start] && q.Values(p.Inputs[2]) is [var end])
            return new Projection(sliced, (long)start, (long)(Math.Min(end, sliced.Features(q)?.Out ?? end) - start));
        return Linear.To(q, merged) is { } own && own.Features(q) is { } g ? new Projection(own, 0, g.Out) : null;
    }

    static long[]? SplitSizes(GraphQuery q, Node split, long total)
    {
        if (split.IntsAttribute("split") is { Count: > 0 } attr) return [.. attr];
        if (split.Inputs.Count > 1 && split.Inputs[1].Length > 0)
            return q.Values(split.Inputs[1]) is { } v ? [.. v.Select(x => (long)x)] : null;
        int n = split.Outputs.Count;
        return total % n == 0 ? [.. Enumerable.Repeat(total / n, n)] : null;
    }
}
