using OnnxInterp.Graph;

namespace OnnxInterp.Hooks.Recognition;

/// <summary>
/// A linear layer as exported: <c>MatMul(x, W) [+ b]</c>, or <c>Reshape -> Gemm(W, b) -> Reshape</c> (GPT-2's Conv1D
/// through the TorchScript exporter). <see cref="Weight"/> is stored [in, out] unless <see cref="Transposed"/>;
/// <see cref="Form"/> says how the op reads it (for <c>inspect --weights</c>).
/// </summary>
internal sealed record Linear(string Input, string Output, string Weight, bool Transposed, string? Bias, string Form = "MatMul")
{
    /// <summary>(in, out) features from the weight's dims, or null when its shape is not known.</summary>
    public (long In, long Out)? Features(GraphQuery q) =>
        q.ConstantDims(Weight) is [var a, var b] ? Transposed ? (b, a) : (a, b) : null;

    /// <summary>Linear layers reading <paramref name="x"/>.</summary>
    public static IEnumerable<Linear> From(GraphQuery q, string x)
    {
        foreach (var n in q.Consumers(x))
        {
            if (n.OpType == "MatMul" && n.Inputs[0] == x && WeightOf(q, n.Inputs[1]) is (string w, bool t))
            {
                var mm = n.Outputs[0];
                var add = q.ConsumersOf(mm, "Add").FirstOrDefault(a => IsBias(q, GraphQuery.Other(a, mm)));
                yield return add is null ? new Linear(x, mm, w, t, null, MatMulForm(t)) : new Linear(x, add.Outputs[0], w, t, GraphQuery.Other(add, mm), MatMulForm(t));
            }
            else if (n.OpType == "Gemm" && n.Inputs[0] == x && GemmOf(q, n) is { } g)
                yield return g with { Input = x };
            else if (n.OpType == "Reshape" && n.Inputs[0] == x)
            {
                foreach (var gemm in q.ConsumersOf(n.Outputs[0], "Gemm").Where(c => c.Inputs[0] == n.Outputs[0]))
                    if (GemmOf(q, gemm) is { } inner)
                    {
                        var back = q.ConsumersOf(inner.Output, "Reshape").FirstOrDefault(r => r.Inputs[0] == inner.Output);
                        yield return inner with { Input = x, Output = back?.Outputs[0] ?? inner.Output };
                    }
            }
        }
    }

    /// <summary>The linear layer producing <paramref name="y"/>, or null.</summary>
    public static Linear? To(GraphQuery q, string y)
    {
        var p = q.Producer(y);
        switch (p?.OpType)
        {
            case "Reshape" when q.ProducerOf(p.Inputs[0], "Gemm") is { } gemm && GemmOf(q, gemm) is { } g:
                var x = q.ProducerOf(gemm.Inputs[0], "Reshape") is { } r ? r.Inputs[0] : gemm.Inputs[0];
                return g with { Input = x, Output = y };
            case "Gemm" when GemmOf(q, p) is { } g2:
                return g2 with { Input = q.ProducerOf(p.Inputs[0], "Reshape")?.Inputs[0] ?? p.Inputs[0] };
            case "Add":
                foreach (var (mmOut, bias) in new[] { (p.Inputs[0], p.Inputs[1]), (p.Inputs[1], p.Inputs[0]) })
                    if (IsBias(q, bias) && q.ProducerOf(mmOut, "MatMul") is { } mm && WeightOf(q, mm.Inputs[1]) is (string w, bool t))
                        return new Linear(mm.Inputs[0], y, w, t, bias, MatMulForm(t));
                return null;
            case "MatMul" when WeightOf(q, p.Inputs[1]) is (string w2, bool t2):
                return new Linear(p.Inputs[0], y, w2, t2, null, MatMulForm(t2));
            default:
                return null;
        }
    }

    static Linear? GemmOf(GraphQuery q, Node gemm)
    {
        if (gemm.IntAttribute("transA") is 1 || WeightOf(q, gemm.Inputs[1]) is not (string w, bool t)) return null;
        if (gemm.FloatAttribute("alpha") is { } a && a != 1f || gemm.FloatAttribute("beta") is { } b && b != 1f) return null;
        bool transB = gemm.IntAttribute("transB") is 1;
        var bias = gemm.Inputs.Count > 2 && gemm.Inputs[2].Length > 0 ? gemm.Inputs[2] : null;
        var form = "Gemm" + (transB ? " transB=1" : "") + (t ? " of Transpose(W)" : "");
        return new Linear(gemm.Inputs[0], gemm.Outputs[0], w, t ^ transB, bias, form);
    }

    static string MatMulForm(bool viaTranspose) => viaTranspose ? "MatMul(x, Transpose(W))" : "MatMul(x, W)";

    /// <summary>A constant matrix, or the transpose of one (tied embeddings), as (tensor, transposed).</summary>
    static (string, bool)? WeightOf(GraphQuery q, string tensor)
    {
        if (q.IsConstant(tensor) && q.ConstantDims(tensor) is { Count: 2 }) return (tensor, false);
        if (q.ProducerOf(tensor, "Transpose") is { } t && q.IsConstant(t.Inputs[0]) && q.ConstantDims(t.Inputs[0]) is { Count: 2 }
            && (t.IntsAttribute("perm") is null or [1, 0]))
            return (t.Inputs[0], true);
        return null;
    }

    static bool IsBias(GraphQuery q, string tensor) => q.IsConstant(tensor) && q.ConstantDims(tensor) is { Count: 1 };
}
