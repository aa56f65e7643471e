using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Onnx;
using OnnxInterp.Onnx.Proto;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Support;
using static OnnxInterp.Tests.Hooks.HookTestSupport;

namespace OnnxInterp.Tests.Hooks;

/// <summary>Derived hooks add tensors (and recompute what reads them) without changing the model's outputs beyond 1e-5.</summary>
public class DerivedHookTests
{
    const double Tolerance = 1e-5; // the derived path sums in another order than the fused projection

    [ExternalModelTheory]
    [ClassData(typeof(ExternalGpt2Models))]
    public void External_head_results_sum_to_the_attention_output(string label) => AssertHeadResults(Load(label));

    [ToyModelTheory]
    [ClassData(typeof(ToyModelFiles))]
    public void Toy_head_results_sum_to_the_attention_output(string label) => AssertHeadResults(Load(label));

    [ExternalModelTheory]
    [ClassData(typeof(ExternalGpt2Models))]
    public void External_split_qkv_inputs_broadcast_the_residual_and_keep_q_k_v(string label) => AssertSplitInputs(Load(label));

    [ToyModelTheory]
    [ClassData(typeof(ToyModelFiles))]
    public void Toy_split_qkv_inputs_broadcast_the_residual_and_keep_q_k_v(string label) => AssertSplitInputs(Load(label));

    [ExternalModelFact]
    public void Zero_patching_one_head_result_removes_exactly_that_head_from_the_attention_output()
    {
        var m = Load("external/ort_gpt2model_pt13_opset11_nopast.onnx").WithDerived("blocks.2.attn.hook_result");
        var result = m.Map["blocks.2.attn.hook_result"];
        var attnOut = m.Map["blocks.2.hook_attn_out"];
        var patched = InsertPatchPoints.Apply(m.Model, [new PatchRequest(result.Tensor, PatchSource.Zero)]);
        var point = Assert.Single(patched.PatchPoints);
        using var compiled = SessionFactory.Compile(Expose.Apply(patched.Model, [result.Tensor, attnOut.Tensor]).Model, Device.Cpu);
        var feeds = FeedsFor(m);
        long heads = m.Map.NHeads;

        var off = compiled.Run([.. feeds, NamedTensor.Bool(point.MaskInput, [1, 1, heads, 1], new bool[heads])]);
        var plain = Outputs(m.Model, feeds);
        Feeds.AssertBitIdentical(plain["hidden_states"], off["hidden_states"]);

        var headZero = new bool[heads];
        headZero[0] = true;
        var on = compiled.Run([.. feeds, NamedTensor.Bool(point.MaskInput, [1, 1, heads, 1], headZero)]);
        var r = on[result.Tensor]; // the exposed tensor is the unpatched result
        var bias = Weight(m.Model, m.Map.Parameter("blocks.2.attn.b_O").Tensor);
        long d = m.Map.DModel;
        var expected = new float[on[attnOut.Tensor].Count];
        for (long row = 0; row < expected.Length / d; row++)
            for (long i = 0; i < d; i++)
            {
                double sum = bias[i];
                for (long h = 1; h < heads; h++) sum += r.ToFloats()[(row * heads + h) * d + i];
                expected[row * d + i] = (float)sum;
            }
        Feeds.AssertClose(NamedTensor.Float("expected", on[attnOut.Tensor].Shape, expected), on[attnOut.Tensor], Tolerance);
        Assert.NotEqual(plain["hidden_states"].Floats, on["hidden_states"].Floats);
    }

    [ExternalModelFact]
    public void Deriving_leaves_the_hooked_model_it_started_from_untouched()
    {
        var m = Load("external/ort_gpt2model_pt13_opset11_nopast.onnx");
        int nodes = m.Model.Graph.Nodes.Count;
        var derived = m.WithDerived("blocks.*.attn.hook_result", "blocks.0.hook_q_input");
        Assert.Equal(nodes, m.Model.Graph.Nodes.Count);
        Assert.True(m.Map["blocks.0.attn.hook_result"].IsPending);
        Assert.False(derived.Map["blocks.0.attn.hook_result"].IsPending);
        Assert.NotEqual(m.Map["blocks.0.hook_attn_out"].Tensor, derived.Map["blocks.0.hook_attn_out"].Tensor);
        Assert.Same(m, m.WithDerived("blocks.*.hook_resid_pre")); // nothing to derive
    }

