namespace OnnxInterp.Analysis.Generation;

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
