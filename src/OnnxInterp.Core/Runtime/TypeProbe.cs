using OnnxInterp.Graph;
using OnnxInterp.Rewrites;

namespace OnnxInterp.Runtime;

/// <summary>
/// Measures the element type and shape of every intermediate tensor by running the model with every tensor
/// exposed, twice at different sizes: an axis that changes between the runs is dynamic, one that does not is
/// fixed. Declared shapes in real exports can be wrong; measured ones are what the graph computes.
/// </summary>
public static class TypeProbe
{
    /// <summary>Returns the measured types (Unknown dims for dynamic axes) of every tensor the graph computes.</summary>
    public static IReadOnlyDictionary<string, TensorType> Measure(OnnxModel model, Device device = Device.Cpu) => Probe(model, device).Types;

    /// <summary>
    /// Measured types, and each tensor's batch axis: the one axis that follows input_ids' batch size when only that
    /// changes (-1: none, the tensor is the same for any batch; -2: it depends on the batch size otherwise, like a
    /// shape computed from it). Graph inputs are included. Batch axes are empty when input_ids has no batch symbol.
    /// Kept on disk per model graph (<see cref="ProbeCache"/>), so a later process skips the measuring runs.
    /// </summary>
    public static ProbeResult Probe(OnnxModel model, Device device = Device.Cpu) => ProbeCache.GetOrProbe(model, () => Measured(model, device));

    /// <summary>The measuring runs themselves, without the cache.</summary>
    internal static ProbeResult Measured(OnnxModel model, Device device)
    {
        var tensors = model.Graph.IntermediateTensors.Where(t => !t.Contains("::")).ToList();
        var exposed = Expose.Apply(model, tensors).Model;
        // Every tensor is an output, so there is little to fuse; optimising would only slow the one-off session down.
        using var compiled = SessionFactory.Compile(exposed, device, optimise: false);
        var smallFeeds = DefaultFeeds.For(model.Graph, 2);
        var small = compiled.Run(smallFeeds);
        IReadOnlyDictionary<string, NamedTensor>? large = null;
        try { large = compiled.Run(DefaultFeeds.For(model.Graph, 3)); }
        catch (ExecutionException) { /* a model with fixed input sizes: every axis counts as fixed */ }
        var types = new Dictionary<string, TensorType>(StringComparer.Ordinal);
        foreach (var (name, a) in small)
        {
            var b = large?.GetValueOrDefault(name);
            var dims = a.Shape.Select((d, i) => b is null || b.Shape.Length == a.Shape.Length && b.Shape[i] == d ? Dim.Of(d) : Dim.Unknown).ToList();
            types[name] = new TensorType(a.ElementType, dims);
        }
        return new ProbeResult(types, BatchAxes(model, compiled, smallFeeds, small));
    }

    static Dictionary<string, int> BatchAxes(OnnxModel model, CompiledModel compiled, IReadOnlyList<NamedTensor> smallFeeds, IReadOnlyDictionary<string, NamedTensor> small)
    {
        var axes = new Dictionary<string, int>(StringComparer.Ordinal);
        if (model.Graph.TypeOf(TokenFeeds.InputIds)?.Shape is not { Count: 2 } ids || ids[0].Param is not { } batch) return axes;
        var widerFeeds = DefaultFeeds.For(model.Graph, 2, new Dictionary<string, long> { [batch] = 3 });
        IReadOnlyDictionary<string, NamedTensor> wider;
        try { wider = compiled.Run(widerFeeds); }
        catch (ExecutionException) { return axes; }
        foreach (var (name, a) in small.Concat(smallFeeds.Select(f => KeyValuePair.Create(f.Name, f))))
            if ((wider.GetValueOrDefault(name) ?? widerFeeds.FirstOrDefault(f => f.Name == name)) is { } b)
                axes[name] = BatchAxis(a, b);
        return axes;
    }

    /// <summary>The axis that grew with the batch, -1 when nothing changed, -2 when something else did.</summary>
    static int BatchAxis(NamedTensor small, NamedTensor wider)
    {
        if (small.Shape.Length != wider.Shape.Length) return -2;
        var grown = Enumerable.Range(0, small.Shape.Length).Where(i => small.Shape[i] != wider.Shape[i]).ToList();
        // Exactly 2 -> 3: an axis of batch x positions (4 -> 6) is not a batch axis.
        if (grown.Count == 1) return small.Shape[grown[0]] == 2 && wider.Shape[grown[0]] == 3 ? grown[0] : -2;
        if (grown.Count > 1) return -2;
        // Shapes computed from the batch size change value, not shape; float activations of one shape cannot.
        bool integral = small.ElementType is ElementType.Int64 or ElementType.Int32;
        return integral && !small.Data.Cast<object>().SequenceEqual(wider.Data.Cast<object>()) ? -2 : -1;
    }

    /// <summary>A copy of the model whose undeclared tensors carry their measured element types (shapes left open, so any batch size runs).</summary>
    public static OnnxModel Fill(OnnxModel model, Device device = Device.Cpu)
    {
        var missing = model.Graph.IntermediateTensors.Where(t => model.Graph.TypeOf(t) is not { ElementType: not ElementType.Undefined }).ToList();
        if (missing.Count == 0) return model;
        return Fill(model, Measure(model, device));
    }

    /// <summary>As <see cref="Fill(OnnxModel, Device)"/> with types already measured.</summary>
    public static OnnxModel Fill(OnnxModel model, IReadOnlyDictionary<string, TensorType> measured)
    {
        var missing = model.Graph.IntermediateTensors.Where(t => model.Graph.TypeOf(t) is not { ElementType: not ElementType.Undefined }).ToList();
        if (missing.Count == 0) return model;
        var graph = model.Graph.Clone();
        foreach (var t in missing)
            if (measured.TryGetValue(t, out var type))
                graph.SetType(t, type with { Shape = null });
        return model.WithGraph(graph);
    }
}

/// <summary>What <see cref="TypeProbe.Probe"/> measured: every tensor's type, and batch axes (see there).</summary>
public sealed record ProbeResult(IReadOnlyDictionary<string, TensorType> Types, IReadOnlyDictionary<string, int> BatchAxes);
