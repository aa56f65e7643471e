using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis;

/// <summary>
/// Reads chosen hooks from batches of token rows: the hooks are derived if needed and exposed once, the rewritten model is
/// compiled once, and every <see cref="Run"/> is one session run. Rows of different lengths are right-padded with
/// <see cref="PadToken"/> to the longest; in a causal model a position never sees later ones, so each row's values at its
/// own positions are exactly those of running it alone (values at padded positions are meaningless). Owns its session.
/// </summary>
public sealed class HookCapture : IDisposable
{
    readonly CompiledModel compiled;
    readonly Dictionary<string, string> tensorOf;

    /// <param name="hooks">Hook names or globs; pending derived hooks (e.g. <c>attn.hook_result</c>) are derived first.</param>
    public HookCapture(HookedModel model, IEnumerable<string> hooks, Device device = Device.Auto, Action<string>? log = null, int padToken = 0)
    {
        var (ready, points) = model.Prepare(hooks);
        Points = points;
        Map = ready.Map;
        tensorOf = points.ToDictionary(p => p.Name.Value, p => p.Tensor, StringComparer.Ordinal);
        PadToken = padToken;
        compiled = SessionFactory.Compile(Rewrites.Expose.Apply(ready.Model, points.Select(p => p.Tensor)).Model, device, log);
        Causal = Map.Config.Causal;
    }

    /// <summary>The captured hooks, in forward order, with the tensors and layouts they were read from.</summary>
    public IReadOnlyList<HookPoint> Points { get; }
    /// <summary>The hook map of the compiled model (derived hooks resolved).</summary>
    public HookMap Map { get; }
    public int PadToken { get; }
    public bool Causal { get; }
    public Device Device => compiled.Device;

    /// <summary>
    /// Runs the rows as one batch and returns every captured hook by hook name, shaped as its layout says with
    /// batch = rows.Count and pos = the longest row. Fails if rows differ in length and the model is not causal.
    /// </summary>
    public IReadOnlyDictionary<string, NamedTensor> Run(IReadOnlyList<IReadOnlyList<int>> rows)
    {
        if (rows.Count == 0) throw new ArgumentException("no rows to run.", nameof(rows));
        int length = rows.Max(r => r.Count);
        if (Map.Config.NCtx > 0 && length > Map.Config.NCtx)
            throw new FeedException($"a sequence of {length} tokens does not fit the model's context window of {Map.Config.NCtx} positions; use shorter inputs.");
        if (!Causal && rows.Any(r => r.Count != length))
            throw new ArgumentException("rows of different lengths can only share a batch in a causal model; run them one at a time.", nameof(rows));
        var graph = compiled.Model.Graph;
        var perRow = rows.Select(r => TokenFeeds.For(graph, [.. r.Select(t => (long)t), .. Enumerable.Repeat((long)PadToken, length - r.Count)])).ToList();
        var feeds = perRow[0].Select((f, i) => Stack(graph, perRow.Select(row => row[i]).ToList())).ToList();
        var outputs = compiled.Run(feeds, tensorOf.Values.Distinct());
        return tensorOf.ToDictionary(p => p.Key, p => outputs[p.Value].Renamed(p.Key), StringComparer.Ordinal);
    }

    /// <summary>
    /// Concatenates batch-1 feeds along their batch axis: the axis declared with the same symbol as input_ids' batch
    /// (e.g. axis 1 of a past input [2, batch, heads, past, d_head]), else axis 0 when it is 1; other feeds are shared.
    /// </summary>
    static NamedTensor Stack(OnnxGraph graph, IReadOnlyList<NamedTensor> parts)
    {
        var first = parts[0];
        int axis = BatchAxis(graph, first);
        if (parts.Count == 1 || axis < 0) return first;
        long outer = first.Shape[..axis].Aggregate(1L, (a, b) => a * b), inner = first.Count / outer;
        var data = Array.CreateInstance(first.Data.GetType().GetElementType()!, first.Count * parts.Count);
        for (long o = 0; o < outer; o++)
            for (int i = 0; i < parts.Count; i++)
                Array.Copy(parts[i].Data, o * inner, data, (o * parts.Count + i) * inner, inner);
        var shape = (long[])first.Shape.Clone();
        shape[axis] = parts.Count;
        return new NamedTensor(first.Name, first.ElementType, shape, data);
    }

    static int BatchAxis(OnnxGraph graph, NamedTensor feed)
    {
        var batch = graph.TypeOf(TokenFeeds.InputIds)?.Shape is { Count: 2 } ids ? ids[0].Param : null;
        if (batch is not null && graph.TypeOf(feed.Name)?.Shape is { } shape && shape.Count == feed.Shape.Length)
            for (int a = 0; a < shape.Count; a++)
                if (shape[a].Param == batch) return a;
        return feed.Shape.Length > 0 && feed.Shape[0] == 1 ? 0 : -1;
    }

    public void Dispose() => compiled.Dispose();
}
