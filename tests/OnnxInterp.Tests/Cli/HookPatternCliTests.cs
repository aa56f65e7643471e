using System.Text.Json;
using OnnxInterp.Graph;
using OnnxInterp.Onnx;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Cli;

/// <summary>Hook names and globs on the command line: inspect's hook table, cache and rewrite by hook name, --hook-map.</summary>
public class HookPatternCliTests
{
    const string Pt13 = "ort_gpt2model_pt13_opset11_nopast.onnx";
    const string Genai = "genai_tiny_random_gpt2_fp32_past.onnx";
    const string DistilBert = "optimum_tiny_distilbert_sst2.onnx";
    static string DistilBertMap => Path.Combine(TestPaths.RepoRoot, "docs", "examples", "distilbert.hookmap.json");

    [ExternalModelFact]
    public void Cache_by_hook_glob_equals_cache_by_the_graphs_own_softmax_names()
    {
        using var scratch = new CliScratch();
        var path = TestPaths.External(Pt13);
        var byHook = CliHarness.Run("cache", path, "--tokens", "3,1,4,1,5", "--expose", "blocks.*.attn.hook_pattern", "-o", scratch["hooks.safetensors"], "--device", "cpu");
        Assert.True(byHook.ExitCode == 0, byHook.ToString());
        // The export's own Softmax outputs, found here by op type alone, in graph order (= layer order).
        var softmaxes = OnnxModel.Load(path).Graph.Nodes.Where(n => n.OpType == "Softmax").Select(n => n.Outputs[0]).ToList();
        Assert.Equal(12, softmaxes.Count);
        var byName = CliHarness.Run(["cache", path, "--tokens", "3,1,4,1,5", .. softmaxes.SelectMany(s => new[] { "--expose", s }), "-o", scratch["names.safetensors"], "--device", "cpu"]);
        Assert.True(byName.ExitCode == 0, byName.ToString());

        var hooks = SafeTensors.Load(scratch["hooks.safetensors"]).ToDictionary(t => t.Name);
        var names = SafeTensors.Load(scratch["names.safetensors"]).ToDictionary(t => t.Name);
        for (int l = 0; l < 12; l++)
        {
            var pattern = hooks[$"blocks.{l}.attn.hook_pattern"];
            Assert.Equal(names[softmaxes[l]].Floats, pattern.Floats);
            Assert.Equal([1, 2, 5, 5], pattern.Shape); // [batch, head, q_pos, k_pos]
        }
    }

    [ExternalModelFact]
    public void Inspect_lists_the_hook_table_of_a_fused_export_with_layouts()
    {
        var result = CliHarness.Run("inspect", TestPaths.External(Genai), "--json", "--device", "cpu");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var hooks = json.RootElement.GetProperty("hooks").EnumerateArray().ToDictionary(h => h.GetProperty("name").GetString()!);
        Assert.Equal(["batch", "head", "q_pos", "k_pos"], hooks["blocks.4.attn.hook_pattern"].GetProperty("axes").EnumerateArray().Select(a => a.GetString()));
        // Measured on the unfused graph: 4 heads of d_head 8 in the genai export.
        var zShape = hooks["blocks.0.attn.hook_z"].GetProperty("measured").GetProperty("shape").EnumerateArray().ToList();
        Assert.Equal(4, zShape[2].GetInt64());
        Assert.Equal(8, zShape[3].GetInt64());
        Assert.Contains("n_layers 5", json.RootElement.GetProperty("hookConfig").GetString());
    }

    [ExternalModelFact]
    public void Encoder_needs_a_hook_map_and_works_with_one()
    {
        var path = TestPaths.External(DistilBert);
        var inspect = CliHarness.Run("inspect", path, "--json", "--device", "cpu");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        using (var json = JsonDocument.Parse(inspect.Out))
            Assert.StartsWith("none:", json.RootElement.GetProperty("hookSource").GetString());

        using var scratch = new CliScratch();
        CliHarness.Fails(1, ["--hook-map", "hooks.md"], "cache", path, "--tokens", "1,2,3", "--expose", "blocks.*.attn.hook_pattern", "-o", scratch["a.safetensors"], "--device", "cpu");
        var ok = CliHarness.Run("cache", path, "--tokens", "1,2,3", "--expose", "blocks.*.attn.hook_pattern", "--hook-map", DistilBertMap, "-o", scratch["a.safetensors"], "--device", "cpu");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        foreach (var pattern in SafeTensors.Load(scratch["a.safetensors"]))
        {
            var p = pattern.Floats;
            for (int row = 0; row < p.Length / 3; row++)
                Assert.Equal(1f, p[(row * 3)..(row * 3 + 3)].Sum(), 1e-5f); // softmax rows over k_pos
        }
    }

    [ExternalModelFact]
    public void A_misspelt_hook_map_path_is_a_clear_failure()
    {
        using var scratch = new CliScratch();
        var result = CliHarness.Run("inspect", TestPaths.External(DistilBert), "--hook-map", scratch["missing.json"], "--device", "cpu");
        Assert.NotEqual(0, result.ExitCode);
        Assert.False(result.HasStackTrace, result.ToString());
        Assert.Contains("missing.json", result.Error);
    }

    [ExternalModelFact]
    public void Rewrite_patches_a_hook_and_the_file_runs_unchanged_with_the_mask_off()
    {
        using var scratch = new CliScratch();
        var path = TestPaths.External(Pt13);
        var output = scratch["hooked.onnx"];
        var result = CliHarness.Run("rewrite", path, "--patch", "blocks.3.hook_resid_pre:zero", "--expose", "blocks.3.hook_resid_pre", "-o", output, "--json", "--device", "cpu");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var patch = json.RootElement.GetProperty("patchPoints")[0];
        Assert.Equal("blocks.3.hook_resid_pre", patch.GetProperty("hook").GetString());
        var mask = patch.GetProperty("maskInput").GetString()!;

        var feeds = Feeds.Random(OnnxModel.Load(path).Graph, seed: 3, batch: 1, seq: 4);
        using var original = SessionFactory.Compile(OnnxModel.Load(path), Device.Cpu);
        using var rewritten = SessionFactory.Compile(OnnxModel.Load(output), Device.Cpu);
        var expected = original.Run(feeds)["hidden_states"];
        var off = rewritten.Run([.. feeds, NamedTensor.Bool(mask, [1, 1, 1], [false])])["hidden_states"];
        Feeds.AssertBitIdentical(expected, off);
        var on = rewritten.Run([.. feeds, NamedTensor.Bool(mask, [1, 1, 1], [true])])["hidden_states"];
        Assert.NotEqual(expected.Floats, on.Floats); // zeroing the residual stream at block 3 changes the output
    }
}
