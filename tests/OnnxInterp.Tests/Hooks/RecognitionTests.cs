using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Onnx.Proto;
using OnnxInterp.Tests.Support;
using static OnnxInterp.Tests.Hooks.HookTestSupport;

namespace OnnxInterp.Tests.Hooks;

public class RecognitionTests
{
    [ExternalModelTheory]
    [ClassData(typeof(ExternalGpt2Models))]
    public void External_gpt2_exports_have_every_standard_hook_in_its_layout(string label) => AssertStandardHooks(Load(label));

    [ToyModelTheory]
    [ClassData(typeof(ToyModelFiles))]
    public void Toy_models_have_every_standard_hook_in_its_layout(string label) => AssertStandardHooks(Load(label));

    [ExternalModelFact]
    public void Gpt2_exports_report_their_config()
    {
        var plain = Load("external/ort_gpt2model_pt13_opset11_nopast.onnx").Map;
        Assert.Equal(new HookConfig("gpt2", 12, 2, 4, 2, 16, 20, 8, Eps: 1e-5), plain.Config); // eps: the Add before Sqrt
        Assert.False(plain.Contains("logits")); // GPT2Model: no LM head; its output is ln_final's output
        Assert.True(plain.Contains("ln_final.hook_normalized"));

        var lnFused = Load("external/ort_gpt2_1layer_lnfused_nopast.onnx").Map;
        Assert.Equal(new HookConfig("gpt2", 1, 2, 4, 2, 16, 20, 8, Eps: 1e-5), lnFused.Config);
        Assert.False(lnFused.Contains("ln_final.hook_scale")); // this slice of GPT-2 ends at the block's residual

        var fused = Load("external/genai_tiny_random_gpt2_fp32_past.onnx").Map;
        Assert.Equal(new HookConfig("gpt2", 5, 4, 32, 8, 128, 1000, 512, Eps: 1e-5), fused.Config);
        Assert.Equal("onnx::MatMul_1400", fused.Parameter("W_U").Tensor);
        Assert.False(fused.Parameter("W_U").Transposed);
        Assert.Equal(["head*d_head", "d_model"], plain.Parameter("blocks.3.attn.W_O").StoredAxes);
    }

    [ExternalModelFact]
    public void Onnx_runtime_only_ops_are_unfused_on_load()
    {
        foreach (var file in new[] { "ort_gpt2_1layer_lnfused_nopast.onnx", "genai_tiny_random_gpt2_fp32_past.onnx" })
        {
            var original = OnnxModel.Load(TestPaths.External(file));
            int before = original.Graph.Nodes.Count;
            var hooked = HookedModel.From(original);
            Assert.NotEmpty(hooked.Changes);
            Assert.DoesNotContain(hooked.Model.Graph.Nodes, n => n.Domain == "com.microsoft" || n.OpType == "LayerNormalization");
            Assert.Equal(before, original.Graph.Nodes.Count); // the input model is untouched
        }
    }

    [ExternalModelFact]
    public void Unfused_layer_norm_and_fast_gelu_model_computes_what_the_original_does()
    {
        // The original runs in ONNX Runtime (which knows its own LayerNormalization and FastGelu kernels).
        var original = OnnxModel.Load(TestPaths.External("ort_gpt2_1layer_lnfused_nopast.onnx"));
        var hooked = HookedModel.From(original);
        var feeds = FeedsFor(hooked);
        var expected = Outputs(original, feeds)["471"];
        var actual = Outputs(hooked.Model, feeds)["471"];
        Feeds.AssertClose(expected, actual, 1e-5);
    }

    [ExternalModelFact]
    public void A_fused_op_that_cannot_be_unfused_makes_the_model_unrecognised_not_a_crash()
    {
        var model = OnnxModel.Load(TestPaths.External("genai_tiny_random_gpt2_fp32_past.onnx"));
        var g = model.Graph.Clone();
        var attention = g.Nodes.First(n => n.OpType == "Attention");
        attention.Attributes.RemoveAll(a => a.Name == "num_heads");
        var e = Assert.Throws<UnrecognisedModelException>(() => HookedModel.From(model.WithGraph(g)));
        Assert.Contains("cannot unfuse", e.Message);
        Assert.Contains("no num_heads attribute", e.Message);
        Assert.Contains("com.microsoft.Attention x5", e.Message); // the diagnosis still says what the graph holds
    }

    [ExternalModelFact]
    public void A_post_layer_norm_encoder_is_not_mistaken_for_a_decoder()
    {
        var e = Assert.Throws<UnrecognisedModelException>(() => HookedModel.Load(TestPaths.External("optimum_tiny_distilbert_sst2.onnx")));
        Assert.Contains("post-LN", e.Message);
        Assert.Contains("2 Softmax", e.Message);
        Assert.Contains("5 decomposed LayerNorm", e.Message);
        Assert.Contains("distilbert.transformer.layer.{n}.attention.q_lin", e.Message);
        Assert.Contains("docs/hooks.md", e.Message);
    }

    [Fact]
    public void A_graph_without_attention_gets_a_message_saying_what_was_found_and_what_to_do()
    {
        var e = Assert.Throws<UnrecognisedModelException>(() => HookedModel.From(TinyGraphs.TwoLayer()));
        Assert.Contains("no Softmax", e.Message);
        Assert.Contains("0 Softmax (attention candidates), 0 decomposed LayerNorm patterns", e.Message);
        Assert.Contains("node scopes: none", e.Message);
        Assert.Contains("--hook-map", e.Message);
        Assert.Contains("docs/hooks.md", e.Message);
    }

