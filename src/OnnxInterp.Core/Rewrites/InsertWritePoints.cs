using OnnxInterp.Graph;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Rewrites;

/// <summary>Where one slot of a write point takes its values from.</summary>
public enum SlotKind
{
    /// <summary>Zeros.</summary>
    Zero,
    /// <summary>A fed tensor (broadcast to the patched tensor): a mean, a cached activation.</summary>
    Fed,
    /// <summary>The original value plus a fed tensor: a steering vector.</summary>
    Add,
    /// <summary>Another row of the batch: <c>Gather(original, rows, axis = batch)</c>.</summary>
    Rows,
}

/// <summary>
/// A write point to insert: the tensor, its batch axis, its slots in priority order (a slot kind may repeat, e.g.
/// two <see cref="SlotKind.Rows"/> slots let one batch row take two heads from two different rows), and optionally
/// a receiver tensor: then only the consumers of <paramref name="Tensor"/> from which the receiver can be reached read
/// the result (a receiver-restricted write); null redirects every consumer.
/// </summary>
public sealed record WriteRequest(string Tensor, int BatchAxis, IReadOnlyList<SlotKind> Slots, string? Receiver = null)
{
    /// <summary>Tells apart write points on one tensor: the receiver's name, or empty.</summary>
    public string Tag => Receiver ?? "";
}

/// <summary>The graph inputs of one slot: its bool mask, and its fed values (Fed, Add) or row indices (Rows).</summary>
public sealed record WriteSlot(SlotKind Kind, string Mask, string? Source, string? Rows);

/// <summary>An inserted write point: <see cref="Output"/> = slot 0 where its mask is set, else slot 1, ..., else the original.</summary>
public sealed record WritePoint(string Tensor, string Tag, int BatchAxis, TensorType Type, IReadOnlyList<WriteSlot> Slots, string Output);

/// <summary>
/// Inserts nested <c>Where(mask_j, value_j, ...)</c> chains on tensors, the engine's general patch point: with every
/// mask false the result is the original tensor, bit for bit. Each slot has its own mask (bool, broadcastable to the
/// tensor), so different rows, heads or positions can take different sources in one run. A receiver-restricted write
/// point redirects only the consumers that lead to its receiver; every other consumer keeps reading the original
/// value. Restricted requests are inserted first, so an unrestricted one on the same tensor applies beneath them. Input names use
/// the <see cref="PatchPoint"/> prefixes, so token feeds leave them for the caller (or feed them inactive).
/// </summary>
public static class InsertWritePoints
{
    public static (OnnxModel Model, IReadOnlyList<WritePoint> Points) Apply(OnnxModel model, IEnumerable<WriteRequest> requests)
    {
        var graph = model.Graph.Clone();
        var points = requests.OrderBy(r => r.Receiver is null).Select(r => Insert(graph, r)).ToList();
        return (model.WithGraph(graph), points);
    }

