using OnnxInterp.Graph;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Rewrites;

/// <summary>A request for one patch point: the tensor to patch, where replacements come from, and which axis is the batch.</summary>
public sealed record PatchRequest(string Tensor, PatchSource Source, int BatchAxis = 0);

/// <summary>
/// Inserts <c>Where(mask, source, original)</c> after each requested tensor and points the tensor's consumers
/// at the result. A graph output that is patched stays the original value; only what is computed from it
/// changes. The tensor's element type must be known (declared, or measured by a type probe).
/// </summary>
public static class InsertPatchPoints
{
    public static RewriteResult Apply(OnnxModel model, IEnumerable<PatchRequest> requests)
    {
        var graph = model.Graph.Clone();
        var points = new List<PatchPoint>();
        foreach (var request in requests.DistinctBy(r => r.Tensor))
            points.Add(Insert(graph, request));
        var identity = $"patch[{string.Join(",", points.Select(p => $"{p.Tensor}:{p.Source}:{p.BatchAxis}"))}]";
        return new RewriteResult(model.WithGraph(graph), [], points, identity);
    }

    static PatchPoint Insert(OnnxGraph graph, PatchRequest request)
    {
        var tensor = request.Tensor;
        if (graph.Producer(tensor) is null && !graph.IsGraphInput(tensor))
            throw new UnknownTensorException(tensor, graph.IsInitializer(tensor) ? "it is a weight (initializer); patch the tensor computed from it instead" : "no node of the graph produces it");
        var type = graph.TypeOf(tensor);
        if (type is null || type.ElementType == ElementType.Undefined)
            throw new GraphException($"cannot patch '{tensor}': its element type is not declared in the file. Measure types first (TypeProbe.Fill) so the patch inputs can be typed.");
        if (type.Rank is { } rank && (request.BatchAxis < 0 || request.BatchAxis >= rank))
            throw new GraphException($"cannot patch '{tensor}': batch axis {request.BatchAxis} is outside its rank {rank}.");

        var point = new PatchPoint(tensor, request.Source, type, request.BatchAxis);
        graph.AddInput(point.MaskInput, new TensorType(ElementType.Bool, null));
        string source;
        switch (request.Source)
        {
            case PatchSource.Fed:
                graph.AddInput(point.SourceInput!, type with { Shape = null });
                source = point.SourceInput!;
                break;
            case PatchSource.Zero:
                source = "patch_zero:" + tensor;
                graph.AddInitializer(InsertWritePoints.Zero(source, type.ElementType));
                break;
            case PatchSource.Rows:
                graph.AddInput(point.RowsInput!, new TensorType(ElementType.Int64, [Dim.Unknown]));
                source = "patch_gathered:" + tensor;
                graph.AddNode(new Node("Gather", [tensor, point.RowsInput!], [source], $"patch:{tensor}/Gather",
                    attributes: [new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = request.BatchAxis }]));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(request));
        }
        var where = new Node("Where", [point.MaskInput, source, tensor], [point.PatchedTensor], $"patch:{tensor}/Where");
        var gather = graph.Producer(source);
        graph.AddNode(where);
        graph.RedirectConsumers(tensor, point.PatchedTensor, gather is null ? [where] : [where, gather]);
        graph.SetType(point.PatchedTensor, type);
        return point;
    }
}
