using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis.Engine;

/// <summary>
/// The outputs of a plan: per row (<see cref="Rows"/>, sliced out of the batches on first use), or batched over all rows
/// (<see cref="Stacked"/>), with how many session runs and batch rows it took and the compiled rewrite's identity.
/// </summary>
public sealed class PlanResult
{
    readonly IReadOnlyList<IReadOnlyDictionary<string, NamedTensor>> runs;
    readonly IReadOnlyList<(int Run, int Index)> location;
    readonly IReadOnlyDictionary<string, (string Tensor, int BatchAxis)> reads;
    readonly string? logits;
    readonly IReadOnlyList<int>? logitPositions;
    readonly RowResult?[] rows;

    internal PlanResult(IReadOnlyList<IReadOnlyDictionary<string, NamedTensor>> runs, IReadOnlyList<(int Run, int Index)> location,
        IReadOnlyDictionary<string, (string Tensor, int BatchAxis)> reads, string? logits, IReadOnlyList<int>? logitPositions, int batchRows, string identity)
    {
        this.runs = runs;
        this.location = location;
        this.reads = reads;
        this.logits = logits;
        this.logitPositions = logitPositions;
        rows = new RowResult?[location.Count];
        BatchRows = batchRows;
        Identity = identity;
    }

    public int Count => rows.Length;
    public IReadOnlyList<RowResult> Rows => [.. Enumerable.Range(0, Count).Select(Row)];
    public RowResult this[int row] => Row(row);

    /// <summary>Session runs the plan took.</summary>
    public int Runs => runs.Count;
    /// <summary>Batch rows run in all (a row some other row reads from may run again in a later session run).</summary>
    public int BatchRows { get; }
    /// <summary>The identity of the compiled rewrite (the session cache key).</summary>
    public string Identity { get; }

    public RowResult Row(int row)
    {
        if (rows[row] is { } done) return done;
        var (run, index) = location[row];
        var outputs = runs[run];
        var cache = new ActivationCache(reads.Select(r => BatchTensors.Take(outputs[r.Value.Tensor], r.Value.BatchAxis, index).Renamed(r.Key)));
        var rowLogits = logits is null ? null : BatchTensors.Take(outputs[logits], 0, index);
        return rows[row] = new RowResult(rowLogits, logitPositions, cache);
    }

    /// <summary>A read hook over every row, in plan order, along its batch axis (no copy when the plan was one run in order).</summary>
    public NamedTensor Stacked(string hook)
    {
        if (!reads.TryGetValue(hook, out var read))
            throw new KeyNotFoundException($"the plan did not read '{hook}'. It read: {string.Join(", ", reads.Keys)}.");
        if (runs.Count == 1 && location.Select((l, i) => l.Index == i).All(x => x) && runs[0][read.Tensor].Shape[read.BatchAxis] == Count)
            return runs[0][read.Tensor].Renamed(hook);
        return BatchTensors.Concat([.. location.Select(l => BatchTensors.Take(runs[l.Run][read.Tensor], read.BatchAxis, l.Index))], read.BatchAxis).Renamed(hook);
    }

    /// <summary>Every read hook over every row, batched.</summary>
    public ActivationCache StackedCache() => new(reads.Keys.Select(Stacked));
}