    static WritePoint Insert(OnnxGraph graph, WriteRequest request)
    {
        var tensor = request.Tensor;
        if (graph.Producer(tensor) is null && !graph.IsGraphInput(tensor))
            throw new UnknownTensorException(tensor, graph.IsInitializer(tensor) ? "it is a weight (initializer); write to the tensor computed from it instead" : "no node of the graph produces it");
        var type = graph.TypeOf(tensor);
        if (type is null || type.ElementType == ElementType.Undefined)
            throw new GraphException($"cannot write to '{tensor}': its element type is not declared in the file. Measure types first (TypeProbe.Fill) so the write inputs can be typed.");
        if (type.Rank is { } rank && (request.BatchAxis < 0 || request.BatchAxis >= rank))
            throw new GraphException($"cannot write to '{tensor}': batch axis {request.BatchAxis} is outside its rank {rank}.");
        if (request.Slots.Count == 0) throw new ArgumentException($"a write point on '{tensor}' needs at least one slot.");

        var readers = request.Receiver is null ? graph.Consumers(tensor).ToList() : ReadersLeadingTo(graph, tensor, request.Receiver);

        string stem = Stem(request);
        var openShape = type.Rank is { } r ? Enumerable.Repeat(Dim.Unknown, r).ToList() : null;
        var slots = Names(request);
        var values = new List<string>();
        string? zero = null;
        for (int j = 0; j < slots.Count; j++)
        {
            var slot = slots[j];
            graph.AddInput(slot.Mask, new TensorType(ElementType.Bool, openShape));
            switch (slot.Kind)
            {
                case SlotKind.Zero:
                    if (zero is null) graph.AddInitializer(Zero(zero = "patch_zero:" + stem, type.ElementType));
                    values.Add(zero);
                    break;
                case SlotKind.Fed:
                    graph.AddInput(slot.Source!, type with { Shape = openShape });
                    values.Add(slot.Source!);
                    break;
                case SlotKind.Add:
                    graph.AddInput(slot.Source!, type with { Shape = openShape });
                    values.Add(Node(graph, "Add", [tensor, slot.Source!], $"patch_added:{j}:{stem}"));
                    break;
                case SlotKind.Rows:
                    graph.AddInput(slot.Rows!, new TensorType(ElementType.Int64, [Dim.Unknown]));
                    values.Add(Node(graph, "Gather", [tensor, slot.Rows!], $"patch_gathered:{j}:{stem}",
                        new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = request.BatchAxis }));
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(request), slot.Kind, null);
            }
        }

        string output = PatchPoint.PatchedPrefix + stem, current = tensor;
        for (int j = slots.Count - 1; j >= 0; j--)
            current = Node(graph, "Where", [slots[j].Mask, values[j], current], j == 0 ? output : $"patch_where:{j}:{stem}");
        foreach (var reader in readers)
            for (int i = 0; i < reader.Inputs.Count; i++)
                if (reader.Inputs[i] == tensor) graph.SetNodeInput(reader, i, output);
        graph.SetType(output, type);
        return new WritePoint(tensor, request.Tag, request.BatchAxis, type, slots, output);
    }

    /// <summary>The consumers of <paramref name="tensor"/> from whose outputs <paramref name="receiver"/> can be reached.</summary>
    internal static List<Node> ReadersLeadingTo(OnnxGraph graph, string tensor, string receiver)
    {
        if (!graph.Contains(receiver)) throw new UnknownTensorException(receiver, "no node of the graph produces the receiver");
        var reaching = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>([receiver]);
        while (stack.Count > 0)
        {
            var t = stack.Pop();
            if (t == tensor || !reaching.Add(t)) continue;
            if (graph.Producer(t) is { } node)
                foreach (var input in node.Inputs.Where(i => i.Length > 0)) stack.Push(input);
        }
        var readers = graph.Consumers(tensor).Where(n => n.Outputs.Any(reaching.Contains)).ToList();
        if (readers.Count == 0)
            throw new GraphException($"cannot restrict a write on '{tensor}' to receiver '{receiver}': the receiver is not computed from it.");
        return readers;
    }

    /// <summary>The input names of a request's slots: <c>patch_mask:{j}:{tensor}</c> and the like (<c>{tensor}&gt;{tag}</c> when tagged).</summary>
    public static IReadOnlyList<WriteSlot> Names(WriteRequest request)
    {
        string stem = Stem(request);
        return [.. request.Slots.Select((kind, j) => new WriteSlot(kind, $"{PatchPoint.MaskPrefix}{j}:{stem}",
            kind is SlotKind.Fed or SlotKind.Add ? $"{PatchPoint.SourcePrefix}{j}:{stem}" : null,
            kind == SlotKind.Rows ? $"{PatchPoint.RowsPrefix}{j}:{stem}" : null))];
    }

    static string Stem(WriteRequest request) => request.Tag.Length == 0 ? request.Tensor : $"{request.Tensor}>{request.Tag}";

    static string Node(OnnxGraph graph, string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        graph.AddNode(new Node(op, inputs, [output], $"write:{output}", attributes: attributes));
        return output;
    }

    internal static TensorProto Zero(string name, ElementType type)
    {
        int size = type switch
        {
            ElementType.Float or ElementType.Int32 or ElementType.UInt32 => 4,
            ElementType.Double or ElementType.Int64 or ElementType.UInt64 => 8,
            ElementType.Float16 or ElementType.BFloat16 or ElementType.Int16 or ElementType.UInt16 => 2,
            ElementType.Int8 or ElementType.UInt8 or ElementType.Bool => 1,
            _ => throw new GraphException($"cannot zero-ablate a tensor of element type {type}."),
        };
        return new TensorProto { Name = name, DataType = (int)type, RawData = Google.Protobuf.ByteString.CopyFrom(new byte[size]) };
    }
}
