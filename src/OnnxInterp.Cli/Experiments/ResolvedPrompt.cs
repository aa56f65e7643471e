namespace OnnxInterp.Cli.Experiments;

/// <summary>
/// One checked prompt: the clean tokens, the corrupted twin when given, the answer and wrong tokens (-1 when absent) read
/// at the last position, and for repeated-token prompts the positions whose next token the loss reads.
/// </summary>
internal sealed record ResolvedPrompt(long[] Clean, long[]? Corrupted, long Answer, long Wrong, IReadOnlyList<int>? LossPositions = null);
