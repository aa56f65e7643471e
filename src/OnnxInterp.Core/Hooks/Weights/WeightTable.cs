using OnnxInterp.Graph;

namespace OnnxInterp.Hooks.Weights;

/// <summary>
/// The table <c>inspect --weights</c> prints: every weight the hook map records, with per-head weights in TransformerLens
/// shapes ([n_heads, d_model, d_head] for W_Q) and a note where the unembedding is the token embedding transposed
/// (tied through a Transpose of the same initializer, or a separate constant-folded copy with equal values).
/// </summary>
public static class WeightTable
{
    public static IReadOnlyList<WeightRow> Of(HookedModel model)
    {
        var map = model.Map;
        var rows = new List<WeightRow>();
        // The unfolding of com.microsoft.Attention keeps its packed weight as the c_attn MatMul's operand.
        bool packed = model.Changes.Any(c => c.Contains("com.microsoft.Attention", StringComparison.Ordinal));
        foreach (var p in map.Parameters.Values.OrderBy(p => HookNames.OrderKey(p.Name)).ThenBy(p => p.Name, StringComparer.Ordinal))
        {
            var dims = WeightValues.Dims(model.Model, p.Tensor);
            var derivation = p.Derivation ?? "from the hook-map file";
            if (p.Name == "W_U" && TiedNote(model, p) is { } tied) derivation += "; " + tied;
            if (packed && p.Columns is not null) derivation += "; the packed weights of com.microsoft.Attention";
            rows.Add(new WeightRow(p.Name, Shape(map.Config, p, dims), p.Tensor, WeightValues.TypeName(model.Model, p.Tensor), dims,
                derivation + (p.Transposed ? "; stored transposed" : "")));
        }
        return rows;
    }

    /// <summary>TransformerLens's shape: per-head attention weights get a head axis; others keep the stored dims in [in, out] order.</summary>
    static long[] Shape(HookConfig c, ParameterRef p, long[] dims)
    {
        long[] tl = p.Transposed ? [.. dims.Reverse()] : dims;
        if (p.Columns is { } cols) tl = tl.Length == 2 ? [tl[0], cols.Width] : [cols.Width];
        var family = p.Name[(p.Name.LastIndexOf('.') + 1)..];
        return family switch
        {
            "W_Q" or "W_K" or "W_V" when tl.Length == 2 => [c.NHeads, tl[0], tl[1] / Math.Max(1, c.NHeads)],
            "b_Q" or "b_K" or "b_V" when tl.Length == 1 => [c.NHeads, tl[0] / Math.Max(1, c.NHeads)],
            "W_O" when tl.Length == 2 => [c.NHeads, tl[0] / Math.Max(1, c.NHeads), tl[1]],
            _ => tl,
        };
    }

    /// <summary>Whether W_U is W_E transposed: the same initializer read through a Transpose, or a copy with the same values.</summary>
    static string? TiedNote(HookedModel model, ParameterRef wU)
    {
        if (!model.Map.Parameters.TryGetValue("W_E", out var wE)) return null;
        if (wE.Tensor == wU.Tensor) return "tied: the same initializer as W_E";
        var weights = new ModelWeights(model);
        var e = weights.Matrix("W_E");
        var u = weights.Matrix("W_U");
        if (u.Rows != e.Columns || u.Columns != e.Rows) return null;
        for (int v = 0; v < e.Rows; v++)
            for (int d = 0; d < e.Columns; d++)
                if (e[v, d] != u[d, v]) return null;
        return $"a separate copy equal to W_E transposed (a constant-folded lm_head; W_E is '{wE.Tensor}')";
    }
}
