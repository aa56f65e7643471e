using OnnxInterp.Cli.Commands.Patch;

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
    IReadOnlyList<string>? Files);
