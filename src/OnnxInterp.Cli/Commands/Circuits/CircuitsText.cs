namespace OnnxInterp.Cli.Commands.Circuits;

/// <summary>The text report of <c>circuits</c>: one short table per analysis.</summary>
public static class CircuitsText
{
    public static void Write(TextWriter w, CircuitsOutput r, bool foldAsked)
    {
        w.WriteLine(r.FoldedLayerNorm.Count > 0
            ? $"LayerNorm folded: {string.Join("; ", r.FoldedLayerNorm)}"
            : foldAsked ? "LayerNorm folding asked for, but the hook map records no LayerNorm weights: raw weights used" : "raw weights (no LayerNorm folding; --fold-ln folds it)");
        Circuits(w, "QK circuit W_E W_Q W_Kᵀ W_Eᵀ (query token -> key tokens it favours)", r.Qk);
        Circuits(w, "positional QK circuit W_pos W_Q W_Kᵀ W_posᵀ (query position -> key positions)", r.PositionalQk);
        Circuits(w, "OV circuit W_E W_V W_O W_U (attended token -> output tokens it raises)", r.Ov);
        foreach (var k in r.Composition ?? [])
        {
            w.WriteLine();
            w.WriteLine($"{k.Kind}-composition, random baseline {k.BaselineMean:0.0000} ± {k.BaselineStd:0.0000} ({k.Samples} random head pairs); strongest pairs:");
            foreach (var p in k.Pairs.OrderByDescending(p => p.Score).Take(8))
                w.WriteLine($"  {p.From} -> {p.To}  {p.Score:0.0000}  ({p.Ratio:0.00}x baseline)");
        }
        if (r.Copying is { } copying)
        {
            w.WriteLine();
            w.WriteLine("copying score (share of positive OV eigenvalue mass; Framework ratio Re Σλ / Σ|λ|):");
            foreach (var c in copying) w.WriteLine($"  {c.Head,-6} {c.Score,7:0.0000}  ratio {c.Ratio,7:0.0000}");
        }
        foreach (var f in r.Files ?? []) w.WriteLine($"wrote {f}");
    }

    static void Circuits(TextWriter w, string title, IReadOnlyList<HeadCircuitRow>? heads)
    {
        if (heads is null) return;
        w.WriteLine();
        w.WriteLine(title + ":");
        foreach (var h in heads)
        {
            var diagonal = h.DiagonalTopShare is { } s ? $", top entry on the diagonal for {s:P0} of rows" : "";
            w.WriteLine($"  {h.Head}: norm {h.Norm:0.###}, singular values {string.Join(", ", h.SingularValues.Take(3).Select(v => v.ToString("0.###")))}{diagonal}");
            foreach (var t in h.Top)
                w.WriteLine($"    {Quote(t.RowText),-14} -> {string.Join(", ", t.ColumnTexts.Select((c, i) => $"{Quote(c)} {t.Values[i]:0.##}"))}");
        }
    }

    static string Quote(string text) => text.StartsWith("pos ") || int.TryParse(text, out _) ? text : $"'{text}'";
}
