using OnnxInterp.ModelForge.Models;
using OnnxInterp.Onnx.Proto;
using static OnnxInterp.ModelForge.Export.OnnxGraphBuilder;

namespace OnnxInterp.ModelForge.Export;

/// <summary>
/// Writes a <see cref="TransformerConfig"/> model as an ONNX graph with the op patterns torch.onnx's
/// TorchScript exporter produces for HF GPT2LMHeadModel (eager attention). Layout details: onnx-models/MODELS.md.
/// </summary>
public sealed class TransformerGraphWriter
{
    const float FloatMin = float.MinValue;
    public const string Producer = "onnxinterp-modelforge";

    readonly TransformerConfig _c;
    readonly ExportOptions _options;
    readonly WeightNames _w;
    readonly ModuleScopes _s;
    readonly OnnxGraphBuilder _b = new();

    TransformerGraphWriter(TransformerConfig config, ExportOptions options)
    {
        if ((options.WithPast || options.Presents) && !config.UsesGpt2Names)
            throw new ArgumentException("the past-key-values variant is only defined for the GPT-2 layout.");
        _c = config;
        _options = options;
        _w = WeightNames.For(config);
        _s = ModuleScopes.For(config);
    }

    /// <summary>
    /// Builds the model. <paramref name="weights"/> are the parameter initializers (shared, never modified);
    /// the causal-mask buffers are added here.
    /// </summary>
    public static ModelProto Build(TransformerConfig config, IEnumerable<TensorProto> weights, ExportOptions options)
    {
        var writer = new TransformerGraphWriter(config, options);
        foreach (var tensor in weights) writer._b.Initializer(tensor);
        return writer.Write();
    }

