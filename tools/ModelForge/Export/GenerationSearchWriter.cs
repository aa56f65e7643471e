using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.ModelForge.Export;

/// <summary>
/// ONNX Runtime generation pipelines around a GPT-2 past export, laid out as onnxruntime.transformers'
/// <c>convert_generation.py</c> writes them for <c>model_type</c> 0 (GPT-2): one <c>com.microsoft.BeamSearch</c> or
/// <c>GreedySearch</c> node whose <c>decoder</c> (and, for beam search here, <c>init_decoder</c>) attribute is the decoder
/// in ORT's GPT-2 past layout. That layout (onnxruntime.transformers' Gpt2Helper) differs from optimum's: inputs
/// <c>input_ids</c>, <c>position_ids</c>, <c>attention_mask</c> (int32, in that order) and one <c>past_{l}</c> per layer,
/// <c>[2, batch, heads, past_sequence, d_head]</c> (keys stacked on values); outputs <c>logits</c> and <c>present_{l}</c> of
/// the same stacked form. The decoder here is the optimum-layout past graph with its inputs retyped to int32 (every
/// reader of them accepts int32: Gather, Unsqueeze then Cast), each past split by two <c>Gather</c>s (index 0 and 1 on
/// axis 0, as torch.onnx writes <c>layer_past[0]</c>) and each present stacked by two <c>Unsqueeze</c>s and a
/// <c>Concat</c> (<c>torch.stack</c>). The decoders' initializers move to the main graph, which both subgraphs read from
/// the outer scope, as convert_generation.py shares them between decoder and init decoder.
/// </summary>
public static class GenerationSearchWriter
{
    public const string BeamSearchSuffix = "-beam-search";
    public const string GreedySearchSuffix = "-greedy-search";
    const int Int32 = (int)TensorProto.Types.DataType.Int32;
    const int Float = TensorProtos.Float;

    /// <summary>
    /// The search op's optional <c>attention_mask</c> (after the unused <c>vocab_mask</c> and <c>prefix_vocab_mask</c>). Without
    /// it ONNX Runtime masks every prompt token equal to <c>pad_token_id</c>, which for GPT-2 is <c>&lt;|endoftext|&gt;</c>, the
    /// BOS every prompt here starts with: the decoder would then never see the BOS that analyses feed it.
    /// </summary>
    static ValueInfoProto AttentionMask => TensorProtos.ValueInfo("attention_mask", Int32, "batch_size", "sequence_length");

    /// <summary>BeamSearch with <c>decoder</c> and <c>init_decoder</c> (the same graph) around the optimum-layout past export.</summary>
    public static ModelProto BeamSearch(ModelProto past, long eosTokenId, int heads, int dHead)
    {
        var decoder = Decoder(past.Graph, heads, dHead);
        var graph = new GraphProto { Name = "gpt2 beam search" };
        graph.Input.Add(TensorProtos.ValueInfo("input_ids", Int32, "batch_size", "sequence_length"));
        foreach (var name in new[] { "max_length", "min_length", "num_beams", "num_return_sequences" })
            graph.Input.Add(TensorProtos.ValueInfo(name, Int32, 1));
        graph.Input.Add(TensorProtos.ValueInfo("length_penalty", Float, 1));
        graph.Input.Add(TensorProtos.ValueInfo("repetition_penalty", Float, 1));
        graph.Input.Add(AttentionMask);
        graph.Output.Add(TensorProtos.ValueInfo("sequences", Int32, "batch_size", "num_return_sequences", "max_length"));
        var node = Node("BeamSearch", "BeamSearch_gpt2", [.. graph.Input.SkipLast(1).Select(i => i.Name), "", "", "attention_mask"], ["sequences"], eosTokenId);
        node.Attribute.Add(OnnxGraphBuilder.Int("early_stopping", 0));
        node.Attribute.Add(Subgraph("decoder", Body(decoder, "decoder")));
        node.Attribute.Add(Subgraph("init_decoder", Body(decoder, "init_decoder")));
        return Wrap(past, graph, node, decoder);
    }

    /// <summary>GreedySearch with a <c>decoder</c> only (every step, the prompt's too, runs it with an empty past first).</summary>
    public static ModelProto GreedySearch(ModelProto past, long eosTokenId, int heads, int dHead)
    {
        var decoder = Decoder(past.Graph, heads, dHead);
        var graph = new GraphProto { Name = "gpt2 greedy search" };
        graph.Input.Add(TensorProtos.ValueInfo("input_ids", Int32, "batch_size", "sequence_length"));
        graph.Input.Add(TensorProtos.ValueInfo("max_length", Int32, 1));
        graph.Input.Add(TensorProtos.ValueInfo("min_length", Int32, 1));
        graph.Input.Add(TensorProtos.ValueInfo("repetition_penalty", Float, 1));
        graph.Input.Add(AttentionMask);
        graph.Output.Add(TensorProtos.ValueInfo("sequences", Int32, "batch_size", "max_length"));
        var node = Node("GreedySearch", "GreedySearch_gpt2", [.. graph.Input.SkipLast(1).Select(i => i.Name), "", "", "attention_mask"], ["sequences"], eosTokenId);
        node.Attribute.Add(Subgraph("decoder", Body(decoder, "decoder")));
        return Wrap(past, graph, node, decoder);
    }

