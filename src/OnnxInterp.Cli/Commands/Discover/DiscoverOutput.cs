using OnnxInterp.Cli.Commands.Patch;

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
    IReadOnlyList<string>? Files);

/// <summary>One edge: sender, receiver, how much removing it hurt the metric, and whether it was removed.</summary>
public sealed record DiscoverEdgeRow(string Sender, string Receiver, double? Harm, bool Removed);
