using OnnxInterp.Analysis.Engine;
using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis.Metrics;

/// <summary>
/// One metric over a set of prompts, a plain function of results: <c>Evaluate(row, prompt)</c> scores an engine
/// <see cref="RowResult"/> as a run of prompt <c>prompt</c> (whose target says which positions and tokens count). KL
/// needs reference distributions, named explicitly: <see cref="WithReference(IReadOnlyList{RowResult})"/> takes
/// prompt i's from the i-th given row (the clean run in patching, the un-ablated run in ablation). Immutable.
/// </summary>
public sealed class MetricEvaluator
{
    readonly double[][][]? reference; // [prompt][read position index][vocab] log-probs

    public MetricEvaluator(MetricKind kind, IReadOnlyList<MetricTarget> targets) : this(kind, targets, null)
    {
        foreach (var t in targets) t.Checked(kind);
    }

    MetricEvaluator(MetricKind kind, IReadOnlyList<MetricTarget> targets, double[][][]? reference)
    {
        Kind = kind;
        Targets = targets;
        this.reference = reference;
        ReadPositions = [.. targets.SelectMany(t => t.ReadPositions).Distinct().Order()];
    }

    /// <summary>
    /// Every position some target reads, ascending. A run can compute logits at these positions only
    /// (<c>gathered: true</c> below: the logits' position axis holds exactly these, in this order).
    /// </summary>
    public int[] ReadPositions { get; }

    public MetricKind Kind { get; }
    public IReadOnlyList<MetricTarget> Targets { get; }

    /// <summary>True when <c>Evaluate</c> needs reference distributions it does not have yet.</summary>
    public bool NeedsReference => Kind == MetricKind.Kl && reference is null;

    /// <summary>A copy whose KL reference for prompt i is <paramref name="referenceOfPrompt"/>[i] (e.g. the clean run of pair i).</summary>
    public MetricEvaluator WithReference(IReadOnlyList<RowResult> referenceOfPrompt)
    {
        if (Kind != MetricKind.Kl) return this;
        if (referenceOfPrompt.Count != Targets.Count)
            throw new ArgumentException($"{referenceOfPrompt.Count} reference rows were given for {Targets.Count} prompts.");
        var refs = new double[Targets.Count][][];
        for (int i = 0; i < Targets.Count; i++)
            refs[i] = [.. Targets[i].ReadPositions.Select(p => LogitMetrics.LogSoftmax(referenceOfPrompt[i].LogitsAt(p)))];
        return new MetricEvaluator(Kind, Targets, refs);
    }

    /// <summary>A copy whose KL reference for prompt i is row <c>rowOfPrompt[i]</c> of <paramref name="logits"/>.</summary>
    public MetricEvaluator WithReference(NamedTensor logits, IReadOnlyList<int> rowOfPrompt, bool gathered = false)
    {
        if (Kind != MetricKind.Kl) return this;
        if (rowOfPrompt.Count != Targets.Count)
            throw new ArgumentException($"{rowOfPrompt.Count} reference rows were given for {Targets.Count} prompts.");
        var refs = new double[Targets.Count][][];
        for (int i = 0; i < Targets.Count; i++)
            refs[i] = [.. Targets[i].ReadPositions.Select(p => LogitMetrics.LogSoftmax(Row(logits, rowOfPrompt[i], p, gathered)))];
        return new MetricEvaluator(Kind, Targets, refs);
    }

    /// <summary>The metric of an engine row, read as a run of prompt <paramref name="prompt"/>.</summary>
    public double Evaluate(RowResult row, int prompt) => Score(row.LogitsAt, prompt);

    /// <summary>The metric of batch row <paramref name="row"/>, read as a run of prompt <paramref name="prompt"/>.</summary>
    public double Evaluate(NamedTensor logits, int row, int prompt, bool gathered = false) =>
        Score(p => Row(logits, row, p, gathered), prompt);

    delegate ReadOnlySpan<float> LogitsAt(int position);

    double Score(LogitsAt at, int prompt)
    {
        var t = Targets[prompt];
        switch (Kind)
        {
            case MetricKind.LogitDiff:
                return LogitMetrics.LogitDiff(at(t.AnswerPosition), t.Answer, t.Wrong);
            case MetricKind.Probability:
                return LogitMetrics.Probability(at(t.AnswerPosition), t.Answer);
            case MetricKind.Rank:
                return LogitMetrics.Rank(at(t.AnswerPosition), t.Answer);
            case MetricKind.Loss:
                return t.ReadPositions.Average(p => LogitMetrics.Loss(at(p), t.NextToken(p)));
            case MetricKind.Accuracy:
                return t.ReadPositions.Average(p => LogitMetrics.Accuracy(at(p), t.NextToken(p)));
            case MetricKind.Kl:
                if (reference is null)
                    throw new InvalidOperationException("the KL metric needs the clean distributions first: call WithReference with a run of the clean prompts.");
                var positions = t.ReadPositions;
                double sum = 0;
                for (int k = 0; k < positions.Count; k++)
                    sum += LogitMetrics.Kl(reference[prompt][k], at(positions[k]));
                return sum / positions.Count;
            default:
                throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null);
        }
    }

    /// <summary>The mean over prompts, row <c>rowOfPrompt[i]</c> scored as prompt i.</summary>
    public double Mean(NamedTensor logits, IReadOnlyList<int> rowOfPrompt, bool gathered = false) =>
        Enumerable.Range(0, rowOfPrompt.Count).Average(i => Evaluate(logits, rowOfPrompt[i], i, gathered));

    ReadOnlySpan<float> Row(NamedTensor logits, int row, int position, bool gathered)
    {
        if (!gathered) return LogitMetrics.Row(logits, row, position);
        int index = Array.BinarySearch(ReadPositions, position);
        if (index < 0) throw new ArgumentException($"position {position} was not among the gathered positions {string.Join(", ", ReadPositions)}.");
        return LogitMetrics.Row(logits, row, index);
    }
}
