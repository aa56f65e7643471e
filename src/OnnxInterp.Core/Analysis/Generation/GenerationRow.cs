namespace OnnxInterp.Analysis.Generation;

/// <summary>One sequence to continue: its prompt ids and the writes applied while generating it.</summary>
public sealed record GenerationRow(IReadOnlyList<long> Prompt, IReadOnlyList<GenerationWrite>? Writes = null)
{
    public IReadOnlyList<GenerationWrite> WriteList => Writes ?? [];
}
