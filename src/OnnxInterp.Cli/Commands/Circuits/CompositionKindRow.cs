namespace OnnxInterp.Cli.Commands.Circuits;

/// <summary>One composition kind: the random baseline (mean and standard deviation over Samples draws) and every pair's score.</summary>
public sealed record CompositionKindRow(string Kind, double BaselineMean, double BaselineStd, int Samples, IReadOnlyList<CompositionPairRow> Pairs);
