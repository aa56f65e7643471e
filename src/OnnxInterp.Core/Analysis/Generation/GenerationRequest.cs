using OnnxInterp.Analysis.Engine;

namespace OnnxInterp.Analysis.Generation;

/// <summary>Which positions of a sequence a generation write covers: every one, the prompt's only, or the generated tokens' only.</summary>
public enum WriteScope { All, Prompt, NewTokens }

/// <summary>
/// A write applied at every decoding step, to the positions its scope covers (and, when its slice names the position axis
/// <c>pos</c> / <c>q_pos</c>, only those absolute sequence positions). Its value is zero, fed or added, broadcast over
/// positions (a value with its own position axis cannot follow a growing sequence).
/// </summary>
public sealed record GenerationWrite(HookWrite Write, WriteScope Scope = WriteScope.All);

/// <summary>One sequence to continue: its prompt ids and the writes applied while generating it.</summary>
public sealed record GenerationRow(IReadOnlyList<long> Prompt, IReadOnlyList<GenerationWrite>? Writes = null)
{
    public IReadOnlyList<GenerationWrite> WriteList => Writes ?? [];
}

/// <summary>
/// What to generate: rows (sequences continued side by side as rows of each step's plan), at most
/// <paramref name="MaxNewTokens"/> new tokens each, chosen as <paramref name="Sampling"/> says, stopping a row at a token in
/// <paramref name="StopTokens"/> (GPT-2's end of text, 50256, when null). <paramref name="UsePast"/> false recomputes the
/// whole sequence at every step even where the graph has past key/values. <paramref name="TopAlternatives"/> is how many
/// most likely tokens each step records.
/// </summary>
public sealed record GenerationRequest(
    IReadOnlyList<GenerationRow> Rows,
    int MaxNewTokens = 20,
    SamplingSettings? Sampling = null,
    IReadOnlyList<long>? StopTokens = null,
    bool UsePast = true,
    int TopAlternatives = 5)
{
    public const long EndOfText = 50256;
    public SamplingSettings SamplingOrGreedy => Sampling ?? SamplingSettings.GreedyDecoding;
    public IReadOnlyList<long> Stops => StopTokens ?? [EndOfText];
}
