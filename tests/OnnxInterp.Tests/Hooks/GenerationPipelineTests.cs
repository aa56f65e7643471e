using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Generation;
using OnnxInterp.Cli;
using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Onnx;
using OnnxInterp.Onnx.Proto;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Cli;
using OnnxInterp.Tests.Generation;
using OnnxInterp.Tests.Support;
using static OnnxInterp.Tests.Hooks.HookTestSupport;

namespace OnnxInterp.Tests.Hooks;

/// <summary>
/// ONNX Runtime generation pipelines (com.microsoft BeamSearch / GreedySearch with the GPT-2 decoder as a subgraph
/// attribute), shipped as tiny-gpt2-beam-search.onnx and tiny-gpt2-greedy-search.onnx: ONNX Runtime itself runs them,
/// and every analysis runs on the decoder inside, checked against the standalone past export run by ONNX Runtime directly.
/// </summary>
public class GenerationPipelineTests
{
    const string Beam = "tiny-gpt2-beam-search.onnx", Greedy = "tiny-gpt2-greedy-search.onnx";
    static readonly IReadOnlyList<long> Prompt = InterpModel.Tokenize("When Mary and John went to the store, John gave a drink to");

    static Dictionary<string, (Array Data, long[] Shape)> SearchFeeds(IReadOnlyList<long> prompt, int maxLength, int? beams = null)
    {
        var feeds = new Dictionary<string, (Array Data, long[] Shape)>
        {
            ["input_ids"] = (prompt.Select(t => (int)t).ToArray(), [1, prompt.Count]),
            ["max_length"] = (new[] { maxLength }, [1]),
            ["min_length"] = (new[] { 0 }, [1]),
            ["repetition_penalty"] = (new[] { 1f }, [1]),
            ["attention_mask"] = (Enumerable.Repeat(1, prompt.Count).ToArray(), [1, prompt.Count]),
        };
        if (beams is { } b)
        {
            feeds["num_beams"] = (new[] { b }, [1]);
            feeds["num_return_sequences"] = (new[] { 1 }, [1]);
            feeds["length_penalty"] = (new[] { 1f }, [1]);
        }
        return feeds;
    }

    [ToyModelFact(Greedy)]
    public void Onnx_runtime_runs_the_greedy_search_fixture_and_its_tokens_are_the_plain_models_greedy_tokens()
    {
        // No BOS: GPT-2's pad_token_id is <|endoftext|>, and ONNX Runtime masks prompt tokens equal to it (below).
        const int newTokens = 8;
        var prompt = InterpModel.Tokenize("When Mary and John went to the store, John gave a drink to", bos: false);
        var sequences = DirectOrt.Run(Toy(Greedy)!, SearchFeeds(prompt, prompt.Count + newTokens))["sequences"];
        Assert.Equal(prompt.Count + newTokens, sequences.Length);
        Assert.Equal(prompt, sequences[..prompt.Count].Select(t => (long)t));
        var expected = PlainGreedy.Generate(Toy("tiny-gpt2.onnx")!, prompt, newTokens).Tokens;
        Assert.Equal(expected, sequences[prompt.Count..].Select(t => (long)t));

        // The generate path (engine plans over the lifted decoder's past_{l} inputs) decodes the same tokens.
        using var generator = Generator.Load(Toy(Greedy)!);
        var result = generator.Generate(new GenerationRequest([new GenerationRow(prompt)], newTokens, StopTokens: []));
        Assert.True(result.UsedPast);
        Assert.Equal(expected, result[0].NewTokens);
    }

    [ToyModelFact(Greedy)]
    public void Onnx_runtime_masks_a_leading_bos_because_it_is_gpt2s_pad_token()
    {
        // Measured, and documented in docs/hooks.md: even with attention_mask 1 on it, the pipeline's first step does not
        // attend to a prompt token equal to pad_token_id, so its first token is the one predicted without the BOS.
        var withoutBos = PlainGreedy.Generate(Toy("tiny-gpt2.onnx")!, Prompt.Skip(1).ToList(), 1).Tokens[0];
        var withBos = PlainGreedy.Generate(Toy("tiny-gpt2.onnx")!, Prompt, 1).Tokens[0];
        Assert.NotEqual(withBos, withoutBos); // 5335 ' Mary' with the BOS, 1757 ' John' without
        var sequences = DirectOrt.Run(Toy(Greedy)!, SearchFeeds(Prompt, Prompt.Count + 1))["sequences"];
        Assert.Equal(withoutBos, (long)sequences[^1]);
    }

