using OnnxInterp.Analysis.Patching;
using OnnxInterp.Analysis.Paths;
using OnnxInterp.Cli.Commands.Patch;
using OnnxInterp.Hooks;

namespace OnnxInterp.Cli.Commands.Discover;

/// <summary>The schema of <c>discover --json</c> (and of discover.json in the -o folder).</summary>
public sealed record DiscoverOutput(
    string Model,
    string Device,
    string Metric,
    double Threshold,
    int Pairs,
    IReadOnlyList<PatchPairRow> PromptPairs,
    double Full,
    double Corrupted,
    double Circuit,
    int TotalEdges,
    int KeptEdges,
    IReadOnlyList<string> Heads,
    IReadOnlyList<DiscoverEdgeRow> Kept,
    IReadOnlyList<DiscoverEdgeRow> Tests,
    int Plans,
    int Rows,
    double Seconds,
    IReadOnlyList<string>? Files)
{
    /// <summary>The record of an ACDC result, as the verb and the experiment step both report it.</summary>
    public static DiscoverOutput Of(string modelPath, string device, HookedModel model, IReadOnlyList<PromptPair> pairs, DiscoveryResult result)
    {
        static DiscoverEdgeRow Row(ResidualEdge e, double? harm, bool removed) => new(e.Sender.Name, e.Receiver.Name, harm, removed);
        return new DiscoverOutput(modelPath, device, MetricNames.Name(result.Metric), result.Threshold, pairs.Count,
            [.. pairs.Select(p => PatchPairRow.Of(model, p))], result.Full, result.Corrupted, result.Circuit, result.TotalEdges, result.Kept.Count, result.Heads,
            [.. result.Kept.Select(e => Row(e, result.Tests.FirstOrDefault(t => t.Edge == e)?.Harm, false))],
            [.. result.Tests.Select(t => Row(t.Edge, t.Harm, t.Removed))], result.Plans, result.Rows, result.Seconds, null);
    }
}

/// <summary>One edge: sender, receiver, how much removing it hurt the metric, and whether it was removed.</summary>
public sealed record DiscoverEdgeRow(string Sender, string Receiver, double? Harm, bool Removed);
