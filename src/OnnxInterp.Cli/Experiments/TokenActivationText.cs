namespace OnnxInterp.Cli.Experiments;

/// <summary>
/// A max-activating context for the report: its tokens and each token's activation, the position that ranked and the
/// target's rank; the report colours every token by its activation.
/// </summary>
public sealed record TokenActivationText(string Target, int Rank, IReadOnlyList<string> Tokens, IReadOnlyList<double> Activations, int Highlight, double Max)
{
    /// <summary>Which dataset example (0-based) and position ranked: what identifies the context when shards are merged.</summary>
    public long Example { get; init; }
    public int Position { get; init; }
}