    ModelProto Write()
    {
        var g = _b.Graph;
        g.Name = "main_graph";
        bool gpt2 = _c.UsesGpt2Names;
        string seqParam = "sequence", keyParam = _options.WithPast ? "past_sequence + sequence" : "sequence";
        g.Input.Add(TensorProtos.ValueInfo("input_ids", TensorProtos.Int64, "batch", seqParam));
        if (gpt2)
        {
            g.Input.Add(TensorProtos.ValueInfo("attention_mask", TensorProtos.Int64, "batch", keyParam));
            g.Input.Add(TensorProtos.ValueInfo("position_ids", TensorProtos.Int64, "batch", seqParam));
        }
        if (_options.WithPast)
            for (int l = 0; l < _c.Layers; l++)
                foreach (var kind in new[] { "key", "value" })
                    g.Input.Add(TensorProtos.ValueInfo($"past_key_values.{l}.{kind}", TensorProtos.Float, "batch", _c.Heads, "past_sequence", _c.DHead));
        g.Output.Add(TensorProtos.ValueInfo("logits", TensorProtos.Float, "batch", seqParam, _c.Vocab));
        if (_options.Presents)
            for (int l = 0; l < _c.Layers; l++)
                foreach (var kind in new[] { "key", "value" })
                    g.Output.Add(TensorProtos.ValueInfo($"present.{l}.{kind}", TensorProtos.Float, "batch", _c.Heads, keyParam, _c.DHead));

        var x = gpt2 ? Gpt2Embeddings() : LensEmbeddings();
        var additiveMask = gpt2 ? AdditiveAttentionMask() : null;
        for (int l = 0; l < _c.Layers; l++)
        {
            _b.Initializer(TensorProtos.CausalMask(_w.CausalMask(l), _c.NCtx, gpt2 ? [1, 1, _c.NCtx, _c.NCtx] : [_c.NCtx, _c.NCtx]));
            var h = _c.HasLayerNorm ? LayerNorm(_s.Ln1(l), x, _w.Ln1Weight(l), _w.Ln1Bias(l)) : x;
            x = _b.Op(_s.Block(l), "Add", x, Attention(l, h, additiveMask));
            if (!_c.HasMlp) continue;
            var h2 = _c.HasLayerNorm ? LayerNorm(_s.Ln2(l), x, _w.Ln2Weight(l), _w.Ln2Bias(l)) : x;
            var pre = Linear(_s.MlpIn(l), h2, _w.MlpInWeight(l), _w.MlpInBias(l));
            var post = gpt2 ? GeluTanh(_s.Activation(l), pre) : _b.Op(_s.Activation(l), "Relu", pre);
            x = _b.Op(_s.Block(l), "Add", x, Linear(_s.MlpOut(l), post, _w.MlpOutWeight(l), _w.MlpOutBias(l)));
        }
        if (_c.HasLayerNorm) x = LayerNorm(_s.LnFinal, x, _w.LnFinalWeight, _w.LnFinalBias);
        Unembed(x);

        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = Producer,
            ProducerVersion = "1",
            Graph = g,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = _options.Opset });
        foreach (var (key, value) in _c.Metadata())
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    string Gpt2Embeddings()
    {
        var tokens = _b.Op(_s.Embed, "Gather", _w.Embed, "input_ids");
        var positions = _b.Op(_s.PosEmbed, "Gather", _w.PosEmbed, "position_ids");
        return _b.Op(_s.Root, "Add", tokens, positions);
    }

    /// <summary>TransformerLens' PosEmbed: W_pos[:seq], broadcast over the batch.</summary>
    string LensEmbeddings()
    {
        var tokens = _b.Op(_s.Embed, "Gather", _w.Embed, "input_ids");
        var shape = _b.Op(_s.PosEmbed, "Shape", "input_ids");
        var length = _b.Op(_s.PosEmbed, "Gather", shape, _b.Int64s(_s.PosEmbed, 1));
        var positions = _b.Op(_s.PosEmbed, "Slice", _w.PosEmbed, _b.Int64s(_s.PosEmbed, 0), length, _b.Int64s(_s.PosEmbed, 0));
        return _b.Op(_s.Root, "Add", tokens, positions);
    }

    /// <summary>HF's extended mask: (1 - attention_mask[:, None, None, :]) * finfo(float32).min.</summary>
    string AdditiveAttentionMask()
    {
        var r = _s.Root;
        var unsqueezed = _b.Op(r, "Unsqueeze", "attention_mask", _b.Int64s(r, 1, 2));
        var asFloat = _b.Op(r, "Cast", [unsqueezed], null, Int("to", TensorProtos.Float));
        var inverted = _b.Op(r, "Sub", _b.ScalarFloat(r, 1f), asFloat);
        return _b.Op(r, "Mul", inverted, _b.ScalarFloat(r, FloatMin));
    }

    string Attention(int l, string h, string? additiveMask)
    {
        var a = _s.Attn(l);
        var qkv = Linear(_s.Qkv(l), h, _w.QkvWeight(l), _w.QkvBias(l));
        var parts = _b.Node(a, "Split", [qkv], 3, null, Int("axis", 2));
        string[] heads = new string[3];
        for (int i = 0; i < 3; i++)
        {
            var split = _b.Op(a, "Reshape", parts[i], _b.Int64s(a, 0, 0, _c.Heads, _c.DHead));
            // Without past, the present key and value are this step's heads themselves.
            var present = i > 0 && _options.Presents && !_options.WithPast ? $"present.{l}.{(i == 1 ? "key" : "value")}" : null;
            heads[i] = _b.Op(a, "Transpose", [split], present, Ints("perm", 0, 2, 1, 3));
        }
        var (q, k, v) = (heads[0], heads[1], heads[2]);
        if (_options.WithPast)
        {
            k = _b.Op(a, "Concat", [$"past_key_values.{l}.key", k], $"present.{l}.key", Int("axis", 2));
            v = _b.Op(a, "Concat", [$"past_key_values.{l}.value", v], $"present.{l}.value", Int("axis", 2));
        }
        var keyT = _b.Op(a, "Transpose", [k], null, Ints("perm", 0, 1, 3, 2));
        var scores = _b.Op(a, "MatMul", q, keyT);
        scores = _b.Op(a, "Div", scores, _b.ScalarFloat(a, (float)Math.Sqrt(_c.DHead)));
        scores = _b.Op(a, "Where", CausalMaskSlice(l, q, k), scores, _b.ScalarFloat(a, FloatMin));
        if (additiveMask is not null) scores = _b.Op(a, "Add", scores, additiveMask);
        var pattern = _b.Op(a, "Softmax", [scores], null, Int("axis", -1));
        var z = _b.Op(a, "MatMul", pattern, v);
        z = _b.Op(a, "Transpose", [z], null, Ints("perm", 0, 2, 1, 3));
        z = _b.Op(a, "Reshape", z, _b.Int64s(a, 0, 0, _c.AttentionWidth));
        return Linear(_s.AttnOut(l), z, _w.OutWeight(l), _w.OutBias(l));
    }

    /// <summary>bias[..., key_len - query_len : key_len, :key_len], as HF slices its causal buffer.</summary>
    string CausalMaskSlice(int l, string q, string k)
    {
        var a = _s.Attn(l);
        var queryLength = _b.Op(a, "Gather", _b.Op(a, "Shape", q), _b.Int64s(a, 2));
        var keyLength = _b.Op(a, "Gather", _b.Op(a, "Shape", k), _b.Int64s(a, 2));
        var start = _b.Op(a, "Sub", keyLength, queryLength);
        var starts = _b.Op(a, "Concat", [start, _b.Int64s(a, 0)], null, Int("axis", 0));
        var ends = _b.Op(a, "Concat", [keyLength, keyLength], null, Int("axis", 0));
        var axes = _c.UsesGpt2Names ? _b.Int64s(a, 2, 3) : _b.Int64s(a, 0, 1);
        return _b.Op(a, "Slice", _w.CausalMask(l), starts, ends, axes);
    }

    /// <summary>Conv1D / Linear: MatMul with the [in, out] weight, then Add the bias.</summary>
    string Linear(string scope, string x, string weight, string bias) =>
        _b.Op(scope, "Add", _b.Op(scope, "MatMul", x, weight), bias);

    string LayerNorm(string scope, string x, string weight, string bias)
    {
        var eps = (float)TransformerConfig.LayerNormEpsilon;
        if (_options.Opset >= 17)
            return _b.Op(scope, "LayerNormalization", [x, weight, bias], null, Int("axis", -1), Float("epsilon", eps));
        var mean = _b.Op(scope, "ReduceMean", [x], null, Ints("axes", -1));
        var centered = _b.Op(scope, "Sub", x, mean);
        var squared = _b.Op(scope, "Pow", centered, _b.ScalarFloat(scope, 2f));
        var variance = _b.Op(scope, "ReduceMean", [squared], null, Ints("axes", -1));
        var std = _b.Op(scope, "Sqrt", _b.Op(scope, "Add", variance, _b.ScalarFloat(scope, eps)));
        var normalized = _b.Op(scope, "Div", centered, std);
        return _b.Op(scope, "Add", _b.Op(scope, "Mul", normalized, weight), bias);
    }

    /// <summary>HF NewGELUActivation as torch.onnx decomposes it.</summary>
    string GeluTanh(string scope, string x)
    {
        var half = _b.Op(scope, "Mul", x, _b.ScalarFloat(scope, 0.5f));
        var cube = _b.Op(scope, "Pow", x, _b.ScalarFloat(scope, 3f));
        var inner = _b.Op(scope, "Add", x, _b.Op(scope, "Mul", cube, _b.ScalarFloat(scope, 0.044715f)));
        var scaled = _b.Op(scope, "Mul", inner, _b.ScalarFloat(scope, (float)Math.Sqrt(2.0 / Math.PI)));
        var onePlusTanh = _b.Op(scope, "Add", _b.Op(scope, "Tanh", scaled), _b.ScalarFloat(scope, 1f));
        return _b.Op(scope, "Mul", half, onePlusTanh);
    }

    void Unembed(string x)
    {
        var u = _s.Unembed;
        if (_w.Unembed is null)
        {
            // lm_head is tied to wte: transpose the one shared initializer instead of storing a second copy.
            var transposed = _b.Op(u, "Transpose", [_w.Embed], null, Ints("perm", 1, 0));
            _b.Op(u, "MatMul", [x, transposed], "logits");
            return;
        }
        _b.Op(u, "Add", [_b.Op(u, "MatMul", x, _w.Unembed), _w.UnembedBias!], "logits");
    }
}
