using OnnxInterp.Graph;

namespace OnnxInterp.Hooks.Recognition;

/// <summary>
/// A LayerNorm over the last axis: either one <c>LayerNormalization</c> node (<see cref="Fused"/>; its scale and
/// normalized tensors exist only after decomposing it), or the decomposition torch.onnx writes before opset 17:
/// <c>d = x - ReduceMean(x); s = Sqrt(ReduceMean(d^2) + eps); n = d / s; y = n * w + b</c>.
/// </summary>
internal sealed record LayerNorm(string Input, string Output, string? Scale, string? Normalized, string? Weight, string? Bias, double Epsilon, Node? Fused)
{
    /// <summary>The LayerNorm producing <paramref name="y"/>, or null.</summary>
    public static LayerNorm? To(GraphQuery q, string y)
    {
        var p = q.Producer(y);
        if (p is null) return null;
        if (p.OpType == "LayerNormalization" && p.Outputs[0] == y && p.IntAttribute("axis") is null or -1)
            return new LayerNorm(p.Inputs[0], y, null, null, p.Inputs[1],
                p.Inputs.Count > 2 && p.Inputs[2].Length > 0 ? p.Inputs[2] : null, p.FloatAttribute("epsilon") ?? 1e-5, p);

        string? bias = null, weight = null;
        var t = y;
        if (p.OpType == "Add" && ConstOperand(q, p) is (string rest, string b) && q.ProducerOf(rest, "Mul") is not null)
        {
            bias = b;
            t = rest;
            p = q.Producer(t)!;
        }
        if (p.OpType == "Mul" && ConstOperand(q, p) is (string n, string w))
        {
            weight = w;
            t = n;
        }
        // Casts anywhere in the chain (no-op ones, or fp16 models normalising in float32) do not change what it is.
        if (q.ProducerThroughCasts(t, "Div") is not { } div) return null;
        var (d, s) = (div.Inputs[0], div.Inputs[1]);
        if (q.ProducerThroughCasts(d, "Sub") is not { } sub || q.ProducerThroughCasts(sub.Inputs[1], "ReduceMean") is not { } mean
            || !q.SameValue(mean.Inputs[0], sub.Inputs[0]))
            return null;
        if (q.ProducerThroughCasts(s, "Sqrt") is not { } sqrt || q.ProducerThroughCasts(sqrt.Inputs[0], "Add") is not { } addEps) return null;
        var (variance, eps) = ConstOperand(q, addEps) is (string v, string e) ? (v, e) : ((string?)null, (string?)null);
        if (variance is null || q.ProducerThroughCasts(variance, "ReduceMean") is not { } varMean) return null;
        if (q.Producer(q.SkipCasts(varMean.Inputs[0])) is not { } square || !IsSquareOf(q, square, d)) return null;
        return new LayerNorm(q.SkipCasts(sub.Inputs[0]), y, s, t, weight, bias, q.Scalar(eps!) ?? 1e-5, null);
    }

    /// <summary>LayerNorms reading <paramref name="x"/>.</summary>
    public static IEnumerable<LayerNorm> From(GraphQuery q, string x)
    {
        // x itself, and x through a Cast (a LayerNorm computed in another precision, or after a no-op Cast).
        foreach (var n in q.Consumers(x).Concat(q.ConsumersOf(x, "Cast").SelectMany(c => q.Consumers(c.Outputs[0]))))
        {
            if (n.OpType == "LayerNormalization" && n.Inputs[0] == x && To(q, n.Outputs[0]) is { } fused)
                yield return fused;
            if (n.OpType != "ReduceMean") continue;
            foreach (var sub in q.ConsumersOf(n.Outputs[0], "Sub").Where(s => q.SkipCasts(s.Inputs[0]) == x))
                foreach (var div in q.ConsumersOf(sub.Outputs[0], "Div", "Cast").Select(c => c.OpType == "Cast" ? q.ConsumersOf(c.Outputs[0], "Div").FirstOrDefault() : c)
                             .OfType<Node>().Where(d => q.SkipCasts(d.Inputs[0]) == sub.Outputs[0]))
                {
                    var end = div.Outputs[0];
                    if (AfterCasts(q, end, "Mul").FirstOrDefault(m => ConstOperand(q, m) is not null) is { } mul)
                    {
                        end = mul.Outputs[0];
                        if (AfterCasts(q, end, "Add").FirstOrDefault(a => ConstOperand(q, a) is not null) is { } add) end = add.Outputs[0];
                    }
                    if (To(q, end) is { } ln && ln.Input == x) yield return ln;
                }
        }
    }

    /// <summary>Consumers of <paramref name="t"/> of one op type, directly or through one Cast.</summary>
    static IEnumerable<Node> AfterCasts(GraphQuery q, string t, string op) =>
        q.ConsumersOf(t, op).Concat(q.ConsumersOf(t, "Cast").SelectMany(c => q.ConsumersOf(c.Outputs[0], op)));

    /// <summary>d^2 as Pow(d, 2) or Mul(d, d), where d may be a second Sub(x, mean) computing the same value (Megatron-style exports).</summary>
    static bool IsSquareOf(GraphQuery q, Node node, string d) => node.OpType switch
    {
        "Pow" => q.SameValue(node.Inputs[0], d) && q.Scalar(node.Inputs[1]) == 2,
        "Mul" => q.SameValue(node.Inputs[0], d) && q.SameValue(node.Inputs[1], d),
        _ => false,
    };

    /// <summary>For a binary node with one constant operand: (the other operand, the constant).</summary>
    static (string Operand, string Value)? ConstOperand(GraphQuery q, Node node)
    {
        if (node.Inputs.Count != 2) return null;
        if (q.IsConstant(node.Inputs[1]) && !q.IsConstant(node.Inputs[0])) return (node.Inputs[0], node.Inputs[1]);
        if (q.IsConstant(node.Inputs[0]) && !q.IsConstant(node.Inputs[1])) return (node.Inputs[1], node.Inputs[0]);
        return null;
    }
}
