namespace OnnxInterp.Cli.Commands.Circuits;

/// <summary>A head's copying score (share of positive eigenvalue mass, 0..1) and the Framework's ratio Re(Σλ)/Σ|λ| (-1..1).</summary>
public sealed record CopyingRow(string Head, int Layer, int HeadIndex, double Score, double Ratio);
