namespace OnnxInterp.Analysis.Generation;

/// <summary>One chosen token: its id, its probability under the model (softmax of the logits, before temperature), and the most likely alternatives.</summary>
public sealed record GenerationStep(long Token, double Probability, IReadOnlyList<TokenProbability> Top);

/// <summary>
/// One generated sequence: the prompt, every step (the stop token's step included), the new tokens (without the stop
/// token), and whether it ended on a stop token rather than at the token limit.
/// </summary>
public sealed record GeneratedSequence(IReadOnlyList<long> Prompt, IReadOnlyList<GenerationStep> Steps, bool Stopped)
{
    public IReadOnlyList<long> NewTokens => [.. Steps.Take(Stopped ? Steps.Count - 1 : Steps.Count).Select(s => s.Token)];
}

/// <summary>
/// Every row's sequence, whether the past key/values were used (else every step recomputed the whole sequence), and how
/// many plans (one per step and row length) and session runs it took.
/// </summary>
public sealed record GenerationResult(IReadOnlyList<GeneratedSequence> Sequences, bool UsedPast, int Plans, int Runs)
{
    public GeneratedSequence this[int row] => Sequences[row];
}

/// <summary>A token as it is chosen, for streaming: the row, the step (0 = the first new token) and the token.</summary>
public sealed record GeneratedToken(int Row, int Step, long Token, bool Stop);
