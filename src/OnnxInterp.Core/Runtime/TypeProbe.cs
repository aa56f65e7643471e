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
    public static IReadOnlyDictionary<string, TensorType> Measure(OnnxModel model, Device device = Device.Cpu)
    {
        var tensors = model.Graph.IntermediateTensors.Where(t => !t.Contains("::")).ToList();
        var exposed = Expose.Apply(model, tensors).Model;
        using var compiled = SessionFactory.Compile(exposed, device);
        var small = compiled.Run(DefaultFeeds.For(model.Graph, 2));
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
        return types;
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
