using OnnxInterp.Cli.Commands.Heads;

namespace OnnxInterp.Cli.Experiments;

/// <summary>Attention patterns of every head on some sequences of a batch, for the report's attention view.</summary>
public sealed record AttentionView(string Title, bool Causal, IReadOnlyList<AttentionSequence> Sequences);
