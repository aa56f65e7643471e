namespace OnnxInterp.Cli.Experiments;

/// <summary>
/// Where a step's prompts come from: exactly one of explicit <see cref="Pairs"/>, <see cref="Ioi"/> generated IOI pairs, or
/// <see cref="Repeated"/> random sequences with a repeated segment (ablation on induction).
/// </summary>
public sealed record PromptSet
{
    public IReadOnlyList<PromptSpec>? Pairs { get; init; }
    /// <summary>N IOI prompt pairs (one template; answer the indirect object, wrong the subject; corrupted: three other names).</summary>
    public int? Ioi { get; init; }
    /// <summary>Which training template the IOI pairs use.</summary>
    public int IoiTemplate { get; init; }
    /// <summary>N random sequences of the model's context length, each with one repeated segment; the metric reads the repeat.</summary>
    public int? Repeated { get; init; }
    /// <summary>Overrides the spec's seed for these prompts.</summary>
    public int? Seed { get; init; }
}
