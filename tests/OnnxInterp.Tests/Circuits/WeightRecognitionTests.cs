using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Hooks.Weights;
using OnnxInterp.Onnx;
using OnnxInterp.Onnx.Proto;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Circuits;

/// <summary>Weights recognised from the hook map equal the columns and rows of the raw initializers the export stores.</summary>
public class WeightRecognitionTests
{
    const int Heads = 4, DHead = 16, DModel = 64;

    [ToyModelFact("tiny-gpt2.onnx")]
    public void Tiny_gpt2_every_head_reads_its_columns_of_c_attn_and_its_rows_of_c_proj()
    {
        var hooked = HookTestSupport.Load("onnx-models/tiny-gpt2.onnx");
        var weights = new ModelWeights(hooked);
        var file = OnnxModel.Load(HookTestSupport.PathOf("onnx-models/tiny-gpt2.onnx"));
        for (int l = 0; l < 4; l++)
        {
            var cAttn = RawWeights.Read(file, $"transformer.h.{l}.attn.c_attn.weight");
            var cAttnBias = RawWeights.Read(file, $"transformer.h.{l}.attn.c_attn.bias");
            var cProj = RawWeights.Read(file, $"transformer.h.{l}.attn.c_proj.weight");
            for (int h = 0; h < Heads; h++)
            {
                var head = weights.Head(l, h);
                RawWeights.AssertEqual(RawWeights.Columns(cAttn, DModel, 3 * DModel, h * DHead, DHead), head.WQ, $"L{l}H{h} W_Q");
                RawWeights.AssertEqual(RawWeights.Columns(cAttn, DModel, 3 * DModel, DModel + h * DHead, DHead), head.WK, $"L{l}H{h} W_K");
                RawWeights.AssertEqual(RawWeights.Columns(cAttn, DModel, 3 * DModel, 2 * DModel + h * DHead, DHead), head.WV, $"L{l}H{h} W_V");
                RawWeights.AssertEqual(RawWeights.Rows(cProj, DModel, h * DHead, DHead), head.WO, $"L{l}H{h} W_O");
                Assert.Equal(cAttnBias.AsSpan(DModel + h * DHead, DHead).ToArray(), head.BK);
            }
            RawWeights.AssertEqual(RawWeights.Columns(RawWeights.Read(file, $"transformer.h.{l}.mlp.c_fc.weight"), DModel, 256, 0, 256),
                weights.Matrix($"blocks.{l}.mlp.W_in"), "W_in");
            Assert.Equal(RawWeights.Read(file, $"transformer.h.{l}.ln_1.weight"), weights.VectorOrNull($"blocks.{l}.ln1.w"));
        }
    }

    [ToyModelFact("tiny-gpt2.onnx")]
    public void Tiny_gpt2_unembedding_is_the_token_embedding_transposed()
    {
        var hooked = HookTestSupport.Load("onnx-models/tiny-gpt2.onnx");
        var weights = new ModelWeights(hooked);
        var wte = RawWeights.Read(OnnxModel.Load(HookTestSupport.PathOf("onnx-models/tiny-gpt2.onnx")), "transformer.wte.weight");
        var wU = weights.Matrix("W_U");
        Assert.Equal((DModel, 50257), (wU.Rows, wU.Columns));
        for (int v = 0; v < 50257; v += 7)
            for (int d = 0; d < DModel; d++)
                Assert.Equal(wte[v * DModel + d], wU[d, v]);
        var row = Assert.Single(WeightTable.Of(hooked), r => r.Name == "W_U");
        Assert.Contains("tied", row.Derivation);
        Assert.Equal([DModel, 50257L], row.Shape);
    }

    [Theory]
    [InlineData("tiny-gpt2-opset17.onnx")]
    [InlineData("tiny-gpt2-past.onnx")]
    [InlineData("tiny-gpt2-merged.onnx")]
    [InlineData("tiny-gpt2-dynamo.onnx")]
    public void Tiny_gpt2_variants_read_the_same_weights_as_the_plain_export(string variant)
    {
        if (HookTestSupport.Toy(variant) is null || HookTestSupport.Toy("tiny-gpt2.onnx") is null) return;
        var plain = new ModelWeights(HookTestSupport.Load("onnx-models/tiny-gpt2.onnx"));
        var other = new ModelWeights(HookTestSupport.Load("onnx-models/" + variant));
        Assert.Equal(plain.Map.Parameters.Keys.Order(), other.Map.Parameters.Keys.Order());
        foreach (var (name, p) in plain.Map.Parameters)
        {
            float[] a = p.StoredAxes.Count == 2 ? plain.Matrix(name).Values : plain.VectorOrNull(name)!;
            float[] b = p.StoredAxes.Count == 2 ? other.Matrix(name).Values : other.VectorOrNull(name)!;
            Assert.True(a.AsSpan().SequenceEqual(b), $"{variant}: {name} differs");
        }
        for (int l = 0; l < 4; l++)
            for (int h = 0; h < Heads; h++)
                Assert.True(plain.Head(l, h).WV.Values.AsSpan().SequenceEqual(other.Head(l, h).WV.Values), $"{variant}: L{l}H{h} W_V differs");
    }

