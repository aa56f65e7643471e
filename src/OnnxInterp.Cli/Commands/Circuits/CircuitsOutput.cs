namespace OnnxInterp.Cli.Commands.Circuits;

/// <summary>
/// The schema of <c>circuits --json</c> (and <c>circuits.json</c>): one section per analysis asked for (null otherwise),
/// and which LayerNorm weights were folded into the matrices (empty without <c>--fold-ln</c>).
/// </summary>
public sealed record CircuitsOutput(
    string Model,
    IReadOnlyList<string> FoldedLayerNorm,
    IReadOnlyList<HeadCircuitRow>? Qk,
    IReadOnlyList<HeadCircuitRow>? PositionalQk,
    IReadOnlyList<HeadCircuitRow>? Ov,
    IReadOnlyList<CompositionKindRow>? Composition,
    IReadOnlyList<CopyingRow>? Copying,
    IReadOnlyList<string>? Files);
