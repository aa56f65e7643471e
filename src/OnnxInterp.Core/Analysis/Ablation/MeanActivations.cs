using OnnxInterp.Analysis.Engine;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis.Ablation;

/// <summary>
/// Mean activations over a dataset, for mean ablation: one engine plan that reads the hooks from every dataset row
/// (run in batches grouped by length), each hook's values averaged in double over the batch axis and, unless <c>perPosition</c>, the
/// <c>pos</c> axis. The result keeps reduced axes as size 1, so it broadcasts against the hook in a patch point.
/// </summary>
public static class MeanActivations
{
    public static IReadOnlyDictionary<string, NamedTensor> Compute(HookedModel model, IEnumerable<string> hooks,
        IReadOnlyList<IReadOnlyList<long>> dataset, bool perPosition = false, InterventionOptions? options = null)
    {
        if (dataset.Count == 0) throw new ArgumentException("mean ablation needs a dataset of at least one prompt.");
        if (perPosition && dataset.Any(r => r.Count != dataset[0].Count))
            throw new ArgumentException("a per-position mean needs every dataset prompt to have the same length.");
        var points = model.Prepare(hooks.Distinct()).Points;
        using var engine = new InterventionEngine(model, options);
        var result = engine.Run(new InterventionPlan([.. dataset.Select(r => new PlanRow(r))], [.. points.Select(p => p.Name.Value)], LogitReads.None));
        var sums = new Dictionary<string, (double[] Sum, long[] Shape, long Count)>(StringComparer.Ordinal);
        for (int i = 0; i < dataset.Count; i++)
            foreach (var point in points)
                Accumulate(sums, point, result[i][point.Name], perPosition);
        return points.ToDictionary(p => p.Name.Value, p =>
        {
            var (sum, shape, count) = sums[p.Name];
            return NamedTensor.Float(p.Name, shape, [.. sum.Select(v => (float)(v / count))]);
        }, StringComparer.Ordinal);
    }

    static void Accumulate(Dictionary<string, (double[] Sum, long[] Shape, long Count)> sums, HookPoint point, NamedTensor value, bool perPosition)
    {
        if (value.Shape.Length != point.Layout.Rank)
            throw new ArgumentException($"hook '{point.Name}' has layout {point.Layout} but its tensor has shape [{string.Join(", ", value.Shape)}].");
        var reduced = point.Layout.Axes.Select(a => a == "batch" || a == "pos" && !perPosition).ToArray();
        var shape = value.Shape.Select((d, i) => reduced[i] ? 1 : d).ToArray();
        long size = shape.Aggregate(1L, (a, b) => a * b);
        if (!sums.TryGetValue(point.Name, out var entry))
            entry = (new double[size], shape, 0);
        else if (!entry.Shape.SequenceEqual(shape))
            throw new ArgumentException($"hook '{point.Name}': dataset prompts give shapes [{string.Join(", ", entry.Shape)}] and [{string.Join(", ", shape)}]; a per-position mean needs prompts of one length.");
        var data = value.ToFloats();
        int rank = shape.Length;
        var index = new long[rank];
        for (long flat = 0; flat < data.LongLength; flat++)
        {
            long target = 0;
            for (int i = 0; i < rank; i++) target = target * shape[i] + (reduced[i] ? 0 : index[i]);
            entry.Sum[target] += data[flat];
            for (int d = rank - 1; d >= 0 && ++index[d] == value.Shape[d]; d--) index[d] = 0;
        }
        long reducedCount = value.Shape.Where((_, i) => reduced[i]).Aggregate(1L, (a, b) => a * b);
        sums[point.Name] = (entry.Sum, shape, entry.Count + reducedCount);
    }
}
