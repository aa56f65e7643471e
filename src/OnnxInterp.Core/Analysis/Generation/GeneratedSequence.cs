namespace OnnxInterp.Analysis.Generation;

/// <summary>
/// One generated sequence: the prompt, every step (the stop token's step included), the new tokens (without the stop
/// token), and whether it ended on a stop token rather than at the token limit.
/// </summary>
public sealed record GeneratedSequence(IReadOnlyList<long> Prompt, IReadOnlyList<GenerationStep> Steps, bool Stopped)
{
    public IReadOnlyList<long> NewTokens => [.. Steps.Take(Stopped ? Steps.Count - 1 : Steps.Count).Select(s => s.Token)];
}
