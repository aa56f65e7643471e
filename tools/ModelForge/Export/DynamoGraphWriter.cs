using OnnxInterp.ModelForge.Models;
using OnnxInterp.Onnx.Proto;
using static OnnxInterp.ModelForge.Export.OnnxGraphBuilder;

namespace OnnxInterp.ModelForge.Export;

/// <summary>
/// Writes a GPT-2 config in the layout torch.onnx's dynamo exporter (torch.export + onnxscript's torchlib, opset 18,
/// optimize=True) gives HF GPT2LMHeadModel with SDPA attention: values named after FX nodes (<c>addmm_3</c>), nodes
/// <c>node_{value}</c>, module scopes only in node metadata (<c>pkg.torch.onnx.name_scopes</c>,
/// <c>pkg.torch.onnx.class_hierarchy</c>), constants as initializers (<c>val_{n}</c>), position ids computed in the
/// graph, <c>LayerNormalization</c>, Conv1D as <c>Reshape -> Gemm -> Reshape</c> with run-time shapes, a boolean
/// causal-and-padding mask, torchlib's SDPA (q and k each scaled by sqrt(1/sqrt(d_head)), <c>Where(mask, 0, -inf)</c>
/// added), and the tied lm_head as <c>MatMul(x, Transpose(wte))</c>. Inputs <c>input_ids</c>, <c>attention_mask</c>;
/// output <c>logits</c>. Written from the exporter's conventions, not produced by torch (no torch on this machine).
/// </summary>
public sealed class DynamoGraphWriter
{
    const string Gpt2Module = "transformers.models.gpt2.modeling_gpt2.";
    const string NameScopesKey = "pkg.torch.onnx.name_scopes";
    const string ClassHierarchyKey = "pkg.torch.onnx.class_hierarchy";

    readonly TransformerConfig _c;
    readonly WeightNames _w = WeightNames.Gpt2;
    readonly GraphProto _g = new() { Name = "main_graph" };
    readonly Dictionary<string, int> _valueCounts = [];
    int _constants, _anonymous;
    (string Path, string Class)[] _scope = [];

    DynamoGraphWriter(TransformerConfig config)
    {
        if (!config.UsesGpt2Names) throw new ArgumentException("the dynamo layout is only defined for GPT-2.");
        _c = config;
    }

