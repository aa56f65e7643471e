using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;

namespace OnnxInterp.Analysis.Ablation;

/// <summary>
/// An ablation experiment: prompts (each with what the metric reads), variants (each a set of sites ablated
/// together; one variant per row group), the method, and the metric. For mean ablation the mean is taken over
/// <paramref name="MeanDataset"/> (default: the prompts), over rows and positions, or over rows only when
/// <paramref name="MeanPerPosition"/> (then the dataset must have the prompts' length). For resampling, prompt i
/// reads prompt (i + <paramref name="ResampleShift"/>) mod N, so there must be at least two prompts. With
/// <paramref name="Share"/>, only that share of the variants runs (one machine's part); the others come back as NaN.
/// </summary>
public sealed record AblationRequest(
    IReadOnlyList<MetricTarget> Prompts,
    IReadOnlyList<IReadOnlyList<PatchSite>> Variants,
    AblationMethod Method = AblationMethod.Zero,
    MetricKind Metric = MetricKind.Loss,
    IReadOnlyList<IReadOnlyList<long>>? MeanDataset = null,
    bool MeanPerPosition = false,
    int ResampleShift = 1,
    WorkShare? Share = null);
