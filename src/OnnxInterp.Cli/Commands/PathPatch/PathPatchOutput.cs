using OnnxInterp.Analysis.Patching;
using OnnxInterp.Analysis.Paths;
using OnnxInterp.Cli.Commands.Patch;
using OnnxInterp.Cli.Reports;
using OnnxInterp.Hooks;

namespace OnnxInterp.Cli.Commands.PathPatch;

/// <summary>The schema of <c>path-patch --json</c> (and of path-patch.json in the -o folder). Null cells: the sender is not before the receiver.</summary>
public sealed record PathPatchOutput(
    string Model,
    string Device,
    string Metric,
    int Pairs,
    IReadOnlyList<PatchPairRow> PromptPairs,
    double Clean,
    double Corrupted,
    IReadOnlyList<string> Senders,
    IReadOnlyList<string> Receivers,
    double?[][] Normalised,
    double?[][] Raw,
    int Edges,
    int Runs,
    int Rows,
    double Seconds,
    IReadOnlyList<string>? Files)
{
    /// <summary>The record of a path-patching result, as the verb and the experiment step both report it.</summary>
    public static PathPatchOutput Of(string modelPath, string device, HookedModel model, IReadOnlyList<PromptPair> pairs, PathPatchingResult result, double seconds)
    {
        var senders = result.Senders.Select(s => s.Name).ToList();
        var receivers = result.Receivers.Select(r => r.Name).ToList();
        double?[][] Cells(double[,] values) => [.. Enumerable.Range(0, senders.Count).Select(s => Enumerable.Range(0, receivers.Count)
            .Select(r => double.IsNaN(values[s, r]) ? (double?)null : values[s, r]).ToArray())];
        var raw = Cells(result.Raw);
        return new PathPatchOutput(modelPath, device, MetricNames.Name(result.Metric), pairs.Count, [.. pairs.Select(p => PatchPairRow.Of(model, p))],
            result.Clean, result.Corrupted, senders, receivers, Cells(result.Normalised), raw, raw.Sum(row => row.Count(v => v is not null)), result.Runs, result.Rows, seconds, null);
    }

    /// <summary>The normalised sender x receiver heatmap (NaN where the sender is not before the receiver).</summary>
    public static GridResult Grid(PathPatchingResult result)
    {
        var label = MetricNames.Name(result.Metric);
        return GridResult.From($"path patching ({label}, normalised: 1 = clean, 0 = corrupted)", "sender", "receiver",
            [.. result.Senders.Select(s => s.Name)], [.. result.Receivers.Select(r => r.Name)], (s, r) => result.Normalised[s, r], "normalised " + label);
    }
}
