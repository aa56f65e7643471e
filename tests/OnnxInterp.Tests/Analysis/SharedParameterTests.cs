using OnnxInterp.Analysis.Lens;
using OnnxInterp.Hooks;
using OnnxInterp.Onnx;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Analysis;

/// <summary>
/// torch.onnx stores one deduplicated parameter for all layers of a freshly initialised GPT-2 and reads it through
/// <c>Identity</c> nodes: the lens and attribution parameters must be read through them too.
/// </summary>
public sealed class SharedParameterTests
{
    [Fact]
    public void Parameters_behind_identity_nodes_read_as_the_initializer_they_share()
    {
        var model = HookedModel.Load(Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "torch", "gpt2lm-fresh-opset14.onnx"));
        var graph = model.Model.Graph;
        foreach (var name in new[] { "ln_final.w", "ln_final.b", "blocks.1.ln1.w", "blocks.1.attn.b_O" })
        {
            var tensor = model.Map.Parameters[name].Tensor;
            Assert.Equal("Identity", graph.Producer(tensor)?.OpType);
            var source = tensor;
            while (graph.Producer(source) is { OpType: "Identity" } identity) source = identity.Inputs[0];
            var expected = TensorProtos.ReadFloats(graph.Initializers[source], model.Model.SourceFolder);
            Assert.Equal(expected, ParameterValues.TryRead(model, name));
        }
        // A fresh LayerNorm: weight 1, bias 0 (torch's initialisation), so the values read are the real ones.
        Assert.All(ParameterValues.TryRead(model, "ln_final.w")!, v => Assert.Equal(1f, v));
        Assert.All(ParameterValues.TryRead(model, "ln_final.b")!, v => Assert.Equal(0f, v));
    }
}
