using OnnxInterp.Analysis.Circuits;
using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Hooks.Weights;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Circuits;

/// <summary>LayerNorm folding and weights named by a hook-map file, against loops over the raw initializers.</summary>
public class CircuitWeightsTests
{
    const string Model = "onnx-models/attn-only-2l.onnx";

    [ToyModelFact("attn-only-2l.onnx")]
    public void Folding_ln1_centres_and_scales_the_rows_of_w_q()
    {
        var file = OnnxModel.Load(HookTestSupport.PathOf(Model));
        var w = RawWeights.Read(file, "blocks.1.ln1.w");
        var wQ = RawWeights.Columns(RawWeights.Read(file, "blocks.1.attn.W_QKV"), 64, 192, 2 * 16, 16);
        // P diag(w) W_Q with P = I - 11ᵀ/64: scale row i by w[i], then subtract each column's mean.
        var expected = new double[64, 16];
        for (int j = 0; j < 16; j++)
        {
            double mean = 0;
            for (int i = 0; i < 64; i++) mean += w[i] * wQ[i, j] / 64;
            for (int i = 0; i < 64; i++) expected[i, j] = w[i] * wQ[i, j] - mean;
        }
        var folded = new CircuitWeights(HookTestSupport.Load(Model), foldLayerNorm: true);
        var q = folded.Head(1, 2).Q;
        for (int i = 0; i < 64; i++)
            for (int j = 0; j < 16; j++) Assert.Equal(expected[i, j], q[i, j], 1e-6);
        Assert.Contains("blocks.1.ln1.w (centring and scale) into blocks.1.attn.W_Q, W_K, W_V", folded.Folded);
        Assert.Empty(new CircuitWeights(HookTestSupport.Load(Model)).Folded);
    }

    [ToyModelFact("attn-only-2l.onnx")]
    public void A_hook_map_file_can_name_each_part_of_a_fused_qkv_weight_by_columns()
    {
        using var dir = new TempDir();
        var map = dir.File("map.json");
        File.WriteAllText(map, """
            {
              "config": { "architecture": "attn-only", "n_layers": 2, "n_heads": 4, "d_model": 64, "d_head": 16, "d_mlp": 0, "d_vocab": 512 },
              "hooks": { "hook_embed": { "op": "Gather", "reads": "embed.W_E" } },
              "parameters": {
                "W_E": { "tensor": "embed.W_E", "axes": ["d_vocab", "d_model"] },
                "W_U": { "tensor": "unembed.W_U", "axes": ["d_model", "d_vocab"] },
                "blocks.{l}.attn.W_Q": { "tensor": "blocks.{l}.attn.W_QKV", "axes": ["d_model", "qkv"], "columns": [0, 64] },
                "blocks.{l}.attn.W_K": { "tensor": "blocks.{l}.attn.W_QKV", "axes": ["d_model", "qkv"], "columns": [64, 64] },
                "blocks.{l}.attn.W_V": { "tensor": "blocks.{l}.attn.W_QKV", "axes": ["d_model", "qkv"], "columns": [128, 64] },
                "blocks.{l}.attn.W_O": { "tensor": "blocks.{l}.attn.W_O", "axes": ["head*d_head", "d_model"] }
              }
            }
            """);
        var fromFile = new ModelWeights(HookedModel.Load(HookTestSupport.PathOf(Model), map));
        var recognised = new ModelWeights(HookTestSupport.Load(Model));
        for (int l = 0; l < 2; l++)
            for (int h = 0; h < 4; h++)
            {
                var (a, b) = (fromFile.Head(l, h), recognised.Head(l, h));
                Assert.Equal(b.WQ.Values, a.WQ.Values);
                Assert.Equal(b.WK.Values, a.WK.Values);
                Assert.Equal(b.WV.Values, a.WV.Values);
                Assert.Equal(b.WO.Values, a.WO.Values);
            }
    }
}
