using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Onnx;
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
            // scores = (q * d^-1/4) @ (kT * d^-1/4), as torch's SDPA symbolic writes it; the Div goes.
            var scale = g.FreshName("sdpa_scale");
            g.AddInitializer(TensorProtos.Float(scale, [], [(float)Math.Pow(2, -0.25)])); // d_head = 2
            for (int i = 0; i < 2; i++)
            {
                var scaled = g.FreshName($"{mm.Inputs[i]}_scaled");
                g.AddNode(new Node("Mul", [mm.Inputs[i], scale], [scaled], g.FreshName("sdpa_mul")));
                g.SetNodeInput(mm, i, scaled);
            }
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
