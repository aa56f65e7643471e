using OnnxInterp.Cli.Commands.Heads;

namespace OnnxInterp.Cli.Experiments;

/// <summary>One sequence of an <see cref="AttentionView"/>: its tokens and every head's [query][key] pattern on it.</summary>
public sealed record AttentionSequence(IReadOnlyList<string> Tokens, IReadOnlyList<AttentionHead> Heads);
