namespace OnnxInterp.Cli.Experiments;

/// <summary>
/// One step's entry in results.json: what ran (kind, model, seed, every prompt's tokens), how long it took, its result
/// (the record the matching verb prints with <c>--json</c>), and the tables, grids and attention views the report shows.
/// </summary>
public sealed record StepResult(
    string Name,
    string Step,
    string Model,
    double Seconds,
    int? Seed,
    IReadOnlyList<PromptTokens> Prompts,
    object Result,
    IReadOnlyList<TableResult> Tables,
    IReadOnlyList<NamedGrid> Grids,
    AttentionView? Attention = null,
    IReadOnlyList<TokenActivationText>? Texts = null,
    IReadOnlyList<string>? Files = null)
{
    /// <summary>The step's position in the spec's <c>steps</c> (a shard's results hold only some steps).</summary>
    public int Index { get; init; }
}