    /// <summary>The model, without onnxinterp.* config metadata (a dynamo export has none); <paramref name="weights"/> are the parameter initializers (shared, never modified).</summary>
    public static ModelProto Build(TransformerConfig config, IEnumerable<TensorProto> weights)
    {
        var writer = new DynamoGraphWriter(config);
        writer._g.Initializer.AddRange(weights);
        var model = new ModelProto { IrVersion = 10, ProducerName = TransformerGraphWriter.Producer, ProducerVersion = "1", Graph = writer.Write() };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 18 });
        model.DocString = "written in the layout of torch.onnx's dynamo exporter (opset 18, optimize=True)";
        return model;
    }

    GraphProto Write()
    {
        _g.Input.Add(TensorProtos.ValueInfo("input_ids", TensorProtos.Int64, "batch", "sequence"));
        _g.Input.Add(TensorProtos.ValueInfo("attention_mask", TensorProtos.Int64, "batch", "sequence"));
        _g.Output.Add(TensorProtos.ValueInfo("logits", TensorProtos.Float, "batch", "sequence", _c.Vocab));

        Enter(("transformer", "GPT2Model"));
        var tokens = Op("embedding", "Gather", _w.Embed, "input_ids");
        var length = Op("sym_size_int", "Squeeze", Op("sym_size_int", "Shape", [_g.Input[0].Name], Int("start", 1), Int("end", 2)));
        var positions = Op("unsqueeze", "Unsqueeze", Op("arange", "Range", Int64Scalar(0), length, Int64Scalar(1)), Int64s(0));
        var x = Op("add", "Add", tokens, Op("embedding", "Gather", _w.PosEmbed, positions));
        var mask = CausalAndPaddingMask(length);
        for (int l = 0; l < _c.Layers; l++)
        {
            var outside = Enter(($"transformer.h.{l}", "GPT2Block"));
            var inBlock = outside + 1;
            Enter(($"transformer.h.{l}.ln_1", "torch.nn.modules.normalization.LayerNorm"));
            var h = LayerNorm(x, _w.Ln1Weight(l), _w.Ln1Bias(l));
            Leave(inBlock);
            Enter(($"transformer.h.{l}.attn", "GPT2Attention"));
            var attn = Attention(l, h, mask);
            Leave(inBlock);
            x = Op("add", "Add", attn, x); // hidden_states = attn_output + residual
            Enter(($"transformer.h.{l}.ln_2", "torch.nn.modules.normalization.LayerNorm"));
            var h2 = LayerNorm(x, _w.Ln2Weight(l), _w.Ln2Bias(l));
            Leave(inBlock);
            Enter(($"transformer.h.{l}.mlp", "GPT2MLP"));
            var mlp = Mlp(l, h2);
            Leave(inBlock);
            x = Op("add", "Add", x, mlp); // residual + feed_forward_hidden_states
            Leave(outside);
        }
        Enter(("transformer.ln_f", "torch.nn.modules.normalization.LayerNorm"));
        x = LayerNorm(x, _w.LnFinalWeight, _w.LnFinalBias);
        Leave(0);
        Enter(("lm_head", "torch.nn.modules.linear.Linear"));
        Node("linear", "MatMul", [x, Op("t", "Transpose", [_w.Embed], Ints("perm", 1, 0))], "logits");
        return _g;
    }

    /// <summary>transformers' sdpa_mask: key position &lt;= query position, and the key is not padding: bool [b, 1, q, k].</summary>
    string CausalAndPaddingMask(string length)
    {
        var keys = Op("arange", "Range", Int64Scalar(0), length, Int64Scalar(1));
        var queries = Op("arange", "Range", Int64Scalar(0), length, Int64Scalar(1));
        var causal = Op("le", "LessOrEqual", Op("unsqueeze", "Unsqueeze", keys, Int64s(0)), Op("unsqueeze", "Unsqueeze", queries, Int64s(1)));
        var padding = Op("unsqueeze", "Unsqueeze", Op("to", "Cast", ["attention_mask"], Int("to", TensorProtos.Bool)), Int64s(1, 2));
        return Op("and", "And", Op("unsqueeze", "Unsqueeze", causal, Int64s(0, 1)), padding);
    }

    string Attention(int l, string h, string mask)
    {
        var scope = _scope.Length;
        Enter(($"transformer.h.{l}.attn.c_attn", "transformers.pytorch_utils.Conv1D"));
        var qkv = Conv1D(h, _w.QkvWeight(l), _w.QkvBias(l), 3 * _c.AttentionWidth);
        Leave(scope);
        var width = _c.AttentionWidth;
        var parts = Node("split", "Split", [qkv, Int64s(width, width, width)], null, 3, Int("axis", 2));
        var heads = parts.Select(p => Op("transpose", "Transpose",
            [Op("view", "Reshape", p, Op("cat", "Concat", [Op("sym_size", "Shape", [p], Int("start", 0), Int("end", 2)), Int64s(-1, _c.DHead)], Int("axis", 0)))],
            Ints("perm", 0, 2, 1, 3))).ToArray();

        // torchlib's aten_scaled_dot_product_attention with a boolean mask.
        var sdpa = _scope.Length;
        Enter(("scaled_dot_product_attention", "aten.scaled_dot_product_attention.default"), leaf: true);
        var sqrtScale = FloatScalar((float)Math.Sqrt(1.0 / Math.Sqrt(_c.DHead)));
        var query = Anonymous("Mul", heads[0], sqrtScale);
        var key = Anonymous("Mul", Anonymous("Transpose", [heads[1]], Ints("perm", 0, 1, 3, 2)), sqrtScale);
        var bias = Anonymous("Where", mask, FloatScalar(0f), FloatScalar(float.NegativeInfinity));
        var pattern = Anonymous("Softmax", [Anonymous("Add", Anonymous("MatMul", query, key), bias)], Int("axis", -1));
        var z = Node("scaled_dot_product_attention", "MatMul", [pattern, heads[2]])[0];
        Leave(sdpa);

        z = Op("transpose", "Transpose", [z], Ints("perm", 0, 2, 1, 3));
        var merged = Op("view", "Reshape", z, Op("cat", "Concat", [Op("sym_size", "Shape", [z], Int("start", 0), Int("end", 2)), Int64s(-1)], Int("axis", 0)));
        Enter(($"transformer.h.{l}.attn.c_proj", "transformers.pytorch_utils.Conv1D"));
        var output = Conv1D(merged, _w.OutWeight(l), _w.OutBias(l), _c.DModel);
        Leave(scope);
        return output;
    }

    string Mlp(int l, string h)
    {
        var scope = _scope.Length;
        Enter(($"transformer.h.{l}.mlp.c_fc", "transformers.pytorch_utils.Conv1D"));
        var pre = Conv1D(h, _w.MlpInWeight(l), _w.MlpInBias(l), _c.DMlp);
        Leave(scope);
        Enter(($"transformer.h.{l}.mlp.act", "transformers.activations.NewGELUActivation"));
        // 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))
        var half = Op("mul", "Mul", pre, FloatScalar(0.5f));
        var cube = Op("pow", "Pow", pre, FloatScalar(3f));
        var inner = Op("add", "Add", pre, Op("mul", "Mul", cube, FloatScalar(0.044715f)));
        var tanh = Op("tanh", "Tanh", Op("mul", "Mul", inner, FloatScalar((float)Math.Sqrt(2.0 / Math.PI))));
        var post = Op("mul", "Mul", half, Op("add", "Add", tanh, FloatScalar(1f)));
        Leave(scope);
        Enter(($"transformer.h.{l}.mlp.c_proj", "transformers.pytorch_utils.Conv1D"));
        var output = Conv1D(post, _w.MlpOutWeight(l), _w.MlpOutBias(l), _c.DModel);
        Leave(scope);
        return output;
    }

    /// <summary>HF Conv1D: addmm(bias, x.view(-1, nx), weight).view(*x.shape[:-1], nf).</summary>
    string Conv1D(string x, string weight, string bias, int outFeatures)
    {
        var flat = Op("view", "Reshape", x, Int64s(-1, InFeatures(weight)));
        var product = Op("addmm", "Gemm", flat, weight, bias);
        var shape = Op("cat", "Concat", [Op("sym_size", "Shape", [x], Int("start", 0), Int("end", -1)), Int64s(outFeatures)], Int("axis", 0));
        return Op("view", "Reshape", product, shape);
    }

    long InFeatures(string weight) => _g.Initializer.First(t => t.Name == weight).Dims[0];

    string LayerNorm(string x, string weight, string bias) =>
        Op("layer_norm", "LayerNormalization", [x, weight, bias], Int("axis", -1), Float("epsilon", (float)TransformerConfig.LayerNormEpsilon));

    // --- naming, scopes and constants ---

    int Enter((string Path, string Class) module, bool leaf = false)
    {
        var depth = _scope.Length;
        var cls = leaf || module.Class.Contains('.') ? module.Class : Gpt2Module + module.Class;
        _scope = [.. _scope, (module.Path, cls)];
        return depth;
    }

    void Leave(int depth) => _scope = _scope[..depth];

    string Op(string value, string op, params string[] inputs) => Node(value, op, inputs)[0];

    string Op(string value, string op, string[] inputs, params AttributeProto[] attributes) => Node(value, op, inputs, null, 1, attributes)[0];

    /// <summary>A node computing FX value <paramref name="value"/> (numbered like FX: add, add_1, ...), named node_{value}.</summary>
    string[] Node(string value, string op, string[] inputs, string? output = null, int outputs = 1, params AttributeProto[] attributes)
    {
        var name = output ?? Fresh(value);
        var node = new NodeProto { Name = $"node_{name}", OpType = op };
        node.Input.AddRange(inputs);
        for (int i = 0; i < outputs; i++) node.Output.Add(outputs == 1 ? name : $"{name}_{i}");
        node.Attribute.AddRange(attributes);
        Tag(node, value);
        _g.Node.Add(node);
        return [.. node.Output];
    }

    /// <summary>One op of a torchlib decomposition: named by op type and a graph-wide counter, scoped like its FX node.</summary>
    string Anonymous(string op, string[] inputs, params AttributeProto[] attributes)
    {
        var name = $"val_{op.ToLowerInvariant()}_{_anonymous++}";
        var node = new NodeProto { Name = $"node_{op}_{_anonymous}", OpType = op };
        node.Input.AddRange(inputs);
        node.Output.Add(name);
        node.Attribute.AddRange(attributes);
        Tag(node, _scope[^1].Path);
        _g.Node.Add(node);
        return name;
    }

    string Anonymous(string op, params string[] inputs) => Anonymous(op, inputs, []);

    void Tag(NodeProto node, string fxName)
    {
        var modules = _scope.Where(s => !s.Class.StartsWith("aten.")).ToList();
        var target = _scope.LastOrDefault(s => s.Class.StartsWith("aten.")).Class ?? $"aten.{fxName}.default";
        var scopes = new[] { "" }.Concat(modules.Select(m => m.Path)).Append(node.Output[0]);
        var classes = new[] { Gpt2Module + "GPT2LMHeadModel" }.Concat(modules.Select(m => m.Class)).Append(target);
        node.MetadataProps.Add(new StringStringEntryProto { Key = NameScopesKey, Value = PythonList(scopes) });
        node.MetadataProps.Add(new StringStringEntryProto { Key = ClassHierarchyKey, Value = PythonList(classes) });
    }

    static string PythonList(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(i => $"'{i}'")) + "]";

    string Fresh(string value)
    {
        int n = _valueCounts.GetValueOrDefault(value);
        _valueCounts[value] = n + 1;
        return n == 0 ? value : $"{value}_{n}";
    }

    string Constant(TensorProto tensor)
    {
        tensor.Name = $"val_{_constants++}";
        _g.Initializer.Add(tensor);
        return tensor.Name;
    }

    string FloatScalar(float v) => Constant(TensorProtos.FromFloats("", [], [v]));
    string Int64Scalar(long v) => Constant(TensorProtos.FromInt64s("", [], [v]));
    string Int64s(params long[] v) => Constant(TensorProtos.FromInt64s("", [v.Length], v));
}
