using OnnxInterp.Graph;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Rewrites;

/// <summary>
/// Makes a rewritten graph's declarations complete, as <c>onnx.checker</c> requires of a file: every graph output and
/// every patch input declares an element type and a shape, and no value_info entry is left without a type. Types come
/// from the file or from measured types (a type probe); a dynamic axis gets a symbolic name of its own
/// (<c>TENSOR_dim2</c>), and a patch mask or source has the patched tensor's rank with a symbolic name per axis, so
/// any size that broadcasts (1 or the tensor's size) can be fed.
/// </summary>
public static class DeclareTypes
{
    public static OnnxModel Apply(OnnxModel model, IReadOnlyDictionary<string, TensorType> measured, IReadOnlyList<PatchPoint> points)
    {
        var graph = model.Graph.Clone();
        TensorType? Known(string tensor) =>
            graph.TypeOf(tensor) is { ElementType: not ElementType.Undefined, Shape: not null } declared ? declared
            : measured.GetValueOrDefault(tensor) ?? (graph.TypeOf(tensor) is { ElementType: not ElementType.Undefined } t ? t : null);

        foreach (var point in points)
        {
            var type = Known(point.Tensor) ?? point.Type;
            int? rank = type.Rank ?? point.Type.Rank;
            if (rank is not int r) continue;
            graph.SetType(point.MaskInput, new TensorType(ElementType.Bool, Axes(point.MaskInput, r)));
            if (point.SourceInput is { } source) graph.SetType(source, new TensorType(type.ElementType, Axes(source, r)));
            if (point.RowsInput is { } rows) graph.SetType(rows, new TensorType(ElementType.Int64, Axes(rows, 1)));
            if (graph.IsGraphOutput(point.PatchedTensor)) graph.SetType(point.PatchedTensor, Named(point.PatchedTensor, type));
        }
        foreach (var output in graph.Outputs)
            if (graph.TypeOf(output) is not { ElementType: not ElementType.Undefined, Shape: not null } && Known(output) is { Shape: not null } type)
                graph.SetType(output, Named(output, type));
        // An intermediate declared without a type (or without a shape) tells readers nothing, and the checker refuses it.
        var declared = new HashSet<string>(graph.Inputs.Concat(graph.Outputs), StringComparer.Ordinal);
        foreach (var (name, info) in graph.ValueInfos.ToList())
        {
            if (declared.Contains(name)) continue;
            if (info.Type?.TensorType is { ElemType: not 0, Shape: not null }) continue;
            if (Known(name) is { Shape: not null } type) graph.SetType(name, Named(name, type));
            else graph.MutableValueInfos.Remove(name);
        }
        return model.WithGraph(graph);
    }

    static IReadOnlyList<Dim> Axes(string input, int rank) => [.. Enumerable.Range(0, rank).Select(i => Dim.Named($"{input}_dim{i}"))];

    static TensorType Named(string tensor, TensorType type) =>
        type with { Shape = type.Shape?.Select((d, i) => d.Value is null && d.Param is null ? Dim.Named($"{tensor}_dim{i}") : d).ToList() };
}
