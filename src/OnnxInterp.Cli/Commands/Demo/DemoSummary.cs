using OnnxInterp.Cli.Commands.Ablate;
using OnnxInterp.Cli.Commands.Attribute;
using OnnxInterp.Cli.Commands.Heads;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Commands.Patch;
using OnnxInterp.Cli.Experiments;

namespace OnnxInterp.Cli.Commands.Demo;

/// <summary>A few readable lines of what the demo found, every number read from its results.</summary>
public static class DemoSummary
{
    public static void Write(TextWriter w, ExperimentResults results)
    {
        T Result<T>(string step) => (T)results.Steps.Single(s => s.Name == step).Result;
        var heads = Result<HeadsOutput>("induction-heads");
        var knockout = Result<AblateOutput>("induction-knockout");
        var patch = Result<PatchOutput>("ioi-patching");
        var dla = Result<AttributeOutput>("ioi-attribution");
        var lens = Result<LensOutput>("ioi-lens");

        string Ranked(HeadDetectionRow d, int n) => string.Join(", ", d.Top.Take(n).Select(t => $"L{t.Layer}H{t.Head} {t.Score:0.00}"));
        var induction = heads.Detections.Single(d => d.Detector == "induction");
        var previous = heads.Detections.Single(d => d.Detector == "previous-token");
        w.WriteLine($"1. Induction heads in {DemoSpec.InductionModel} ({heads.Data}):");
        w.WriteLine($"   induction scores  {Ranked(induction, 4)}   (best in layer 0: {induction.Scores[0].Max():0.00})");
        w.WriteLine($"   previous-token    {Ranked(previous, 1)}: the head the induction heads read from");
        var worst = knockout.Variants.OrderByDescending(v => v.Ratio).Take(3).Select(v => $"{v.Label} x{v.Ratio:0.0}");
        w.WriteLine($"   knocking out one head at a time (loss on the repeated half, baseline {knockout.Baseline:0.00}): {string.Join(", ", worst)}");

        var example = string.Concat(results.Steps.Single(s => s.Name == "ioi-patching").Prompts[0].Tokens.Skip(1));
        w.WriteLine($"2. Indirect object identification in {DemoSpec.IoiModel} ({patch.Pairs} prompt pairs such as \"{example}\"):");
        w.WriteLine($"   logit difference (indirect object - subject): clean {patch.Clean:0.00}, corrupted (other names) {patch.Corrupted:0.00}");
        var resid = patch.Sweeps.Single(s => s.Name == "resid_pre");
        int last = resid.ColumnLabels.Count - 1;
        var (row, col) = ArgMax([.. resid.Normalised.Select(r => r[..last])]);
        w.WriteLine($"   patching the residual stream: the names' effect sits at position {resid.ColumnLabels[col]} in layer {resid.RowLabels[row]} ({resid.Normalised[row][col]:0.00} restored),"
            + $" and at the last position by layer {resid.RowLabels[^1]} ({resid.Normalised[^1][last]:0.00})");
        var z = patch.Sweeps.Single(s => s.Name == "z");
        var bestHeads = z.RowLabels.SelectMany((l, r) => z.ColumnLabels.Select((h, c) => (Label: $"L{l}H{h}", Value: z.Normalised[r][c])))
            .OrderByDescending(x => x.Value).Take(3).Select(x => $"{x.Label} {x.Value:0.00}");
        w.WriteLine($"   patching one head's output (z): {string.Join(", ", bestHeads)}");
        var topDla = dla.Components.Where(c => c.Kind == "head").OrderByDescending(c => Math.Abs(c.Value)).Take(3).Select(c => $"{c.Label} {c.Value:+0.00;-0.00}");
        w.WriteLine($"   direct logit attribution, top heads: {string.Join(", ", topDla)} (all components sum to {dla.MeanTotal:0.00}; the model's own: {dla.MeanActual:0.00})");
        var firstRight = lens.Layers.FirstOrDefault(l => l.AnswerRank == 1);
        w.WriteLine($"   logit lens on \"{DemoSpec.IoiPrompt}\": \" Mary\" becomes the top token at {firstRight?.Hook ?? "no layer"} (p = {lens.Layers[^1].AnswerProbability:0.00} at the output)");
    }

    static (int Row, int Column) ArgMax(double[][] values)
    {
        (int, int) best = (0, 0);
        for (int r = 0; r < values.Length; r++)
            for (int c = 0; c < values[r].Length; c++)
                if (values[r][c] > values[best.Item1][best.Item2]) best = (r, c);
        return best;
    }
}