    [ToyModelFact(Beam)]
    public void Onnx_runtime_runs_the_beam_search_fixture()
    {
        var sequences = DirectOrt.Run(Toy(Beam)!, SearchFeeds(Prompt, Prompt.Count + 4, beams: 2))["sequences"];
        Assert.Equal(Prompt.Count + 4, sequences.Length); // [batch 1, 1 sequence, max_length]
        Assert.Equal(Prompt, sequences[..Prompt.Count].Select(t => (long)t));
        Assert.All(sequences, t => Assert.InRange(t, 0, 50256));
    }

    [ToyModelFact(Beam)]
    public void Hooks_of_the_lifted_decoder_equal_the_standalone_past_model_fed_an_empty_past()
    {
        foreach (var file in new[] { Beam, Greedy })
        {
            using var model = InterpModel.Load(Toy(file)!, device: Device.Cpu);
            Assert.Equal(["input_ids", "position_ids", "attention_mask", "past_0", "past_1", "past_2", "past_3"], model.Hooked.Model.Graph.Inputs);
            var (logits, cache) = model.RunWithCache(Prompt, "blocks.*.attn.hook_pattern", "blocks.*.hook_resid_post", "blocks.1.mlp.hook_post");
            var tensors = cache.Names.ToDictionary(h => h, h => model.Hooks[h].Tensor);

            // Reference: the optimum-layout past export, run by ONNX Runtime directly with its tensors appended as outputs.
            int n = Prompt.Count;
            var feeds = new Dictionary<string, (Array Data, long[] Shape)>
            {
                ["input_ids"] = (Prompt.ToArray(), [1, n]),
                ["attention_mask"] = (Enumerable.Repeat(1L, n).ToArray(), [1, n]),
                ["position_ids"] = (Enumerable.Range(0, n).Select(i => (long)i).ToArray(), [1, n]),
            };
            for (int l = 0; l < 4; l++)
                foreach (var kind in new[] { "key", "value" })
                    feeds[$"past_key_values.{l}.{kind}"] = (Array.Empty<float>(), [1, 4, 0, 16]);
            var reference = DirectOrt.Run(Toy("tiny-gpt2-past.onnx")!, feeds, [.. tensors.Values]);

            Assert.Equal(reference["logits"], logits.ToFloats());
            Assert.Equal(9, cache.Count);
            foreach (var (hook, tensor) in tensors) Assert.Equal(reference[tensor], cache[hook].ToFloats());
        }
    }

    [ToyModelFact(Beam)]
    public void Inspect_names_the_subgraph_analysed_and_prefers_the_init_decoder()
    {
        var beam = CliHarness.Run("inspect", Toy(Beam)!, "--device", "cpu", "--list", "1");
        Assert.True(beam.ExitCode == 0, beam.ToString());
        Assert.Contains("took the init_decoder subgraph of com.microsoft.BeamSearch 'BeamSearch_gpt2' as the model", beam.Out);
        Assert.Contains("its decoder subgraph is measured", beam.Error);
        Assert.Contains("blocks.3.hook_resid_post", beam.Out);

        var greedy = CliHarness.Run("inspect", Toy(Greedy)!, "--device", "cpu", "--list", "1");
        Assert.True(greedy.ExitCode == 0, greedy.ToString());
        Assert.Contains("took the decoder subgraph of com.microsoft.GreedySearch 'GreedySearch_gpt2' as the model (it has no init_decoder", greedy.Out);
    }

