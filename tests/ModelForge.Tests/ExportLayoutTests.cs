using OnnxInterp.ModelForge.Export;
using OnnxInterp.Onnx;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.ModelForge.Tests;

/// <summary>
/// The names and op patterns the project's hook recognisers match (documented in onnx-models/MODELS.md):
/// torch.onnx-style scoped node names, optimum input/output names, shared external data, metadata.
/// </summary>
public sealed class ExportLayoutTests : IDisposable
{
    readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Gpt2LayoutUsesHuggingFaceScopesAndOneSharedWeightFile()
    {
        using var weights = RandomModels.Create(RandomModels.SmallGpt2, 31);
        ModelExporter.WriteGpt2Variants(weights, _folder.Path, "g");
        var plain = ModelIO.Load(_folder.File("g.onnx"));
        var nodes = plain.Graph.Node.ToDictionary(n => n.Name);

        Assert.Equal(["input_ids", "attention_mask", "position_ids"], plain.Graph.Input.Select(i => i.Name));
        Assert.Equal(["logits"], plain.Graph.Output.Select(o => o.Name));
        Assert.Equal("Gather", nodes["/transformer/wte/Gather"].OpType);
        Assert.Equal("Softmax", nodes["/transformer/h.1/attn/Softmax"].OpType);
        Assert.Equal("/transformer/h.1/attn/Softmax_output_0", nodes["/transformer/h.1/attn/Softmax"].Output[0]);
        Assert.Equal(["/transformer/h.0/ln_1/Add_1_output_0", "transformer.h.0.attn.c_attn.weight"], nodes["/transformer/h.0/attn/c_attn/MatMul"].Input);
        Assert.Equal(3, nodes["/transformer/h.0/attn/Split"].Output.Count);
        Assert.Equal("Tanh", nodes["/transformer/h.0/mlp/act/Tanh"].OpType);
        Assert.Equal("MatMul", nodes["/transformer/h.0/mlp/c_proj/MatMul"].OpType);
        Assert.Equal("ReduceMean", nodes["/transformer/ln_f/ReduceMean_1"].OpType);
        Assert.Equal(["/transformer/ln_f/Add_1_output_0", "/lm_head/Transpose_output_0"], nodes["/lm_head/MatMul"].Input);
        Assert.Equal("logits", nodes["/lm_head/MatMul"].Output[0]);
        Assert.Equal(["transformer.wte.weight"], nodes["/lm_head/Transpose"].Input);
        Assert.Single(plain.Graph.Initializer, t => t.Name == "transformer.wte.weight");
        Assert.Equal([1L, 1, 16, 16], plain.Graph.Initializer.Single(t => t.Name == "transformer.h.0.attn.bias").Dims);
        Assert.Contains(plain.MetadataProps, m => m.Key == "onnxinterp.architecture" && m.Value == "gpt2");
        Assert.Equal(14, plain.OpsetImport.Single().Version);

        var opset17 = ModelIO.Load(_folder.File("g-opset17.onnx"));
        Assert.Equal(17, opset17.OpsetImport.Single().Version);
        Assert.Contains(opset17.Graph.Node, n => n.Name == "/transformer/h.0/ln_1/LayerNormalization");
        Assert.DoesNotContain(opset17.Graph.Node, n => n.OpType == "ReduceMean");

        var past = ModelIO.Load(_folder.File("g-past.onnx"));
        Assert.Equal(["input_ids", "attention_mask", "position_ids", "past_key_values.0.key", "past_key_values.0.value",
            "past_key_values.1.key", "past_key_values.1.value"], past.Graph.Input.Select(i => i.Name));
        Assert.Equal(["logits", "present.0.key", "present.0.value", "present.1.key", "present.1.value"], past.Graph.Output.Select(o => o.Name));
        Assert.Equal("present.0.key", past.Graph.Node.Single(n => n.Name == "/transformer/h.0/attn/Concat").Output[0]);

        // All three variants point at the same bytes of g.weights.
        foreach (var model in new[] { plain, opset17, past })
        {
            var wte = model.Graph.Initializer.Single(t => t.Name == "transformer.wte.weight");
            Assert.Equal(TensorProto.Types.DataLocation.External, wte.DataLocation);
            Assert.Equal("g.weights", ExternalData.Location(wte));
        }
        Assert.Equal(weights.Config.Vocab * weights.Config.DModel * 4,
            ExternalData.ReadRaw(plain.Graph.Initializer.Single(t => t.Name == "transformer.wte.weight"), _folder.Path).Length);
    }

