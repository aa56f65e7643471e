namespace OnnxInterp.Cli.Commands.Circuits;

/// <summary>
/// One head's circuit: its Frobenius norm, largest singular values, for OV circuits the share of tokens whose largest
/// output is the token itself (null for QK circuits and for vocabularies over 4096), and the top entries of the chosen rows.
/// </summary>
public sealed record HeadCircuitRow(string Head, int Layer, int HeadIndex, double Norm, IReadOnlyList<double> SingularValues,
    double? DiagonalTopShare, IReadOnlyList<TopEntryRow> Top);
