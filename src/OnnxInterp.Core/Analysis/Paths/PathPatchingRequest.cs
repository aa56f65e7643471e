using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;

namespace OnnxInterp.Analysis.Paths;

/// <summary>
/// Path patching: prompt pairs (one token length), senders (<c>L0H3</c>, <c>mlp1</c>, <c>embed</c>, or all, heads,
/// mlps, embeds) and receivers (<c>L2H1_q</c>, <c>mlp2</c>, <c>logits</c>, or all, q, k, v, mlps), and the metric.
/// </summary>
public sealed record PathPatchingRequest(
    IReadOnlyList<PromptPair> Pairs,
    IReadOnlyList<string> Senders,
    IReadOnlyList<string> Receivers,
    MetricKind Metric = MetricKind.LogitDiff);

/// <summary>
/// The sender x receiver grid: raw metric means over pairs and normalised values (1 = clean, 0 = corrupted; NaN where
/// the sender is not before the receiver), with the clean and corrupted baselines and what the plan took.
/// </summary>
public sealed record PathPatchingResult(
    MetricKind Metric,
    IReadOnlyList<ResidualNode> Senders,
    IReadOnlyList<ResidualNode> Receivers,
    double[,] Raw,
    double[,] Normalised,
    double Clean,
    double Corrupted,
    int Pairs,
    int Runs,
    int Rows);
