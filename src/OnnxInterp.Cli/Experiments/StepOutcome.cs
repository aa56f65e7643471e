namespace OnnxInterp.Cli.Experiments;

/// <summary>
/// What a step's run produces, before the runner adds its name, kind, model and time: the result record (as the matching
/// verb's <c>--json</c>), the seed and prompts used, and what the report shows and the output folder holds.
/// </summary>
internal sealed record StepOutcome(
    object Result,
    int? Seed,
    IReadOnlyList<PromptTokens> Prompts,
    IReadOnlyList<TableResult> Tables,
    IReadOnlyList<NamedGrid> Grids,
    AttentionView? Attention = null,
    IReadOnlyList<TokenActivationText>? Texts = null,
    IReadOnlyList<string>? Files = null);