    [Fact]
    public void MergedAndDynamoVariantsAreRecognisedWithTheConfigTheyWereWrittenFrom()
    {
        using var weights = RandomModels.Create(RandomModels.SmallGpt2, 33);
        ModelExporter.WriteGpt2Variants(weights, _folder.Path, "g");
        var c = weights.Config;

        var merged = ModelIO.Load(_folder.File("g-merged.onnx"));
        var ifNode = Assert.Single(merged.Graph.Node);
        Assert.Equal(("If", "optimum::if"), (ifNode.OpType, ifNode.Name));
        Assert.Equal(["then_branch", "else_branch"], ifNode.Attribute.Select(a => a.Name));
        Assert.Equal("use_cache_branch", merged.Graph.Input[^1].Name);

        var dynamo = ModelIO.Load(_folder.File("g-dynamo.onnx"));
        Assert.Equal(["input_ids", "attention_mask"], dynamo.Graph.Input.Select(i => i.Name));
        Assert.Equal(18, dynamo.OpsetImport.Single().Version);
        Assert.DoesNotContain(dynamo.MetadataProps, m => m.Key.StartsWith("onnxinterp."));
        var softmax = dynamo.Graph.Node.Where(n => n.OpType == "Softmax").ElementAt(1);
        Assert.StartsWith("['', 'transformer', 'transformer.h.1', 'transformer.h.1.attn', ",
            softmax.MetadataProps.Single(m => m.Key == "pkg.torch.onnx.name_scopes").Value);

        // Recognised at this shape too (2 layers, 2 heads of 16), not only at the shipped tiny-gpt2's.
        foreach (var file in new[] { "g-merged.onnx", "g-dynamo.onnx" })
        {
            var config = OnnxInterp.Hooks.HookedModel.Load(_folder.File(file)).Map.Config;
            Assert.Equal((c.Layers, c.Heads, c.DHead, c.DModel, c.DMlp, c.NCtx, c.Vocab),
                (config.NLayers, config.NHeads, config.DHead, config.DModel, config.DMlp, config.NCtx, config.DVocab));
        }
    }

    [Fact]
    public void GenerationPipelinesHaveTheInputsAndOutputsOrtsGpt2SearchValidates()
    {
        using var weights = RandomModels.Create(RandomModels.SmallGpt2, 33);
        ModelExporter.WriteGpt2Variants(weights, _folder.Path, "g");
        var past = ModelIO.Load(_folder.File("g-past.onnx"));
        var c = weights.Config;
        foreach (var model in new[] { GenerationSearchWriter.BeamSearch(past, c.Vocab - 1, c.Heads, c.DHead), GenerationSearchWriter.GreedySearch(past, c.Vocab - 1, c.Heads, c.DHead) })
        {
            var node = Assert.Single(model.Graph.Node);
            Assert.Equal("com.microsoft", node.Domain);
            Assert.Equal("attention_mask", node.Input[^1]);
            Assert.Equal(0, node.Attribute.Single(a => a.Name == "model_type").I);
            Assert.Equal(past.Graph.Initializer.Count, model.Graph.Initializer.Count); // all moved to the main graph
            foreach (var decoder in node.Attribute.Where(a => a.G is not null).Select(a => a.G))
            {
                Assert.Empty(decoder.Initializer);
                // GptSubgraph::Validate: these names in this order, int32 ids, a 5-D past with fixed heads and head size.
                Assert.Equal(["input_ids", "position_ids", "attention_mask", .. Enumerable.Range(0, c.Layers).Select(l => $"past_{l}")], decoder.Input.Select(i => i.Name));
                Assert.Equal(["logits", .. Enumerable.Range(0, c.Layers).Select(l => $"present_{l}")], decoder.Output.Select(o => o.Name));
                Assert.All(decoder.Input.Take(3), i => Assert.Equal((int)TensorProto.Types.DataType.Int32, i.Type.TensorType.ElemType));
                var dims = decoder.Input[3].Type.TensorType.Shape.Dim;
                Assert.Equal([2L, 0L, c.Heads, 0L, c.DHead], dims.Select(d => d.DimValue));
                Assert.Equal(c.Vocab, decoder.Output[0].Type.TensorType.Shape.Dim[2].DimValue);
            }
        }
    }

    [Fact]
    public void ToyLayoutUsesTransformerLensScopes()
    {
        using var weights = RandomModels.Create(RandomModels.SmallModAdd, 32);
        ModelExporter.WriteSingle(weights, _folder.File("m.onnx"));
        var model = ModelIO.Load(_folder.File("m.onnx"));
        var nodes = model.Graph.Node.ToDictionary(n => n.Name);

        Assert.Equal(["input_ids"], model.Graph.Input.Select(i => i.Name));
        Assert.Equal(["embed.W_E", "input_ids"], nodes["/embed/Gather"].Input);
        Assert.Equal("Slice", nodes["/pos_embed/Slice"].OpType);
        Assert.Equal(["/embed/Gather_output_0", "/pos_embed/Slice_output_0"], nodes["/Add"].Input);
        Assert.Equal(["/Add_output_0", "blocks.0.attn.W_QKV"], nodes["/blocks.0/attn/MatMul"].Input);
        Assert.Equal("Softmax", nodes["/blocks.0/attn/Softmax"].OpType);
        Assert.Equal("Relu", nodes["/blocks.0/mlp/Relu"].OpType);
        Assert.Equal("logits", nodes["/unembed/Add"].Output[0]);
        Assert.DoesNotContain(model.Graph.Node, n => n.Name.Contains("ln"));
        var meta = model.MetadataProps.ToDictionary(m => m.Key, m => m.Value);
        Assert.Equal("modadd", meta["onnxinterp.architecture"]);
        Assert.Equal("64", meta["onnxinterp.d_mlp"]);
        Assert.Equal("8", meta["onnxinterp.d_head"]);
    }
}
