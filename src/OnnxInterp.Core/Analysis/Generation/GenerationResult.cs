namespace OnnxInterp.Analysis.Generation;

/// <summary>
/// Every row's sequence, whether the past key/values were used (else every step recomputed the whole sequence), and how
/// many plans (one per step and row length) and session runs it took.
/// </summary>
public sealed record GenerationResult(IReadOnlyList<GeneratedSequence> Sequences, bool UsedPast, int Plans, int Runs)
{
    public GeneratedSequence this[int row] => Sequences[row];
}
