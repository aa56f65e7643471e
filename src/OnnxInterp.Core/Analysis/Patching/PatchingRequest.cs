using OnnxInterp.Analysis.Metrics;

namespace OnnxInterp.Analysis.Patching;

/// <summary>
/// An activation-patching experiment: prompt pairs (all of one token length), the sweeps to run (all in one batch
/// plan), the metric, and the direction: clean into corrupted (denoising, the default) or, with
/// <paramref name="Reverse"/>, corrupted into clean (noising). With <paramref name="Share"/>, only that share of the
/// variants runs (one machine's part of a sweep spread over several); the others come back as NaN.
/// </summary>
public sealed record PatchingRequest(
    IReadOnlyList<PromptPair> Pairs,
    IReadOnlyList<SweepSpec> Sweeps,
    MetricKind Metric = MetricKind.LogitDiff,
    bool Reverse = false,
    WorkShare? Share = null);
