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

/// <summary>
/// One head's circuit: its Frobenius norm, largest singular values, for OV circuits the share of tokens whose largest
/// output is the token itself (null for QK circuits and for vocabularies over 4096), and the top entries of the chosen rows.
/// </summary>
public sealed record HeadCircuitRow(string Head, int Layer, int HeadIndex, double Norm, IReadOnlyList<double> SingularValues,
    double? DiagonalTopShare, IReadOnlyList<TopEntryRow> Top);

/// <summary>A row of a circuit and its largest entries, as ids (tokens or positions) and text (the token, where there is a vocabulary).</summary>
public sealed record TopEntryRow(int Row, string RowText, IReadOnlyList<int> Columns, IReadOnlyList<string> ColumnTexts, IReadOnlyList<double> Values);

/// <summary>One composition kind: the random baseline (mean and standard deviation over Samples draws) and every pair's score.</summary>
public sealed record CompositionKindRow(string Kind, double BaselineMean, double BaselineStd, int Samples, IReadOnlyList<CompositionPairRow> Pairs);

/// <summary>One pair of heads: earlier head's output into the later head's Q, K or V input; Ratio is Score over the baseline mean.</summary>
public sealed record CompositionPairRow(string From, string To, double Score, double Ratio);

/// <summary>A head's copying score (share of positive eigenvalue mass, 0..1) and the Framework's ratio Re(Σλ)/Σ|λ| (-1..1).</summary>
public sealed record CopyingRow(string Head, int Layer, int HeadIndex, double Score, double Ratio);