    [ToyModelFact(Beam)]
    public void The_init_decoder_is_analysed_even_when_the_decoder_could_not_be()
    {
        // As with convert_generation.py's DecoderMaskedSelfAttention decoder: only the init decoder runs prompts.
        var proto = BeamProto();
        Search(proto).Attribute.Single(a => a.Name == "decoder").G = Unrecognisable();
        var hooked = HookedModel.From(OnnxModel.FromProto(proto, TestPaths.OnnxModels));
        Assert.Equal(4, hooked.Map.NLayers);

        Search(proto).Attribute.Remove(Search(proto).Attribute.Single(a => a.Name == "init_decoder"));
        var e = Assert.Throws<UnrecognisedModelException>(() => HookedModel.From(OnnxModel.FromProto(proto, TestPaths.OnnxModels)));
        Assert.Contains("in the generation pipeline's decoder: took the decoder subgraph of com.microsoft.BeamSearch 'BeamSearch_gpt2'", e.Message.Split('\n')[0]);
    }

    [ToyModelFact(Beam)]
    public void A_decoder_keeping_its_own_initializers_is_lifted_the_same_way()
    {
        var proto = BeamProto();
        foreach (var a in Search(proto).Attribute.Where(a => a.G is not null)) a.G.Initializer.AddRange(proto.Graph.Initializer);
        proto.Graph.Initializer.Clear();
        var inside = HookedModel.From(OnnxModel.FromProto(proto, TestPaths.OnnxModels));
        var outside = Load("onnx-models/" + Beam);
        var feeds = TokenFeeds.For(outside.Model.Graph, Prompt);
        Feeds.AssertBitIdentical(Outputs(outside.Model, feeds)["logits"], Outputs(inside.Model, feeds)["logits"]);
    }

    [ToyModelFact(Beam)]
    public void A_search_op_without_a_decoder_or_with_an_unrecognisable_one_is_one_error_line()
    {
        using var scratch = new CliScratch();
        var proto = BeamProto();
        foreach (var name in new[] { "decoder", "init_decoder" }) Search(proto).Attribute.Remove(Search(proto).Attribute.Single(a => a.Name == name));
        var bare = Save(proto, scratch["bare.onnx"]);
        var direct = CliHarness.Run("cache", bare, "--tokens", "1,2,3", "--expose", "blocks.0.hook_resid_pre", "-o", scratch["a.safetensors"], "--device", "cpu");
        Assert.True(direct.ErrorLines.Length == 1, direct.ToString());
        CliHarness.Fails(ExitCodes.Failure, ["BeamSearch 'BeamSearch_gpt2' carries no decoder subgraph", "analyse the decoder model itself"],
            "cache", bare, "--tokens", "1,2,3", "--expose", "blocks.0.hook_resid_pre", "-o", scratch["a.safetensors"], "--device", "cpu");

        proto = BeamProto();
        foreach (var a in Search(proto).Attribute.Where(a => a.G is not null)) a.G = Unrecognisable();
        var junk = Save(proto, scratch["junk.onnx"]);
        var result = CliHarness.Run("cache", junk, "--tokens", "1,2,3", "--expose", "blocks.0.hook_resid_pre", "-o", scratch["b.safetensors"], "--device", "cpu");
        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.False(result.HasStackTrace, result.ToString());
        Assert.Contains("not recognised", result.ErrorLines[0]);
        Assert.Contains("init_decoder subgraph of com.microsoft.BeamSearch", result.ErrorLines[0]);

        proto = BeamProto();
        Search(proto).Attribute.Single(a => a.Name == "model_type").I = 1;
        CliHarness.Fails(ExitCodes.Failure, ["model_type 1", "only decoder-only pipelines"],
            "cache", Save(proto, scratch["t5.onnx"]), "--tokens", "1,2,3", "--expose", "blocks.0.hook_resid_pre", "-o", scratch["c.safetensors"], "--device", "cpu");
    }

    [ToyModelFact(Beam)]
    public void A_decoder_reading_a_value_the_outer_graph_computes_is_refused_naming_it()
    {
        var proto = BeamProto();
        var decoder = Search(proto).Attribute.Single(a => a.Name == "init_decoder").G;
        decoder.Node.Single(n => n.Name == "/transformer/wte/Gather").Input[1] = "max_length"; // an outer graph input
        var e = Assert.Throws<UnrecognisedModelException>(() => HookedModel.From(OnnxModel.FromProto(proto, TestPaths.OnnxModels)));
        Assert.Contains("reads 'max_length' from the enclosing graph, where a graph input computes it", e.Message);
    }

