using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Heads;
using OnnxInterp.Cli.Commands.Heads;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Hooks;

namespace OnnxInterp.Cli.Experiments;

/// <summary>Every head's attention pattern on each of some sequences, captured in batches, for an attention view (heads verb and step).</summary>
internal static class AttentionViews
{
    public static AttentionView Of(HookedModel model, HookCapture capture, IReadOnlyList<int[]> rows, IReadOnlyList<(string Name, HeadScores Scores)> scores,
        string title, int batchSize = 16)
    {
        var sequences = new List<AttentionSequence>();
        for (int start = 0; start < rows.Count; start += batchSize)
        {
            var batch = rows.Skip(start).Take(batchSize).ToList();
            var patterns = capture.Run([.. batch.Select(r => (IReadOnlyList<int>)r)]);
            int n = batch.Max(r => r.Length);
            for (int b = 0; b < batch.Count; b++)
                sequences.Add(new AttentionSequence([.. batch[b].Select(t => AnalysisInputs.Text(model, t))],
                    [.. Enumerable.Range(0, model.Map.NLayers).SelectMany(l => Enumerable.Range(0, model.Map.NHeads).Select(h =>
                        new AttentionHead(l, h, Pattern(patterns[$"blocks.{l}.attn.hook_pattern"].ToFloats(), model.Map.NHeads, n, batch[b].Length, b, h),
                            scores.ToDictionary(s => s.Name, s => s.Scores[l, h]))))]));
        }
        return new AttentionView(title, model.Map.Config.Causal, sequences);
    }

    /// <summary>One head's [q][k] pattern over a row's own <paramref name="length"/> positions, from a [batch, head, n, n] tensor.</summary>
    static float[][] Pattern(float[] data, int heads, int n, int length, int row, int head) =>
        [.. Enumerable.Range(0, length).Select(q => data.AsSpan(((row * heads + head) * n + q) * n, length).ToArray())];
}