    [ExternalModelFact]
    public void Prepare_derives_what_a_glob_needs_and_returns_the_points()
    {
        var m = Load("external/ort_gpt2_1layer_lnfused_nopast.onnx");
        var (ready, points) = m.Prepare(["blocks.0.attn.hook_{result,pattern}", "hook_embed"]);
        Assert.Equal(["hook_embed", "blocks.0.attn.hook_pattern", "blocks.0.attn.hook_result"], points.Select(p => p.Name.Value));
        Assert.All(points, p => Assert.True(ready.Model.Graph.Contains(p.Tensor)));
    }

    [Fact]
    public void A_layer_normalization_op_is_decomposed_with_its_scale_as_a_tensor()
    {
        var model = LayerNormalizationModel();
        var decomposed = DerivedLayerNorm.Apply(model, [new DerivedLayerNorm.Request("y", "scale", "normalized")]).Model;
        Assert.DoesNotContain(decomposed.Graph.Nodes, n => n.OpType == "LayerNormalization");
        Assert.Contains(model.Graph.Nodes, n => n.OpType == "LayerNormalization"); // input untouched
        var x = NamedTensor.Float("x", [2, 3, 4], [.. Enumerable.Range(0, 24).Select(i => (float)Math.Sin(i * 1.7) * 3)]);
        var expected = Outputs(model, [x])["y"];
        using var compiled = SessionFactory.Compile(Expose.Apply(decomposed, ["scale", "normalized"]).Model, Device.Cpu);
        var outputs = compiled.Run([x]);
        Feeds.AssertClose(expected, outputs["y"], Tolerance);
        Assert.Equal([2L, 3, 1], outputs["scale"].Shape);
        HookIdentityTests.AssertLayerNormHooks(x, outputs["scale"], outputs["normalized"]);
    }

    [Fact]
    public void A_layout_fix_transposes_a_tensor_and_leaves_the_output_bit_identical()
    {
        var model = TypeProbe.Fill(TinyGraphs.TwoLayer());
        var fixedModel = DerivedTranspose.Apply(model, [new DerivedTranspose.Request("h", [1, 0], "h_t")]).Model;
        var x = NamedTensor.Float("x", [2, 3], [1f, -2f, 0.5f, 0.25f, 3f, -1f]);
        var plain = Outputs(model, [x]);
        using var compiled = SessionFactory.Compile(Expose.Apply(fixedModel, ["h", "h_t"]).Model, Device.Cpu);
        var outputs = compiled.Run([x]);
        Feeds.AssertBitIdentical(plain["y"], outputs["y"]);
        Assert.Equal([4L, 2], outputs["h_t"].Shape);
        Assert.Equal(outputs["h"].At(1, 2), outputs["h_t"].At(2, 1));
    }

    [ToyModelFact("tiny-gpt2-opset17.onnx")]
    public void Layer_norm_hooks_of_an_opset_17_model_are_derived_on_demand_without_changing_logits()
    {
        var m = Load("onnx-models/tiny-gpt2-opset17.onnx");
        Assert.True(m.Map["blocks.0.ln1.hook_scale"].IsPending);
        var derived = m.WithDerived("*.hook_scale");
        Assert.False(derived.Map["ln_final.hook_normalized"].IsPending); // scale and normalized come from one decomposition
        var feeds = FeedsFor(m);
        Feeds.AssertClose(Outputs(m.Model, feeds)["logits"], Outputs(derived.Model, feeds)["logits"], Tolerance);
    }

