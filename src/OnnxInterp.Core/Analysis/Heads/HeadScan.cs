using OnnxInterp.Hooks;

namespace OnnxInterp.Analysis.Heads;

/// <summary>Runs the head detector over a dataset in batches: captures every layer's <c>attn.hook_pattern</c> and scores each head.</summary>
public static class HeadScan
{
    /// <summary>The hooks the detector reads: every layer's attention pattern.</summary>
    public static IReadOnlyList<string> Hooks(HookMap map) =>
        [.. Enumerable.Range(0, map.NLayers).Select(l => $"blocks.{l}.attn.hook_pattern")];

    /// <summary>Scores averaged over all rows (batches are weighted by their row counts).</summary>
    public static HeadScores Run(HookCapture capture, HeadKind kind, IReadOnlyList<int[]> rows, int batchSize = 16,
        bool excludeBos = false, bool excludeCurrentToken = false)
    {
        if (rows.Count == 0) throw new ArgumentException("no sequences to score.", nameof(rows));
        var map = capture.Map;
        var hooks = Hooks(map);
        double[][]? sums = null;
        for (int start = 0; start < rows.Count; start += batchSize)
        {
            var batch = rows.Skip(start).Take(batchSize).ToList();
            var captured = capture.Run([.. batch.Select(r => (IReadOnlyList<int>)r)]);
            int length = batch.Max(r => r.Length);
            var scores = HeadDetector.Detect(kind, [.. hooks.Select(h => captured[h].ToFloats())], map.NHeads, length, batch, excludeBos, excludeCurrentToken);
            sums ??= [.. scores.Scores.Select(l => new double[l.Length])];
            for (int l = 0; l < sums.Length; l++)
                for (int h = 0; h < sums[l].Length; h++) sums[l][h] += scores.Scores[l][h] * batch.Count;
        }
        foreach (var layer in sums!)
            for (int h = 0; h < layer.Length; h++) layer[h] /= rows.Count;
        return new HeadScores(kind, sums, rows.Count);
    }
}
