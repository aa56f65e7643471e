using OnnxInterp.Graph;
using OnnxInterp.Hooks.Recognition;
using OnnxInterp.Rewrites;

namespace OnnxInterp.Hooks;

/// <summary>
/// A model together with its hook map. <see cref="Model"/> may differ from the file read: a generation pipeline
/// (com.microsoft BeamSearch/GreedySearch) is replaced by its decoder subgraph, ONNX Runtime-only ops are
/// unfused on load (com.microsoft Attention, SkipLayerNormalization, EmbedLayerNormalization, FastGelu, …, and
/// LayerNormalization before opset 17) and layout fixes are inserted, always with the same weights. Derived hooks (<c>attn.hook_result</c>, <c>hook_q_input</c>, … and the
/// LayerNorm scale of a fused LayerNormalization) cost extra compute, so they are added only on request by
/// <see cref="WithDerived"/>, which returns a new HookedModel. Immutable.
/// </summary>
public sealed class HookedModel
{
    HookedModel(OnnxModel model, HookMap map, IReadOnlyList<string> changes)
    {
        Model = model;
        Map = map;
        Changes = changes;
    }

    public OnnxModel Model { get; }
    public HookMap Map { get; }
    /// <summary>What was rewritten on the way from the file to <see cref="Model"/> (for <c>inspect</c>), in order.</summary>
    public IReadOnlyList<string> Changes { get; }

    /// <summary>Loads a model and builds its hook map: read from <paramref name="hookMapFile"/> if given, else recognised.</summary>
    public static HookedModel Load(string path, string? hookMapFile = null) => From(OnnxModel.Load(path), hookMapFile);

    /// <summary>
    /// Builds the hook map of an already loaded model: read from <paramref name="hookMapFile"/> (docs/hooks.md) if given,
    /// otherwise recognised by op pattern. Throws <see cref="UnrecognisedModelException"/> naming what was found.
    /// </summary>
    public static HookedModel From(OnnxModel model, string? hookMapFile = null)
    {
        var changes = new List<string>();
        model = GenerationDecoder.Lift(model, changes); // a BeamSearch/GreedySearch pipeline is analysed as its decoder
        var lifted = changes.Count > 0 ? changes[0] : null;
        if (hookMapFile is not null) return new HookedModel(model, HookMap.FromJson(hookMapFile, model), changes);

        var described = model; // the diagnosis describes the file, or its no-past branch for a merged decoder
        Decoder decoder;
        try
        {
            model = described = MergedDecoder.InlineNoPastBranch(model, changes);
            model = Normalise(model, changes);
            decoder = DecoderRecogniser.Recognise(new GraphQuery(model));
        }
        // A fused op that cannot be unfused (GraphException) leaves the model as unhookable as an unrecognised one.
        catch (Exception e) when (e is RecognitionException or GraphException)
        {
            var reason = lifted is null ? e.Message : $"{e.Message.TrimEnd('.')} (in the generation pipeline's decoder: {lifted})";
            throw new UnrecognisedModelException(Diagnosis.Explain(new GraphQuery(described), reason));
        }
        var hooked = new HookedModel(model, new HookMapBuilder(model.Graph, decoder).Build(), changes);
        // Layout fixes are cheap and keep each hook's layout promise, so they are applied at once.
        return hooked.Map.Points.Any(p => p.Kind == HookKind.Layout && p.IsPending)
            ? hooked.Materialise(hooked.Map.Points.Where(p => p.Kind == HookKind.Layout))
            : hooked;
    }

    /// <summary>
    /// A HookedModel in which every derived hook matching the patterns (globs such as <c>blocks.*.attn.hook_result</c>)
    /// exists; hooks they recompute (e.g. <c>hook_attn_out</c>, <c>attn.hook_q</c>) move to the new tensors so patches
    /// take effect downstream. Patterns matching only hooks that exist already return this model unchanged.
    /// </summary>
    public HookedModel WithDerived(params string[] patterns) => Materialise(Map.Select(patterns));

    /// <summary>
    /// Resolves hook names or globs to hook points whose tensors exist, deriving what is needed: the model to compile
    /// and the points (tensor and layout) to expose or patch. The one call a command needs for <c>--hooks</c>.
    /// </summary>
    public (HookedModel Model, IReadOnlyList<HookPoint> Points) Prepare(IEnumerable<string> patterns)
    {
        var list = patterns.ToList();
        var ready = WithDerived([.. list]);
        return (ready, ready.Map.Select(list));
    }

    /// <summary>Exposes the hooks matching the patterns as graph outputs (named by their tensors); derives them first if needed.</summary>
    public (RewriteResult Result, IReadOnlyList<HookPoint> Points) Expose(params string[] patterns)
    {
        var (ready, points) = Prepare(patterns);
        return (Rewrites.Expose.Apply(ready.Model, points.Select(p => p.Tensor)), points);
    }

    /// <summary>
    /// This model after a rewrite that kept every hook's tensor and added new ones (the residual edges of path
    /// patching): <paramref name="added"/> join the hook map and <paramref name="change"/> the list of changes.
    /// </summary>
    public HookedModel WithRewrite(OnnxModel rewritten, IEnumerable<HookPoint> added, string change) =>
        new(rewritten, Map.With(added), [.. Changes, change]);

    HookedModel Materialise(IEnumerable<HookPoint> selected)
    {
        var derivations = selected.Where(p => p.IsPending).Select(p => p.Derivation!).Distinct().ToList();
        if (derivations.Count == 0) return this;
        var model = Model;
        var changes = new List<string>(Changes);
        var updates = new Dictionary<string, HookPoint>(StringComparer.Ordinal);
        foreach (var batch in derivations.GroupBy(d => d.GetType()).OrderBy(g => g.First().Order))
        {
            var list = batch.ToList();
            model = list[0].ApplyBatch(model, list);
            foreach (var d in list)
            {
                foreach (var (hook, tensor) in d.Provides)
                    updates[hook] = (updates.GetValueOrDefault(hook) ?? Map[hook]) with { Tensor = tensor, Derivation = null };
                foreach (var (hook, tensor) in d.Moves)
                    if (Map.TryGet(hook, out var moved))
                        updates[hook] = (updates.GetValueOrDefault(hook) ?? moved) with
                        {
                            Tensor = tensor,
                            Note = $"recomputed by a derived hook ({string.Join(", ", d.Provides.Keys)}); the export's own tensor is '{moved.Tensor}'",
                        };
            }
            changes.Add($"derived {string.Join(", ", list.SelectMany(d => d.Provides.Keys))}");
        }
        return new HookedModel(model, Map.With(updates.Values), changes);
    }

    /// <summary>
    /// ONNX Runtime-only ops (com.microsoft fused attention, LayerNorm, GELU; LayerNormalization before opset 17)
    /// become standard ops with the same weights (<see cref="UnfuseFusedOps"/>), so their insides can be hooked.
    /// </summary>
    static OnnxModel Normalise(OnnxModel model, List<string> changes)
    {
        long opset = model.Opset();
        var fused = model.Graph.Nodes
            .Where(n => n.Domain == "com.microsoft" || DerivedLayerNorm.IsLayerNormalization(n) && opset < 17 || n.OpType == "SimplifiedLayerNormalization")
            .Select(n => $"{(n.Domain.Length > 0 ? n.Domain + "." : "")}{n.OpType}").Distinct().ToList();
        if (fused.Count == 0) return model;
        changes.Add($"unfused ONNX Runtime-only ops into standard ops: {string.Join(", ", fused)}");
        return UnfuseFusedOps.Apply(model).Model;
    }
}
