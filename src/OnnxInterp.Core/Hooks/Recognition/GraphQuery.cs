using System.Buffers.Binary;
using OnnxInterp.Graph;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Hooks.Recognition;

/// <summary>Read-only questions recognisers ask of a graph: constants and their values, producers, ancestry.</summary>
internal sealed class GraphQuery(OnnxModel model)
{
    readonly Dictionary<string, HashSet<string>> ancestors = new(StringComparer.Ordinal);

    public OnnxModel Model { get; } = model;
    public OnnxGraph Graph { get; } = model.Graph;

    public Node? Producer(string tensor) => tensor.Length == 0 ? null : Graph.Producer(tensor);
    public IReadOnlyList<Node> Consumers(string tensor) => Graph.Consumers(tensor);

    /// <summary>Consumers of a tensor with one of the given op types (default domain or com.microsoft).</summary>
    public IEnumerable<Node> ConsumersOf(string tensor, params string[] ops) => Consumers(tensor).Where(n => ops.Contains(n.OpType));

    public Node? ProducerOf(string tensor, params string[] ops) => Producer(tensor) is { } n && ops.Contains(n.OpType) ? n : null;

    /// <summary>The tensor a chain of Casts starts from (exports put no-op or precision Casts inside LayerNorm chains).</summary>
    public string SkipCasts(string tensor)
    {
        for (int hops = 0; hops < 8 && Producer(tensor) is { OpType: "Cast" } cast; hops++) tensor = cast.Inputs[0];
        return tensor;
    }

    /// <summary>The producer of <paramref name="tensor"/> after any Casts, when it has one of the op types.</summary>
    public Node? ProducerThroughCasts(string tensor, params string[] ops) => ProducerOf(SkipCasts(tensor), ops);

    /// <summary>
    /// Consumers with one of the op types of <paramref name="tensor"/> or of a Cast chain from it: torch traces
    /// <c>x.float()</c> on a float tensor as a Cast whose output later uses of <c>x</c> read (Megatron's LayerNorm).
    /// </summary>
    public IEnumerable<Node> ConsumersThroughCasts(string tensor, params string[] ops)
    {
        var frontier = new List<string> { tensor };
        for (int hops = 0; hops < 8 && frontier.Count > 0; hops++)
        {
            foreach (var n in frontier.SelectMany(t => ConsumersOf(t, ops))) yield return n;
            frontier = [.. frontier.SelectMany(t => ConsumersOf(t, "Cast")).Select(c => c.Outputs[0])];
        }
    }

    /// <summary>
    /// Whether two tensors hold the same value by construction: the same name (after Casts), or two nodes of one op
    /// type over the same inputs (Megatron-style exports compute <c>x - mean</c> twice).
    /// </summary>
    public bool SameValue(string a, string b)
    {
        a = SkipCasts(a);
        b = SkipCasts(b);
        if (a == b) return true;
        return Producer(a) is { } pa && Producer(b) is { } pb && pa.OpType == pb.OpType && pa.Domain == pb.Domain
            && pa.Attributes.Count == 0 && pb.Attributes.Count == 0 && pa.Inputs.Select(SkipCasts).SequenceEqual(pb.Inputs.Select(SkipCasts));
    }

    /// <summary>An initializer, the output of a Constant node, or either through Identity (a parameter torch.onnx shares between layers).</summary>
    public bool IsConstant(string tensor) => Graph.ConstantTensor(tensor) is not null;

    /// <summary>A constant's proto (initializer, or the Constant node's value, through Identity), or null.</summary>
    public TensorProto? ConstantProto(string tensor) => Graph.ConstantTensor(tensor);

    /// <summary>Dims of a constant tensor, or null.</summary>
    public IReadOnlyList<long>? ConstantDims(string tensor) => ConstantProto(tensor)?.Dims;

