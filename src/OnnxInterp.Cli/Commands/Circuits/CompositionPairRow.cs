namespace OnnxInterp.Cli.Commands.Circuits;

/// <summary>One pair of heads: earlier head's output into the later head's Q, K or V input; Ratio is Score over the baseline mean.</summary>
public sealed record CompositionPairRow(string From, string To, double Score, double Ratio);
