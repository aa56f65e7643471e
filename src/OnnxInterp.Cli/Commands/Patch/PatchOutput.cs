using OnnxInterp.Analysis.Patching;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Hooks;

namespace OnnxInterp.Cli.Commands.Patch;

/// <summary>The schema of <c>patch --json</c> (and of patch.json in the -o folder).</summary>
public sealed record PatchOutput(
    string Model,
    string Device,
    string Metric,
    bool Reverse,
    int Pairs,
    int Positions,
    IReadOnlyList<string> CleanTokens,
    IReadOnlyList<string> CorruptedTokens,
    IReadOnlyList<PatchPairRow> PromptPairs,
    double Clean,
    double Corrupted,
    IReadOnlyList<PatchSweepRow> Sweeps,
    IReadOnlyList<string> Skipped,
    int Runs,
    int Rows,
    double Seconds,
    IReadOnlyList<string>? Files);

/// <summary>One prompt pair as it was run: token ids and their text, the answer and wrong tokens (-1 when absent), the metric position.</summary>
public sealed record PatchPairRow(IReadOnlyList<long> Clean, IReadOnlyList<long> Corrupted, IReadOnlyList<string> CleanText,
    IReadOnlyList<string> CorruptedText, long Answer, long Wrong, int Position)
{
    public static PatchPairRow Of(HookedModel model, PromptPair p) =>
        new(p.Clean, p.Corrupted, [.. p.Clean.Select(t => AnalysisInputs.Text(model, t))], [.. p.Corrupted.Select(t => AnalysisInputs.Text(model, t))], p.Answer, p.Wrong, p.Position);
}