    /// <summary>Values of a small inline constant as doubles (float, double, float16, int32/64), or null.</summary>
    public double[]? Values(string tensor)
    {
        var t = ConstantProto(tensor);
        if (t is null || t.DataLocation == TensorProto.Types.DataLocation.External) return null;
        long count = t.Dims.Aggregate(1L, (a, b) => a * b);
        if (count > 1 << 16) return null;
        var raw = t.RawData.Span;
        switch ((ElementType)t.DataType)
        {
            case ElementType.Float:
                return raw.Length > 0 ? Read(raw, 4, count, s => BinaryPrimitives.ReadSingleLittleEndian(s)) : [.. t.FloatData.Select(f => (double)f)];
            case ElementType.Double:
                return raw.Length > 0 ? Read(raw, 8, count, BinaryPrimitives.ReadDoubleLittleEndian) : [.. t.DoubleData];
            case ElementType.Float16:
                return raw.Length > 0 ? Read(raw, 2, count, s => (double)BinaryPrimitives.ReadHalfLittleEndian(s))
                    : [.. t.Int32Data.Select(i => (double)BitConverter.UInt16BitsToHalf((ushort)i))];
            case ElementType.Int64:
                return raw.Length > 0 ? Read(raw, 8, count, s => BinaryPrimitives.ReadInt64LittleEndian(s)) : [.. t.Int64Data.Select(i => (double)i)];
            case ElementType.Int32:
                return raw.Length > 0 ? Read(raw, 4, count, s => BinaryPrimitives.ReadInt32LittleEndian(s)) : [.. t.Int32Data.Select(i => (double)i)];
            default:
                return null;
        }
    }

    /// <summary>The value of a one-element constant, or null.</summary>
    public double? Scalar(string tensor) => Values(tensor) is [var v] ? v : null;

    public bool IsScalarConstant(string tensor) => Scalar(tensor) is not null;

    /// <summary>
    /// A scaling factor fixed by the model's shape, not by its inputs' values: a scalar constant, or a one-element
    /// value computed only from constants and <c>Shape</c> outputs (torch's SDPA symbolic writes
    /// <c>Sqrt(1 / Sqrt(Cast(Shape(q)[-1])))</c>).
    /// </summary>
    public bool IsShapeDerivedScale(string tensor)
    {
        if (IsScalarConstant(tensor)) return true;
        if (Producer(tensor) is null) return false;
        var stack = new Stack<string>([tensor]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        bool readsShape = false;
        while (stack.Count > 0)
        {
            var t = stack.Pop();
            if (t.Length == 0 || !seen.Add(t) || IsConstant(t)) continue;
            var p = Producer(t);
            if (p is null) return false; // a graph input's values
            if (p.OpType is "Shape" or "Size") { readsShape = true; continue; }
            if (p.OpType is not ("Slice" or "Gather" or "Cast" or "Sqrt" or "Div" or "Mul" or "Reciprocal" or "Pow" or "Squeeze" or "Unsqueeze" or "Reshape"))
                return false;
            foreach (var i in p.Inputs) stack.Push(i);
        }
        return readsShape;
    }

    /// <summary>Every tensor <paramref name="tensor"/> is computed from (itself included).</summary>
    public IReadOnlySet<string> Ancestors(string tensor)
    {
        if (ancestors.TryGetValue(tensor, out var set)) return set;
        set = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>([tensor]);
        while (stack.Count > 0)
        {
            var t = stack.Pop();
            if (t.Length == 0 || !set.Add(t)) continue;
            if (Producer(t) is { } p) foreach (var i in p.Inputs) stack.Push(i);
        }
        ancestors[tensor] = set;
        return set;
    }

    public bool DependsOn(string tensor, string ancestor) => Ancestors(tensor).Contains(ancestor);

    /// <summary>The first input of <paramref name="node"/> other than <paramref name="tensor"/> (for binary ops).</summary>
    public static string Other(Node node, string tensor) => node.Inputs[0] == tensor ? node.Inputs[1] : node.Inputs[0];

    static double[] Read(ReadOnlySpan<byte> raw, int size, long count, ReadFn read)
    {
        var values = new double[count];
        for (int i = 0; i < count; i++) values[i] = read(raw.Slice(i * size, size));
        return values;
    }

    delegate double ReadFn(ReadOnlySpan<byte> bytes);
}
