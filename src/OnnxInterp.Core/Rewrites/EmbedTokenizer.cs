using OnnxInterp.Graph;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Rewrites;

/// <summary>
/// Prepends ONNX Runtime Extensions' <c>GPT2Tokenizer</c> (domain <c>ai.onnx.contrib</c>) so the model takes raw strings:
/// a new string input <c>text</c> [batch] is tokenized, <c>bos</c> (when given) is put in front of every row (as the token
/// inputs were fed), and the token inputs (<c>input_ids</c>, and <c>attention_mask</c> and <c>position_ids</c> when the
/// model has them) become tensors computed from it. Rows of different lengths are right-padded with their mask 0; a 4-D
/// mask input (Megatron's) gets the left-to-right mask of real tokens.
/// Running the result needs a session with the Extensions registered (<c>SessionOptions.RegisterOrtExtensions()</c>).
/// </summary>
public static class EmbedTokenizer
{
    public const string TextInput = "text";
    public const string Domain = "ai.onnx.contrib";

    public static RewriteResult Apply(OnnxModel model, string vocabJson, string merges, long? bos)
    {
        var graph = model.Graph.Clone();
        if (!graph.IsGraphInput("input_ids")) throw new GraphException("the model has no 'input_ids' input for the tokenizer to feed.");
        if (graph.Contains(TextInput)) throw new GraphException($"the model already has a tensor named '{TextInput}'.");
        var idsType = graph.TypeOf("input_ids")?.ElementType ?? ElementType.Int64;
        graph.AddInput(TextInput, new TensorType(ElementType.String, [Dim.Unknown]));

        string tokens = graph.FreshName("tokenizer/input_ids"), tokenMask = graph.FreshName("tokenizer/attention_mask");
        graph.AddNode(new Node("GPT2Tokenizer", [TextInput], [tokens, tokenMask], graph.FreshName("tokenizer/GPT2Tokenizer"), Domain,
            [Text("vocab", vocabJson), Text("merges", merges)]));

        string ids = tokens, mask = tokenMask;
        if (bos is { } b)
        {
            // A [batch, 1] column of BOS (and of mask 1) in front: Expand a [1, 1] constant to [rows, 1].
            var rows = Node(graph, "Slice", [Node(graph, "Shape", [tokens]), Int64s(graph, "zero", 0), Int64s(graph, "one", 1)]);
            var columnShape = Node(graph, "Concat", [rows, Int64s(graph, "one", 1)], Axis(0));
            ids = Node(graph, "Concat", [Node(graph, "Expand", [Int64s(graph, "bos", [1, 1], b), columnShape]), tokens], Axis(1));
            mask = Node(graph, "Concat", [Node(graph, "Expand", [Int64s(graph, "one_cell", [1, 1], 1), columnShape]), tokenMask], Axis(1));
        }
        Replace(graph, "input_ids", ids, idsType);
        if (graph.IsGraphInput("attention_mask"))
        {
            var declared = graph.TypeOf("attention_mask");
            var fed = declared?.Shape is { Count: 4 } four ? LeftToRight(graph, model.Opset(), mask, four) : mask;
            Replace(graph, "attention_mask", fed, declared?.ElementType ?? ElementType.Int64);
        }
        if (graph.IsGraphInput("position_ids"))
        {
            // Positions count the real tokens: 0, 1, 2, ... (padding repeats the last one, which the mask hides).
            var positions = Node(graph, "Sub", [Node(graph, "CumSum", [mask, Int64s(graph, "axis1", 1)]), Int64s(graph, "one", 1)]);
            Replace(graph, "position_ids", positions, graph.TypeOf("position_ids")?.ElementType ?? ElementType.Int64);
        }
        var proto = model.WithGraph(graph).ToProto();
        if (proto.OpsetImport.All(o => o.Domain != Domain)) proto.OpsetImport.Add(new OperatorSetIdProto { Domain = Domain, Version = 1 });
        return new RewriteResult(OnnxModel.FromProto(proto, model.SourceFolder), [], [], "embed-tokenizer[gpt2]");
    }

    /// <summary>
    /// A 4-D mask [batch, 1, n, n] (Megatron's left-to-right mask) from the padding mask [batch, n]: query i reads key j
    /// when j &lt;= i and j is a real token. A max length fixed in the declaration cannot be built from the text's length.
    /// </summary>
    static string LeftToRight(OnnxGraph graph, long opset, string padding, IReadOnlyList<Dim> declared)
    {
        if (declared[2].Value is not null || declared[3].Value is not null)
            throw new GraphException($"the model's attention_mask is declared [{string.Join(", ", declared)}], a fixed maximum length; an embedded tokenizer builds the mask at each text's length, so it needs the last two axes symbolic.");
        if (opset < 11)
            throw new GraphException($"the model's 4-D attention_mask would be built with Range, which needs opset 11; the model imports opset {opset}.");
        var length = Node(graph, "Gather", [Node(graph, "Shape", [padding]), Int64s(graph, "axis1", [], 1)]);
        var range = Node(graph, "Range", [Int64s(graph, "zero", [], 0), length, Int64s(graph, "one", [], 1)]);
        var keys = Node(graph, "Reshape", [range, Int64s(graph, "row", [2], 1, -1)]);
        var queries = Node(graph, "Reshape", [range, Int64s(graph, "column", [2], -1, 1)]);
        var past = Node(graph, "Cast", [Node(graph, "Not", [Node(graph, "Greater", [keys, queries])])], To(ElementType.Int64));
        return Node(graph, "Mul", [past, Node(graph, "Reshape", [padding, Int64s(graph, "per_row", [4], 0, 1, 1, -1)])]);
    }

    static AttributeProto To(ElementType type) => new() { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)type };

    /// <summary>The input <paramref name="name"/> is no longer fed: its readers read <paramref name="computed"/> (cast to its type) instead.</summary>
    static void Replace(OnnxGraph graph, string name, string computed, ElementType type)
    {
        var value = computed;
        if (type != ElementType.Int64)
        {
            value = graph.FreshName($"tokenizer/{name}");
            graph.AddNode(new Node("Cast", [computed], [value], graph.FreshName($"tokenizer/{name}_cast"), attributes: [To(type)]));
        }
        graph.RedirectConsumers(name, value);
        graph.RemoveInput(name);
    }

    static string Node(OnnxGraph graph, string op, IReadOnlyList<string> inputs, AttributeProto? attribute = null)
    {
        var output = graph.FreshName($"tokenizer/{op}_output");
        graph.AddNode(new Node(op, inputs, [output], graph.FreshName($"tokenizer/{op}"), attributes: attribute is null ? null : [attribute]));
        return output;
    }

    static string Int64s(OnnxGraph graph, string stem, long value) => Int64s(graph, stem, [1], value);

    static string Int64s(OnnxGraph graph, string stem, long[] shape, params long[] values)
    {
        var tensor = new TensorProto { Name = graph.FreshName($"tokenizer/{stem}"), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(shape);
        tensor.Int64Data.AddRange(values);
        graph.AddInitializer(tensor);
        return tensor.Name;
    }

    static AttributeProto Axis(long axis) => new() { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = axis };

    static AttributeProto Text(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8(value) };
}
