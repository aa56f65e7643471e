using System.Text.Json;
using OnnxInterp.Analysis;
using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Hooks;

/// <summary>
/// Issue #14 item 7: real graphs written by torch 1.13's TorchScript exporter (tools/torch-fixtures, committed under
/// tests/fixtures/torch with torch's own activations) are recognised, and their hooks and outputs equal what the torch
/// module computed. The "fresh" ones are freshly initialised: zero biases and unit LayerNorms, which the exporter
/// deduplicates into one parameter that later layers read through Identity nodes.
/// </summary>
public class TorchExportFixtureTests
{
    static string Folder => Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "torch");

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Folder, "*.onnx").OrderBy(f => f)) data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Each_export_is_recognised_and_its_hooks_and_outputs_equal_torchs(string file)
    {
        var path = Path.Combine(Folder, file);
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(path, ".reference.json")));
        var root = reference.RootElement;
        var ids = root.GetProperty("input_ids").EnumerateArray().Select(i => i.GetInt32()).ToArray();
        // float32: 1e-4 relative (kernel order). float16 (11-bit significands): ORT's kernels and torch's (float32
        // compute, rounded to half per op) round at different points; measured up to 4 ulps apart after two blocks
        // (2e-3 at 0.5), and 4e-3 * (1 + |x|) allows about 12 there. A misrecognised hook is off by 0.1 or more.
        double tolerance = root.TryGetProperty("dtype", out var dtype) && dtype.GetString() == "float16" ? 4e-3 : 1e-4;

        var hooked = HookedModel.Load(path);
        Assert.Equal(2, hooked.Map.NLayers);
        Assert.Equal(4, hooked.Map.NHeads);
        Assert.Equal(32, hooked.Map.Config.NCtx);

        // The file's own output, run as exported: torch's logits (or last hidden state).
        var model = OnnxModel.Load(path);
        using var compiled = SessionFactory.Compile(model, Device.Cpu);
        var output = root.GetProperty("output").GetString()!;
        var outputs = compiled.Run(TokenFeeds.For(model.Graph, [.. ids.Select(i => (long)i)]));
        AssertClose(Floats(root.GetProperty("values")), outputs[output].ToFloats(), tolerance, $"{file} {output}");

        // Every block's residual stream input, read through the hook table, and block 0's attention pattern where
        // torch recorded it (the Megatron fixtures: its multiplicative mask makes the pattern the thing to check).
        using var capture = new HookCapture(hooked, ["blocks.*.hook_resid_pre", "blocks.0.attn.hook_pattern"], Device.Cpu);
        var cache = capture.Run([ids]);
        var resid = root.GetProperty("resid_pre").EnumerateArray().ToList();
        for (int l = 0; l < resid.Count; l++)
            AssertClose(Floats(resid[l]), cache[$"blocks.{l}.hook_resid_pre"].ToFloats(), tolerance, $"{file} blocks.{l}.hook_resid_pre");
        if (root.TryGetProperty("pattern_0", out var pattern))
            AssertClose(Floats(pattern), cache["blocks.0.attn.hook_pattern"].ToFloats(), tolerance, $"{file} blocks.0.attn.hook_pattern");
    }

    [Fact]
    public void The_fresh_exports_share_layer_norm_parameters_through_identity_as_real_exports_do()
    {
        // The premise of the fresh fixtures: without it they would not test the shared-parameter layout.
        var graph = OnnxModel.Load(Path.Combine(Folder, "gpt2lm-fresh-opset14.onnx")).Graph;
        Assert.False(graph.IsInitializer("model.transformer.h.1.ln_1.weight"));
        Assert.Equal("Identity", graph.Producer("model.transformer.h.1.ln_1.weight")?.OpType);
        Assert.Same(graph.Initializers["model.transformer.h.0.ln_1.weight"], graph.ConstantTensor("model.transformer.h.1.ln_1.weight"));
    }

    static float[] Floats(JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetSingle())];

    static void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, torch has {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"{what}[{i}]: {actual[i]} vs torch {expected[i]}");
    }
}
