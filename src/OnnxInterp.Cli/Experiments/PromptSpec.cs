namespace OnnxInterp.Cli.Experiments;

/// <summary>
/// One prompt (and, for patching, its corrupted twin) as GPT-2 text (BOS prepended unless <see cref="NoBos"/>) or as token
/// ids, with the answer and wrong-answer tokens a metric reads at the last position.
/// </summary>
public sealed record PromptSpec
{
    public string? Clean { get; init; }
    public string? Corrupted { get; init; }
    public IReadOnlyList<int>? CleanTokens { get; init; }
    public IReadOnlyList<int>? CorruptedTokens { get; init; }
    public string? Answer { get; init; }
    public int? AnswerId { get; init; }
    public string? Wrong { get; init; }
    public int? WrongId { get; init; }
    public bool NoBos { get; init; }
}
