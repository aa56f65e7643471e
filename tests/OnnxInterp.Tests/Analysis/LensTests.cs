using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Attribution;
using OnnxInterp.Analysis.Lens;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Analysis.LensSupport;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Analysis;

/// <summary>
/// The logit lens and direct logit attribution computed in C# from the weights, checked against the model's own logits.
/// Tolerances: the C# head sums in double from float32 weights while ONNX Runtime sums in float32 in another order, so
/// the two differ by float32 rounding of a d_model-long dot product: about 1e-6 relative to the logits' size. 1e-4
/// relative (or 1e-5 absolute for near-zero logits of random-weight models) leaves room for that and nothing else: a
/// wrong epsilon, a missing bias or a transposed W_U moves logits by 1e-3 relative or more.
/// </summary>
public sealed class LensTests
{
    [ExternalModelFact] public void Lens_equals_logits_on_a_fused_random_gpt2() => CheckLens(External("genai_tiny_random_gpt2_fp32_past.onnx"));
    [ShippedModelFact("attn-only-2l.onnx")] public void Lens_equals_logits_on_attn_only_2l() => CheckLens(Shipped("attn-only-2l.onnx"));
    [ShippedModelFact("attn-only-1l.onnx")] public void Lens_equals_logits_on_attn_only_1l() => CheckLens(Shipped("attn-only-1l.onnx"));
    [ShippedModelFact("modadd-p113.onnx")] public void Lens_equals_logits_on_modadd_without_layernorm() => CheckLens(Shipped("modadd-p113.onnx"));
    [ShippedModelFact("tiny-gpt2.onnx")] public void Lens_equals_logits_on_tiny_gpt2() => CheckLens(Shipped("tiny-gpt2.onnx"));
    [ShippedModelFact("tiny-gpt2-opset17.onnx")] public void Lens_equals_logits_on_tiny_gpt2_with_fused_layernorm() => CheckLens(Shipped("tiny-gpt2-opset17.onnx"));

    [ExternalModelFact] public void Attribution_adds_up_on_a_fused_random_gpt2() => CheckAttribution(External("genai_tiny_random_gpt2_fp32_past.onnx"));
    [ShippedModelFact("attn-only-2l.onnx")] public void Attribution_adds_up_on_attn_only_2l() => CheckAttribution(Shipped("attn-only-2l.onnx"));
    [ShippedModelFact("modadd-p113.onnx")] public void Attribution_adds_up_on_modadd_without_layernorm() => CheckAttribution(Shipped("modadd-p113.onnx"));
    [ShippedModelFact("tiny-gpt2.onnx")] public void Attribution_adds_up_on_tiny_gpt2() => CheckAttribution(Shipped("tiny-gpt2.onnx"));
    [ShippedModelFact("tiny-gpt2-opset17.onnx")] public void Attribution_adds_up_on_tiny_gpt2_with_fused_layernorm() => CheckAttribution(Shipped("tiny-gpt2-opset17.onnx"));

    static void CheckLens(HookedModel model)
    {
        var head = Unembedding.From(model);
        using var capture = new HookCapture(model, LogitLens.Hooks(model.Map), Device.Cpu);
        var rows = Rows(model);
        var captured = capture.Run(rows);
        for (int r = 0; r < rows.Length; r++)
        {
            var lens = LogitLens.Compute(captured, capture.Map, head, r, rows[r].Length - 1, answer: rows[r][1], topK: 3);
            Assert.Equal(model.Map.NLayers + 1, lens.Layers.Count);
            Assert.Equal("final_post", lens.Layers[^1].Label);
            Assert.True(lens.FinalMaxAbsError <= Math.Max(1e-5, 1e-4 * lens.LogitScale),
                $"row {r}: lens vs logits differ by {lens.FinalMaxAbsError:G3} (logits up to {lens.LogitScale:G3})");
        }
    }

    /// <summary>Direct logit attribution with the cached final scale adds up to the model's logit difference.</summary>
    static void CheckAttribution(HookedModel model)
    {
        foreach (bool perHead in new[] { true, false })
        {
            var dla = new DirectLogitAttribution(model, perHead);
            using var capture = new HookCapture(model, dla.Hooks, Device.Cpu);
            var rows = Rows(model);
            var captured = capture.Run(rows);
            for (int r = 0; r < rows.Length; r++)
            {
                var s = dla.Attribute(captured, new AttributionTarget(r, rows[r].Length - 1, rows[r][1], rows[r][2]));
                double scale = Math.Max(1, Math.Abs(s.Actual));
                // The cached scale makes the decomposition exact: only float rounding separates sum and logit difference.
                Assert.True(Math.Abs(s.Total - s.Actual) <= 1e-4 * scale, $"perHead={perHead} row {r}: total {s.Total} vs actual {s.Actual}");
                Assert.True(s.ResidualError <= 1e-4, $"pieces miss the final residual by {s.ResidualError:G3}");
                Assert.Equal(perHead ? model.Map.NLayers * model.Map.NHeads : model.Map.NLayers, s.Components.Count(c => c.Kind is "head" or "attn"));
            }
        }
    }

    [ExternalModelFact]
    public void Unembedding_reads_eps_and_tied_weights_of_a_fused_export()
    {
        var head = Unembedding.From(External("genai_tiny_random_gpt2_fp32_past.onnx"));
        Assert.True(head.HasLayerNorm);
        Assert.Equal(1e-5, head.Epsilon, 9);
        Assert.Equal(1000, head.Vocab);
        Assert.Equal(32, head.DModel);
    }

    internal static HookedModel External(string file) => HookedModel.Load(TestPaths.External(file));

    internal static HookedModel Shipped(string file) => HookedModel.Load(ShippedModelFactAttribute.PathOf(file));

    /// <summary>Two rows of different lengths (so the batch is padded), with ids inside every model's vocabulary.</summary>
    static int[][] Rows(HookedModel model)
    {
        if (model.Map.Config.NCtx == 3) return [[5, 17, 113], [100, 40, 113]]; // modadd: "a b ="
        int bos = BosToken.Of(model);
        return [[bos, 11, 22, 33, 44, 55, 11, 22], [bos, 7, 8, 9, 7]];
    }
}