    [ExternalModelFact]
    public void Ort_tools_fused_gpt2_decoder_inside_a_beam_search_is_hooked_as_the_decoder_alone()
    {
        // genai_tiny_random_gpt2_fp32_past.onnx was written by onnxruntime.transformers: its inputs and outputs are the
        // GPT-2 decoder layout BeamSearch requires. Wrapped here with its initializers inside the subgraph.
        var path = TestPaths.External("genai_tiny_random_gpt2_fp32_past.onnx");
        var decoder = ModelIO.Load(path);
        var proto = decoder.Clone();
        var node = new NodeProto { OpType = "BeamSearch", Domain = "com.microsoft", Name = "BeamSearch_gpt2" };
        node.Input.AddRange(["input_ids", "max_length", "min_length", "num_beams", "num_return_sequences", "length_penalty", "repetition_penalty", "", "", "attention_mask"]);
        node.Output.Add("sequences");
        node.Attribute.Add(new AttributeProto { Name = "eos_token_id", Type = AttributeProto.Types.AttributeType.Int, I = 2 });
        node.Attribute.Add(new AttributeProto { Name = "pad_token_id", Type = AttributeProto.Types.AttributeType.Int, I = 2 });
        node.Attribute.Add(new AttributeProto { Name = "decoder", Type = AttributeProto.Types.AttributeType.Graph, G = decoder.Graph });
        proto.Graph = new GraphProto { Name = "beam search" };
        proto.Graph.Node.Add(node);
        proto.Graph.Input.Add(decoder.Graph.Input[0]);
        foreach (var name in node.Input.Skip(1).SkipLast(1).Where(n => n.Length > 0))
            proto.Graph.Input.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor {
                ElemType = name.EndsWith("penalty") ? (int)TensorProto.Types.DataType.Float : (int)TensorProto.Types.DataType.Int32,
                Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimValue = 1 } } } } } });
        var mask = decoder.Graph.Input.Single(i => i.Name == "attention_mask").Clone();
        mask.Type.TensorType.Shape.Dim[1].DimParam = "sequence_length";
        proto.Graph.Input.Add(mask);
        proto.Graph.Output.Add(new ValueInfoProto { Name = "sequences" });
        if (proto.OpsetImport.All(o => o.Domain != "com.microsoft")) proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.microsoft", Version = 1 });

        var sequences = DirectOrt.Run(proto, SearchFeeds([5, 17, 3], 7, beams: 2))["sequences"];
        Assert.Equal([5f, 17f, 3f], sequences[..3]);

        var lifted = HookedModel.From(OnnxModel.FromProto(proto, Path.GetDirectoryName(path)));
        var plain = HookedModel.Load(path);
        Assert.Equal(plain.Map.Points.Select(p => p.Name), lifted.Map.Points.Select(p => p.Name));
        var feeds = FeedsFor(plain);
        var expected = Capture(plain, plain.Map.Points.Where(p => !p.IsPending), feeds);
        var actual = Capture(lifted, lifted.Map.Points.Where(p => !p.IsPending), feeds);
        foreach (var (name, tensor) in expected) Feeds.AssertBitIdentical(tensor, actual[name]);
    }

    static ModelProto BeamProto() => ModelIO.Load(Toy(Beam)!);

    static NodeProto Search(ModelProto proto) => proto.Graph.Node.Single();

    static GraphProto Unrecognisable()
    {
        var g = new GraphProto { Name = "not a decoder" };
        g.Input.Add(new ValueInfoProto { Name = "input_ids" });
        g.Output.Add(new ValueInfoProto { Name = "logits" });
        g.Node.Add(new NodeProto { OpType = "Identity", Input = { "input_ids" }, Output = { "logits" } });
        return g;
    }

    static string Save(ModelProto proto, string path)
    {
        ModelIO.Save(proto, path, TestPaths.OnnxModels); // the side file tiny-gpt2.weights is copied beside it
        return path;
    }
}
