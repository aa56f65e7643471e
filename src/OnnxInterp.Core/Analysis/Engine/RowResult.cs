using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis.Engine;

/// <summary>
/// What one plan row produced: its logits (batch 1, at every position or at the plan's logit positions only) and
/// every hook the plan reads (batch 1, by hook name; two names of one tensor are both present).
/// </summary>
public sealed class RowResult
{
    internal RowResult(NamedTensor? logits, IReadOnlyList<int>? logitPositions, ActivationCache reads)
    {
        Logits = logits;
        LogitPositions = logitPositions;
        Reads = reads;
    }

    /// <summary>[1, positions, vocab] (positions = <see cref="LogitPositions"/> when given), or null when the plan read none.</summary>
    public NamedTensor? Logits { get; }
    /// <summary>The positions <see cref="Logits"/> holds, in order; null when it holds every position.</summary>
    public IReadOnlyList<int>? LogitPositions { get; }
    public ActivationCache Reads { get; }

    public NamedTensor this[string hook] => Reads[hook];

    /// <summary>The same row, its logits said to be at <paramref name="positions"/> (a row run from a later position, placed in the whole prompt).</summary>
    internal RowResult AtPositions(IReadOnlyList<int> positions) => new(Logits, positions, Reads);

    /// <summary>The vocabulary logits at a prompt position (negative counts from the end when every position was read).</summary>
    public ReadOnlySpan<float> LogitsAt(int position)
    {
        var logits = Logits ?? throw new InvalidOperationException("this plan read no logits (LogitReads.None).");
        if (LogitPositions is null) return LogitMetrics.Row(logits, 0, position);
        int index = LogitPositions.ToList().IndexOf(position);
        if (index < 0) throw new ArgumentException($"position {position} was not read; the plan read logits at {string.Join(", ", LogitPositions)}.");
        return LogitMetrics.Row(logits, 0, index);
    }
}