    [Fact]
    public void A_softmax_that_is_not_attention_is_named_in_the_message()
    {
        var g = new GraphProto { Name = "classifier" };
        g.Input.Add(TinyGraphs.ValueInfo("x", TensorProto.Types.DataType.Float, "batch", 3));
        g.Output.Add(TinyGraphs.ValueInfo("p", TensorProto.Types.DataType.Float, "batch", 3));
        g.Node.Add(TinyGraphs.NodeOf("Softmax", "/head/Softmax", ["x"], ["p"]));
        var proto = new ModelProto { IrVersion = 8, Graph = g };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });

        var e = Assert.Throws<UnrecognisedModelException>(() => HookedModel.From(OnnxModel.FromProto(proto)));
        Assert.Contains("block 0: no q·k MatMul feeds Softmax '/head/Softmax'", e.Message);
        Assert.Contains("node scopes: /head/", e.Message);
    }

    [ToyModelFact("attn-only-2l.onnx")]
    public void Attention_only_models_have_no_mlp_or_resid_mid_hooks()
    {
        var map = Load("onnx-models/attn-only-2l.onnx").Map;
        Assert.Equal("attn-only", map.Config.Architecture);
        Assert.True(map.Config.AttnOnly);
        Assert.DoesNotContain(map.Points, p => p.Name.Value.Contains("mlp") || p.Name.Value.Contains("resid_mid") || p.Name.Value.Contains("ln2"));
        Assert.Equal(HookKind.Layout, map["hook_pos_embed"].Kind); // W_pos[:seq] expanded over the batch
    }

    [ToyModelFact("modadd-p113.onnx")]
    public void A_model_without_layer_norm_has_no_layer_norm_hooks()
    {
        var map = Load("onnx-models/modadd-p113.onnx").Map;
        Assert.Equal("none", map.Config.Normalization);
        Assert.DoesNotContain(map.Points, p => p.Name.Value.Contains("ln"));
        Assert.True(map.Contains("blocks.0.mlp.hook_post"));
    }

    [ToyModelFact("tiny-gpt2.onnx")]
    public void Tied_unembedding_is_reported_as_the_transposed_token_embedding()
    {
        var map = Load("onnx-models/tiny-gpt2.onnx").Map;
        Assert.Equal(map.Parameter("W_E").Tensor, map.Parameter("W_U").Tensor);
        Assert.True(map.Parameter("W_U").Transposed);
        Assert.Equal(["d_vocab", "d_model"], map.Parameter("W_U").StoredAxes);
    }

    /// <summary>Every standard family is present for every block, and every hook (derived ones too) has its layout at run time.</summary>
    internal static void AssertStandardHooks(HookedModel m)
    {
        var map = m.Map;
        var c = map.Config;
        var expected = new List<string> { "blocks.{l}.hook_resid_pre", "blocks.{l}.attn.hook_q", "blocks.{l}.attn.hook_k", "blocks.{l}.attn.hook_v",
            "blocks.{l}.attn.hook_attn_scores", "blocks.{l}.attn.hook_pattern", "blocks.{l}.attn.hook_z", "blocks.{l}.attn.hook_result",
            "blocks.{l}.hook_attn_out", "blocks.{l}.hook_resid_post", "blocks.{l}.hook_q_input", "blocks.{l}.hook_k_input", "blocks.{l}.hook_v_input" };
        if (!c.AttnOnly) expected.AddRange(["blocks.{l}.hook_resid_mid", "blocks.{l}.mlp.hook_pre", "blocks.{l}.mlp.hook_post", "blocks.{l}.hook_mlp_out"]);
        if (c.Normalization == "LN") expected.AddRange(["blocks.{l}.ln1.hook_scale", "blocks.{l}.ln1.hook_normalized"]);
        if (c.Normalization == "LN" && !c.AttnOnly) expected.AddRange(["blocks.{l}.ln2.hook_scale", "blocks.{l}.ln2.hook_normalized"]);
        for (int l = 0; l < c.NLayers; l++)
            foreach (var family in expected)
                Assert.True(map.Contains(HookNames.Format(family, l)), $"missing {HookNames.Format(family, l)} ({map.Source})");
        Assert.True(map.Contains("hook_embed") && map.Contains("hook_pos_embed"));
        Assert.All(map.Points, p => Assert.Equal(HookNames.StandardLayout(p.Name), p.Layout));

        var ready = m.WithDerived("*");
        Assert.DoesNotContain(ready.Map.Points, p => p.IsPending);
        int seq = SeqFor(m);
        var sizes = new Dictionary<string, long>
        {
            ["batch"] = 2, ["pos"] = seq, ["q_pos"] = seq, ["k_pos"] = seq, ["head"] = c.NHeads, ["d_head"] = c.DHead,
            ["d_model"] = c.DModel, ["d_mlp"] = c.DMlp, ["vocab"] = c.DVocab, ["1"] = 1,
        };
        var captured = Capture(ready, ready.Map.Points, FeedsFor(ready));
        foreach (var p in ready.Map.Points)
            Assert.True(p.Layout.Axes.Select(a => sizes[a]).SequenceEqual(captured[p.Name].Shape),
                $"{p.Name} ({p.Tensor}) should be {p.Layout} = [{string.Join(", ", p.Layout.Axes.Select(a => sizes[a]))}] but is [{string.Join(", ", captured[p.Name].Shape)}]");
    }
}