    static void AssertHeadResults(HookedModel m)
    {
        var feeds = FeedsFor(m);
        var original = Capture(m, m.Map.Select("blocks.*.hook_attn_out"), feeds);
        var derived = m.WithDerived("blocks.*.attn.hook_result");
        var caps = Capture(derived, derived.Map.Select("blocks.*.attn.hook_result"), feeds);
        long heads = m.Map.NHeads, d = m.Map.DModel;
        for (int l = 0; l < m.Map.NLayers; l++)
        {
            var result = caps[$"blocks.{l}.attn.hook_result"].ToFloats();
            var attnOut = original[$"blocks.{l}.hook_attn_out"];
            var bias = m.Map.Parameters.TryGetValue($"blocks.{l}.attn.b_O", out var b) ? Weight(m.Model, b.Tensor) : new float[d];
            var sum = new float[attnOut.Count];
            for (long row = 0; row < sum.Length / d; row++)
                for (long i = 0; i < d; i++)
                {
                    double s = bias[i];
                    for (long h = 0; h < heads; h++) s += result[(row * heads + h) * d + i];
                    sum[row * d + i] = (float)s;
                }
            Feeds.AssertClose(attnOut, NamedTensor.Float(attnOut.Name, attnOut.Shape, sum), Tolerance);
        }
        AssertSameOutputs(m, original, caps);
    }

    static void AssertSplitInputs(HookedModel m)
    {
        var feeds = FeedsFor(m);
        var original = Capture(m, m.Map.Select(["blocks.*.attn.hook_{q,k,v}", "blocks.*.hook_resid_pre"]), feeds);
        var derived = m.WithDerived("blocks.*.hook_*_input");
        var caps = Capture(derived, derived.Map.Select(["blocks.*.hook_*_input", "blocks.*.attn.hook_{q,k,v}", "blocks.*.hook_resid_pre"]), feeds);
        long heads = m.Map.NHeads, d = m.Map.DModel;
        for (int l = 0; l < m.Map.NLayers; l++)
            foreach (var letter in new[] { "q", "k", "v" })
            {
                // Later blocks' residuals already went through earlier derived blocks: compare within the derived run.
                var resid = caps[$"blocks.{l}.hook_resid_pre"].ToFloats();
                var input = caps[$"blocks.{l}.hook_{letter}_input"].ToFloats();
                for (long row = 0; row < resid.Length / d; row++)
                    for (long h = 0; h < heads; h++)
                        for (long i = 0; i < d; i++)
                            Assert.Equal(resid[row * d + i], input[(row * heads + h) * d + i]);
                Feeds.AssertClose(original[$"blocks.{l}.attn.hook_{letter}"], caps[$"blocks.{l}.attn.hook_{letter}"], Tolerance);
            }
        AssertSameOutputs(m, original, caps);
    }

    static void AssertSameOutputs(HookedModel m, Dictionary<string, NamedTensor> original, Dictionary<string, NamedTensor> derived)
    {
        foreach (var o in m.Model.Graph.Outputs)
            Feeds.AssertClose(original[$"output:{o}"], derived[$"output:{o}"], Tolerance);
    }

    /// <summary>x [batch, pos, 4] -> LayerNormalization(w, b, eps 1e-5) -> y, at opset 17.</summary>
    static OnnxModel LayerNormalizationModel()
    {
        var g = new GraphProto { Name = "ln" };
        g.Input.Add(TinyGraphs.ValueInfo("x", TensorProto.Types.DataType.Float, "batch", "pos", 4));
        g.Output.Add(TinyGraphs.ValueInfo("y", TensorProto.Types.DataType.Float, "batch", "pos", 4));
        g.Initializer.Add(TensorProtos.Float("w", [4], [1f, 0.5f, -2f, 1.5f]));
        g.Initializer.Add(TensorProtos.Float("b", [4], [0.1f, 0f, -0.3f, 2f]));
        var node = TinyGraphs.NodeOf("LayerNormalization", "/ln_final/LayerNormalization", ["x", "w", "b"], ["y"]);
        node.Attribute.Add(new AttributeProto { Name = "epsilon", Type = AttributeProto.Types.AttributeType.Float, F = 1e-5f });
        g.Node.Add(node);
        var proto = new ModelProto { IrVersion = 8, Graph = g };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return OnnxModel.FromProto(proto);
    }
}
