using OnnxInterp.Graph;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis.Engine;

/// <summary>
/// Feeds for a batch of equal-length token rows: <see cref="TokenFeeds"/> builds the batch-1 feeds of the first row
/// (attention mask, position ids, empty past), then each is repeated along its batch axis (the axis carrying
/// input_ids' batch symbol, e.g. axis 1 of an ORT past input [2, batch, heads, past, d]) and input_ids gets every row.
/// </summary>
public static class BatchFeeds
{
    /// <summary>Every input but patch inputs and <paramref name="fedElsewhere"/>, for these rows (all of one length).</summary>
    public static List<NamedTensor> For(OnnxGraph graph, IReadOnlyList<IReadOnlyList<long>> rows, IEnumerable<string>? fedElsewhere = null)
    {
        var idsType = graph.TypeOf(TokenFeeds.InputIds);
        if (idsType?.Shape is { Count: 1 })
            throw new ArgumentException($"'{TokenFeeds.InputIds}' is declared with one axis (no batch), so prompts cannot be rows of one batch.");
        var patchInputs = graph.Inputs.Where(IsPatchInput).Concat(fedElsewhere ?? []);
        var single = TokenFeeds.For(graph, rows[0], patchInputs);
        var feeds = new List<NamedTensor>(single.Count);
        foreach (var feed in single)
        {
            if (feed.Name == TokenFeeds.InputIds)
            {
                feeds.Add(Ids(feed, rows));
                continue;
            }
            int axis = DeclaredBatchAxis(graph, feed.Name) is var declared and >= 0 ? declared : feed.Shape.Length >= 2 && feed.Shape[0] == 1 ? 0 : -1;
            feeds.Add(axis < 0 ? feed : BatchTensors.Repeat(feed, axis, rows.Count));
        }
        return feeds;
    }

    /// <summary>True for the inputs of patch and write points (masks, sources, rows), which the caller feeds.</summary>
    public static bool IsPatchInput(string name) =>
        name.StartsWith(PatchPoint.MaskPrefix, StringComparison.Ordinal) || name.StartsWith(PatchPoint.RowsPrefix, StringComparison.Ordinal)
        || name.StartsWith(PatchPoint.SourcePrefix, StringComparison.Ordinal);

    static NamedTensor Ids(NamedTensor single, IReadOnlyList<IReadOnlyList<long>> rows)
    {
        int n = rows[0].Count;
        long[] shape = [rows.Count, n];
        var flat = rows.SelectMany(r => r).ToArray();
        return single.ElementType == ElementType.Int32
            ? new NamedTensor(single.Name, ElementType.Int32, shape, flat.Select(v => (int)v).ToArray())
            : new NamedTensor(single.Name, ElementType.Int64, shape, flat);
    }

    /// <summary>
    /// The axis of a tensor declared with input_ids' batch symbol (axis 1 of an ORT past [2, batch, ...]), else one whose
    /// symbol names a batch; -1 when the declaration says neither.
    /// </summary>
    public static int DeclaredBatchAxis(OnnxGraph graph, string tensor)
    {
        if (graph.TypeOf(tensor)?.Shape is not { } shape) return -1;
        var batchSymbol = graph.TypeOf(TokenFeeds.InputIds)?.Shape is { Count: 2 } ids ? ids[0].Param : null;
        for (int i = 0; i < shape.Count; i++)
            if (batchSymbol is not null && shape[i].Param == batchSymbol) return i;
        for (int i = 0; i < shape.Count; i++)
            if (shape[i].Param is { } p && p.Contains("batch", StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }
}