    [ExternalModelFact]
    public void Packed_attention_weights_split_into_the_heads_the_fused_op_reads()
    {
        var path = TestPaths.External("genai_tiny_random_gpt2_fp32_past.onnx");
        var file = OnnxModel.Load(path);
        var attention = file.Graph.Nodes.Where(n => n.OpType == "Attention").ToList();
        Assert.Equal(5, attention.Count);
        var weights = new ModelWeights(HookedModel.Load(path));
        const int d = 8, model = 32;
        for (int l = 0; l < 5; l++)
        {
            // The fused op's own inputs: packed [d_model, 3 d_model] weights and [3 d_model] bias, q | k | v, heads in order.
            var packed = RawWeights.Read(file, attention[l].Inputs[1]);
            var bias = RawWeights.Read(file, attention[l].Inputs[2]);
            for (int h = 0; h < 4; h++)
            {
                var head = weights.Head(l, h);
                RawWeights.AssertEqual(RawWeights.Columns(packed, model, 3 * model, h * d, d), head.WQ, $"L{l}H{h} W_Q");
                RawWeights.AssertEqual(RawWeights.Columns(packed, model, 3 * model, model + h * d, d), head.WK, $"L{l}H{h} W_K");
                RawWeights.AssertEqual(RawWeights.Columns(packed, model, 3 * model, 2 * model + h * d, d), head.WV, $"L{l}H{h} W_V");
                Assert.Equal(bias.AsSpan(2 * model + h * d, d).ToArray(), head.BV);
            }
        }
        var wU = Assert.Single(WeightTable.Of(weights.Model), r => r.Name == "W_U");
        Assert.Equal("onnx::MatMul_1400", wU.Source);
        Assert.Contains("constant-folded", wU.Derivation);
    }

    [ToyModelFact("attn-only-2l.onnx")]
    public void Float16_weights_are_read_widened_to_float32()
    {
        var path = HookTestSupport.PathOf("onnx-models/attn-only-2l.onnx");
        var original = OnnxModel.Load(path);
        var g = original.Graph.Clone();
        foreach (var name in new[] { "blocks.1.attn.W_QKV", "blocks.1.attn.W_O" })
        {
            var halves = RawWeights.Read(original, name).Select(v => (Half)v).ToArray();
            var fp16 = g.FreshName(name + "_fp16");
            g.AddInitializer(TensorProtos.Raw(fp16, TensorProto.Types.DataType.Float16, RawWeights.Dims(original, name),
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(halves.AsSpan())));
            g.RedirectConsumers(name, fp16);
        }
        var weights = new ModelWeights(HookedModel.From(original.WithGraph(g)));
        var qkv = RawWeights.Read(original, "blocks.1.attn.W_QKV");
        var wQ = weights.Head(1, 2).WQ;
        for (int i = 0; i < DModel; i++)
            for (int j = 0; j < DHead; j++)
                Assert.Equal((float)(Half)qkv[i * 3 * DModel + 2 * DHead + j], wQ[i, j]);
        Assert.Contains(WeightTable.Of(weights.Model), r => r.Name == "blocks.1.attn.W_Q" && r.StoredType == "FLOAT16" && r.Source == "blocks.1.attn.W_QKV_fp16");
    }

    [ExternalModelFact]
    public void Gemm_with_transB_reads_the_transposed_weight_back()
    {
        var path = TestPaths.External("ort_gpt2model_pt13_opset11_nopast.onnx");
        var original = OnnxModel.Load(path);
        var g = original.Graph.Clone();
        int rewritten = 0;
        foreach (var gemm in g.Nodes.Where(n => n.OpType == "Gemm" && g.IsInitializer(n.Inputs[1])).ToList())
        {
            var w = g.Initializers[gemm.Inputs[1]];
            int rows = (int)w.Dims[0], cols = (int)w.Dims[1];
            var values = TensorProtos.ReadFloats(w);
            var t = new float[values.Length];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) t[c * rows + r] = values[r * cols + c];
            var name = g.FreshName(gemm.Inputs[1] + "_T");
            g.AddInitializer(TensorProtos.Float(name, [cols, rows], t));
            g.SetNodeInput(gemm, 1, name);
            gemm.Attributes.RemoveAll(a => a.Name == "transB");
            gemm.Attributes.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
            rewritten++;
        }
        Assert.True(rewritten >= 12, $"only {rewritten} Gemm nodes rewritten");
        var plain = new ModelWeights(HookedModel.From(original));
        var transB = new ModelWeights(HookedModel.From(original.WithGraph(g)));
        for (int l = 0; l < 12; l++)
            for (int h = 0; h < 2; h++)
            {
                Assert.Equal(plain.Head(l, h).WK.Values, transB.Head(l, h).WK.Values);
                Assert.Equal(plain.Head(l, h).WO.Values, transB.Head(l, h).WO.Values);
            }
        Assert.Contains(WeightTable.Of(transB.Model), r => r.Name == "blocks.3.attn.W_V" && r.Derivation.Contains("transB=1"));
    }

    [ExternalModelFact]
    public void A_model_whose_query_weights_are_not_recorded_says_which_head_and_what_it_found()
    {
        // The DistilBERT hook map records hooks and biases but no W_Q: the reader must say where q comes from instead.
        var model = HookedModel.Load(TestPaths.External("optimum_tiny_distilbert_sst2.onnx"),
            Path.Combine(TestPaths.RepoRoot, "docs", "examples", "distilbert.hookmap.json"));
        var e = Assert.Throws<HookMapException>(() => new ModelWeights(model).Head(1, 1));
        Assert.Contains("W_Q of layer 1 (head 1)", e.Message);
        Assert.Contains("MatMul", e.Message);
        Assert.True(e.Message.Contains("initializer [2, 2]"), e.Message);
        Assert.Contains("--hook-map", e.Message);
    }
}
