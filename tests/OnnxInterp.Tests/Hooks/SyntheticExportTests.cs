using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Onnx;
using OnnxInterp.Onnx.Proto;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Hooks;

/// <summary>
/// The SDPA attention form (q and k scaled before the MatMul) made by editing a real TorchScript export.
/// (The dynamo layout has its own fixture: <see cref="DynamoExportTests"/>.)
/// </summary>
public class SyntheticExportTests
{
    [ExternalModelFact]
    public void Sdpa_style_attention_with_q_and_k_prescaled_is_recognised_and_its_hooks_hold()
    {
        var model = Gpt2Base();
        var g = model.Graph.Clone();
        int rewritten = 0;
        foreach (var div in g.Nodes.Where(n => n.OpType == "Div").ToList())
        {
            if (g.Producer(div.Inputs[0]) is not { OpType: "MatMul" } mm || g.IsInitializer(mm.Inputs[1])
                || !g.IsInitializer(div.Inputs[1]) && g.Producer(div.Inputs[1])?.OpType != "Constant") continue;
            // scores = (q * sqrt(scale)) @ (kT * sqrt(scale)), scale = 1 / sqrt(Cast(Shape(q)[-1])), as torch's
            // opset-14 SDPA symbolic writes it (computed from the shape at run time); the Div goes.
            string Add(string op, string[] inputs, params AttributeProto[] attributes)
            {
                var output = g.FreshName($"sdpa_{op}");
                g.AddNode(new Node(op, inputs, [output], g.FreshName($"sdpa/{op}"), attributes: attributes));
                return output;
            }
            string Initializer(TensorProto t) { g.AddInitializer(t); return t.Name; }
            var last = Add("Slice", [Add("Shape", [mm.Inputs[0]]), Initializer(TensorProtos.Int64(g.FreshName("minus_one"), [1], [-1])),
                Initializer(TensorProtos.Int64(g.FreshName("int64_max"), [1], [long.MaxValue]))]);
            var size = Add("Cast", [last], new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (int)TensorProto.Types.DataType.Float });
            var scale = Add("Div", [Initializer(TensorProtos.Float(g.FreshName("one"), [1], [1f])), Add("Sqrt", [size])]);
            var sqrtScale = Add("Sqrt", [scale]);
            for (int i = 0; i < 2; i++) g.SetNodeInput(mm, i, Add("Mul", [mm.Inputs[i], sqrtScale]));
            g.RedirectConsumers(div.Outputs[0], mm.Outputs[0]);
            g.RemoveNode(div);
            rewritten++;
        }
        Assert.Equal(12, rewritten);
        var hooked = HookedModel.From(model.WithGraph(g));
        Assert.Equal(12, hooked.Map.NLayers);
        HookIdentityTests.AssertIdentities(hooked); // includes scores = q·k / sqrt(d_head) with the unscaled q and k hooks
    }

    static OnnxModel Gpt2Base() => OnnxModel.Load(TestPaths.External("ort_gpt2model_pt13_opset11_nopast.onnx"));
}