    /// <summary>The decoder in ORT's GPT-2 past layout, initializers included (<see cref="Wrap"/> moves them out).</summary>
    static GraphProto Decoder(GraphProto past, int heads, int dHead)
    {
        int layers = past.Input.Count(i => i.Name.StartsWith("past_key_values.", StringComparison.Ordinal) && i.Name.EndsWith(".key", StringComparison.Ordinal));
        if (layers == 0) throw new ArgumentException("the model has no past_key_values.{l}.key inputs: give the -past export.");
        var g = new GraphProto { Name = "decoder" };
        g.Input.Add(TensorProtos.ValueInfo("input_ids", Int32, "batch_size", "sequence_length"));
        g.Input.Add(TensorProtos.ValueInfo("position_ids", Int32, "batch_size", "sequence_length"));
        g.Input.Add(TensorProtos.ValueInfo("attention_mask", Int32, "batch_size", "total_sequence_length"));
        for (int l = 0; l < layers; l++)
            g.Input.Add(TensorProtos.ValueInfo($"past_{l}", Float, 2, "batch_size", heads, "past_sequence_length", dHead));
        g.Output.Add(TensorProtos.ValueInfo("logits", Float, "batch_size", "sequence_length", past.Output.Single(o => o.Name == "logits").Type.TensorType.Shape.Dim[2].DimValue));
        for (int l = 0; l < layers; l++)
            g.Output.Add(TensorProtos.ValueInfo($"present_{l}", Float, 2, "batch_size", heads, "total_sequence_length", dHead));

        g.Node.Add(Constant("/transformer/past/Constant", "/transformer/past/Constant_output_0", TensorProtos.FromInt64s("", [], [0])));
        g.Node.Add(Constant("/transformer/past/Constant_1", "/transformer/past/Constant_1_output_0", TensorProtos.FromInt64s("", [], [1])));
        g.Node.Add(Constant("/transformer/present/Constant", "/transformer/present/Constant_output_0", TensorProtos.FromInt64s("", [1], [0])));
        for (int l = 0; l < layers; l++)
        {
            string scope = $"/transformer/h.{l}/attn";
            g.Node.Add(Op($"{scope}/past/Gather", "Gather", [$"past_{l}", "/transformer/past/Constant_output_0"], $"past_key_values.{l}.key", OnnxGraphBuilder.Int("axis", 0)));
            g.Node.Add(Op($"{scope}/past/Gather_1", "Gather", [$"past_{l}", "/transformer/past/Constant_1_output_0"], $"past_key_values.{l}.value", OnnxGraphBuilder.Int("axis", 0)));
        }
        g.Node.AddRange(past.Node);
        for (int l = 0; l < layers; l++)
        {
            string scope = $"/transformer/h.{l}/attn/present";
            g.Node.Add(Op($"{scope}/Unsqueeze", "Unsqueeze", [$"present.{l}.key", "/transformer/present/Constant_output_0"], $"{scope}/Unsqueeze_output_0"));
            g.Node.Add(Op($"{scope}/Unsqueeze_1", "Unsqueeze", [$"present.{l}.value", "/transformer/present/Constant_output_0"], $"{scope}/Unsqueeze_1_output_0"));
            g.Node.Add(Op($"{scope}/Concat", "Concat", [$"{scope}/Unsqueeze_output_0", $"{scope}/Unsqueeze_1_output_0"], $"present_{l}", OnnxGraphBuilder.Int("axis", 0)));
        }
        g.Initializer.AddRange(past.Initializer);
        return g;
    }

    static NodeProto Node(string op, string name, string[] inputs, string[] outputs, long eosTokenId)
    {
        var node = new NodeProto { OpType = op, Name = name, Domain = "com.microsoft" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.Add(OnnxGraphBuilder.Int("eos_token_id", eosTokenId));
        node.Attribute.Add(OnnxGraphBuilder.Int("pad_token_id", eosTokenId));
        node.Attribute.Add(OnnxGraphBuilder.Int("model_type", 0));
        node.Attribute.Add(OnnxGraphBuilder.Int("no_repeat_ngram_size", 0));
        return node;
    }

    /// <summary>The main graph: the search node, the decoders' initializers (read from the outer scope), the past export's header.</summary>
    static ModelProto Wrap(ModelProto past, GraphProto graph, NodeProto node, GraphProto decoder)
    {
        graph.Node.Add(node);
        graph.Initializer.AddRange(decoder.Initializer);
        var model = past.Clone();
        model.Graph = graph;
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.microsoft", Version = 1 });
        return model;
    }

    /// <summary>A subgraph body without initializers (they live in the main graph).</summary>
    static GraphProto Body(GraphProto decoder, string name)
    {
        var body = decoder.Clone();
        body.Name = name;
        body.Initializer.Clear();
        return body;
    }

    static AttributeProto Subgraph(string name, GraphProto body) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Graph, G = body };

    static NodeProto Constant(string name, string output, TensorProto value) =>
        Op(name, "Constant", [], output, OnnxGraphBuilder.Tensor("value", value));

    static NodeProto Op(string name, string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { Name = name, OpType = op };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }
}
