using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis.Engine;

public sealed partial class InterventionEngine
{
    readonly Dictionary<string, IReadOnlyList<OnnxModel>> cuts = new(StringComparer.Ordinal);

    /// <summary>
    /// Runs the rows (one batch, equal lengths) with C# functions at hooks: the graph is cut at the hooks' tensors into
    /// consecutive segments (each compiled once per set of cut points and cached like any rewrite); a segment ends at a
    /// hook, its function runs on the host, and the next segment takes the returned value as an input. Functions on one
    /// hook run in the order given. Returns the logits [batch, pos, vocab], or the output named by
    /// <see cref="InterventionOptions.Output"/>.
    /// </summary>
    public NamedTensor RunWithHooks(IReadOnlyList<IReadOnlyList<long>> rows, IReadOnlyList<(string Hook, HookFunction Function)> hooks)
    {
        if (rows.Count == 0) throw new ArgumentException("no rows to run.");
        if (rows.Any(r => r.Count != rows[0].Count)) throw new ArgumentException("every row of a hooked run must have the same number of tokens.");
        var ready = hooks.Count == 0 ? Model : Model.Prepare(hooks.Select(h => h.Hook).Distinct()).Model;
        var points = hooks.Select(h => ready.Map[h.Hook]).ToList();
        // Derived and layout-fix nodes are appended to the node list, so order hooks by a real topological order.
        var order = ready.Model.Graph.Clone().TopologicalSort().Nodes.Select((n, i) => (n, i)).SelectMany(p => p.n.Outputs.Select(o => (o, p.i)))
            .GroupBy(p => p.o).ToDictionary(g => g.Key, g => g.First().i, StringComparer.Ordinal);
        var tensors = points.Select(p => p.Tensor).Distinct().OrderBy(t => order.GetValueOrDefault(t, -1)).ToList();
        var output = Options.Output ?? (ready.Map.TryGet("logits", out var logits) ? logits.Tensor
            : throw new ArgumentException("the model has no logits: its hook map has no 'logits' hook. Name the output to return with InterventionOptions.Output."));

        string key = $"cut|{string.Join(";", ready.Changes)}|{string.Join(",", tensors)}";
        if (!cuts.TryGetValue(key, out var segments)) cuts[key] = segments = Segments(Typed(ready), tensors);
        var pool = BatchFeeds.For(ready.Model.Graph, rows).ToDictionary(f => f.Name, StringComparer.Ordinal);
        for (int k = 0; k < segments.Count; k++)
        {
            var segment = segments[k];
            var compiled = sessions.Get($"{key}|segment {k}", () => segment);
            Device = compiled.Device;
            var graph = segment.Graph;
            var inputs = graph.Inputs.Where(i => !graph.IsInitializer(i)).Select(i => pool.TryGetValue(i, out var v) ? v.Renamed(i)
                : throw new InvalidOperationException($"segment {k} needs '{i}', which no earlier segment computed.")).ToList();
            foreach (var (name, value) in compiled.Run(inputs)) pool[name] = value;
            if (k == tensors.Count) break;
            var tensor = tensors[k];
            for (int h = 0; h < hooks.Count; h++)
                if (points[h].Tensor == tensor)
                    pool[tensor] = Call(hooks[h].Function, points[h], pool[tensor], rows).Renamed(tensor);
        }
        return pool.TryGetValue(output, out var result) ? result
            : throw new ArgumentException($"the model computes no output '{output}'.");
    }

    static NamedTensor Call(HookFunction function, HookPoint point, NamedTensor value, IReadOnlyList<IReadOnlyList<long>> rows)
    {
        NamedTensor returned;
        try { returned = function(value.Renamed(point.Name), new HookContext(point, rows)); }
        catch (Exception e) { throw new HookFunctionException($"the hook function on '{point.Name}' failed: {e.Message}", e); }
        if (returned is null) throw new HookFunctionException($"the hook function on '{point.Name}' returned nothing; return the value (changed or not).");
        if (returned.ElementType != value.ElementType || !returned.Shape.SequenceEqual(value.Shape))
            throw new HookFunctionException($"the hook function on '{point.Name}' returned {returned.ElementType.ToString().ToLowerInvariant()}[{string.Join(", ", returned.Shape)}] " +
                $"but the hook is {value.ElementType.ToString().ToLowerInvariant()}[{string.Join(", ", value.Shape)}] {point.Layout}; return a value of the same shape and type.");
        return returned;
    }

    /// <summary>The graph cut at each tensor in turn: one prefix per tensor, then what is left.</summary>
    static List<OnnxModel> Segments(OnnxModel model, IReadOnlyList<string> tensors)
    {
        var segments = new List<OnnxModel>();
        foreach (var tensor in tensors)
        {
            var cut = GraphCut.At(model, tensor);
            segments.Add(cut.Prefix);
            model = cut.Suffix;
        }
        segments.Add(model);
        return segments;
    }
}
