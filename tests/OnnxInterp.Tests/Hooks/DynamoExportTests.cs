using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Cli;
using OnnxInterp.Tests.Support;
using static OnnxInterp.Tests.Hooks.HookTestSupport;

namespace OnnxInterp.Tests.Hooks;

/// <summary>
/// tiny-gpt2-dynamo.onnx: the shipped tiny-gpt2 weights in the dynamo exporter's layout (FX value names, scopes only
/// in node metadata, opset 18, SDPA, positions computed in the graph). Checked against the TorchScript-layout export
/// of the same weights, which shares no graph code with it.
/// </summary>
public class DynamoExportTests
{
    static readonly long[] Ids = [50256, 464, 3139, 290, 1757, 1816];

    [ToyModelFact("tiny-gpt2-dynamo.onnx")]
    public void Scopes_come_from_metadata_and_agree_with_the_blocks_found_by_op_pattern()
    {
        var model = OnnxModel.Load(Toy("tiny-gpt2-dynamo.onnx")!);
        Assert.DoesNotContain(model.Graph.Nodes, n => n.Name.Contains("transformer") || n.Name.Contains('/'));
        var hooked = HookedModel.From(model);
        Assert.Contains("scopes agree", hooked.Map.Source);
        Assert.Equal(new HookConfig("gpt2", 4, 4, 64, 16, 256, 50257, 64, Eps: 1e-5), hooked.Map.Config);
        Assert.Null(model.Metadata("onnxinterp.n_heads")); // heads come from the head-split Reshape, not from metadata

        // Metadata that contradicts the order found by op pattern is an error, not a silent renumbering.
        var g = model.Graph.Clone();
        var softmax = g.Nodes.Where(n => n.OpType == "Softmax").ElementAt(1);
        var scopes = softmax.MetadataProps.Single(p => p.Key == "pkg.torch.onnx.name_scopes");
        scopes.Value = scopes.Value.Replace("transformer.h.1", "transformer.h.3");
        var e = Assert.Throws<UnrecognisedModelException>(() => HookedModel.From(model.WithGraph(g)));
        Assert.Contains("is block 1 in graph order but its scope says block 3", e.Message);
    }

    [ToyModelFact("tiny-gpt2-dynamo.onnx")]
    public void Its_hooks_hold_the_values_of_the_torchscript_layout_export()
    {
        var dynamo = HookedModel.Load(Toy("tiny-gpt2-dynamo.onnx")!);
        var plain = HookedModel.Load(Toy("tiny-gpt2.onnx")!);
        string[] hooks = ["blocks.*.hook_resid_pre", "blocks.*.attn.hook_pattern", "blocks.*.attn.hook_z", "blocks.*.mlp.hook_post", "logits"];
        var (d, dPoints) = dynamo.Prepare(hooks);
        var (p, pPoints) = plain.Prepare(hooks);
        Assert.Equal(pPoints.Select(x => x.Name), dPoints.Select(x => x.Name));
        var dCaps = Capture(d, dPoints, TokenFeeds.For(d.Model.Graph, Ids));
        var pCaps = Capture(p, pPoints, TokenFeeds.For(p.Model.Graph, Ids));
        // Different kernels (Gemm vs MatMul+Add, LayerNormalization vs its decomposition): float32 rounding only.
        foreach (var point in pPoints) Feeds.AssertClose(pCaps[point.Name], dCaps[point.Name], 1e-4);
    }

    [ToyModelFact("tiny-gpt2-dynamo.onnx")]
    public void Patching_on_the_dynamo_layout_gives_the_torchscript_layouts_numbers()
    {
        var plain = CliHarness.IoiResidPreSweep(Toy("tiny-gpt2.onnx")!);
        var dynamo = CliHarness.IoiResidPreSweep(Toy("tiny-gpt2-dynamo.onnx")!);
        Assert.Equal(plain.Length, dynamo.Length);
        for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i], dynamo[i], 3);
    }
}
