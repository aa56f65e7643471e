using System.Text.Json;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Cli;

/// <summary>
/// Issue #14 item 4: every rewrite of every shipped and fixture model passes onnx.checker's full check (checked by
/// python3-onnx, skipped with the reason where it is absent), also where the original does not, and records which hook
/// each exposed output and patch input stands for.
/// </summary>
public class RewriteCheckerTests
{
    public static TheoryData<string> Models()
    {
        var data = new TheoryData<string>();
        foreach (var toy in HookTestSupport.ToyModels) data.Add("toy:" + toy);
        foreach (var file in TestPaths.ExternalModelFiles) data.Add("external:" + Path.GetFileName(file));
        foreach (var file in Directory.GetFiles(TorchFixtures, "*.onnx").OrderBy(f => f)) data.Add("torch:" + Path.GetFileName(file));
        data.Add("built:token-model");
        return data;
    }

    [OnnxCheckerTheory]
    [MemberData(nameof(Models))]
    public void Every_rewrite_passes_the_full_onnx_check(string model)
    {
        using var scratch = new CliScratch();
        var path = Resolve(model, scratch);
        if (path is null) return; // a toy not trained yet or the external folder absent: nothing to check
        // onnx 1.12 cannot judge a newer IR version (the dynamo fixture): nothing to compare against there. Other originals
        // that fail (unsorted nodes, untyped value_info in the external exports) must come out of a rewrite passing.
        if (OnnxChecker.Problems(path) is { } original && original.Contains("ir_version is higher than the checker's")) return;
        bool hooked = !model.StartsWith("built:") && !model.Contains("distilbert");
        string[][] rewrites = hooked
            ? [["--expose", "*"], ["--patch", "blocks.0.hook_resid_pre:rows", "--patch", "blocks.0.hook_resid_post:fed", "--patch", "blocks.0.attn.hook_pattern:zero", "--expose", "blocks.*.hook_resid_post", "--expose", "patched:*"]]
            : [["--expose", "*"], ["--patch", "resid:rows", "--patch", "embedded:fed", "--expose", "patched:*"]];
        if (model.Contains("distilbert")) rewrites = [["--expose", "*"]];
        foreach (var options in rewrites)
        {
            var output = scratch[$"rewritten-{Array.IndexOf(rewrites, options)}.onnx"];
            var result = CliHarness.Run(["rewrite", path, .. options, "-o", output, "--device", "cpu"]);
            Assert.True(result.ExitCode == 0, result.ToString());
            var problems = OnnxChecker.Problems(output);
            Assert.True(problems is null, $"{model} rewritten with {string.Join(' ', options)}: {problems}");
        }
    }

    [ToyModelFact("tiny-gpt2.onnx")]
    public void The_file_records_which_hook_each_exposed_output_and_patch_input_is()
    {
        using var scratch = new CliScratch();
        var model = HookTestSupport.Toy("tiny-gpt2.onnx")!;
        var output = scratch["hooked.onnx"];
        var result = CliHarness.Run("rewrite", model, "--expose", "blocks.*.attn.hook_pattern", "--patch", "blocks.2.hook_resid_pre:fed", "-o", output, "--device", "cpu");
        Assert.True(result.ExitCode == 0, result.ToString());

        // The hook table as inspect prints it: hook name -> tensor.
        var inspect = CliHarness.Run("inspect", model, "--json", "--no-probe");
        using var table = JsonDocument.Parse(inspect.Out);
        var tensorOf = table.RootElement.GetProperty("hooks").EnumerateArray().ToDictionary(h => h.GetProperty("name").GetString()!, h => h.GetProperty("tensor").GetString()!);

        var proto = CliTestModels.Load(output);
        var exposed = JsonSerializer.Deserialize<Dictionary<string, string>>(proto.MetadataProps.Single(p => p.Key == "onnxinterp.exposed_hooks").Value)!;
        Assert.Equal(4, exposed.Count);
        for (int l = 0; l < 4; l++) Assert.Equal($"blocks.{l}.attn.hook_pattern", exposed[tensorOf[$"blocks.{l}.attn.hook_pattern"]]);
        var patch = JsonSerializer.Deserialize<Dictionary<string, string>>(proto.MetadataProps.Single(p => p.Key == "onnxinterp.patch_hooks").Value)!;
        var resid = tensorOf["blocks.2.hook_resid_pre"];
        Assert.Equal(new Dictionary<string, string> { [$"patch_mask:{resid}"] = "blocks.2.hook_resid_pre", [$"patch_source:{resid}"] = "blocks.2.hook_resid_pre" }, patch);
        Assert.Contains("blocks.0.attn.hook_pattern", proto.Graph.Output.Single(o => o.Name == tensorOf["blocks.0.attn.hook_pattern"]).DocString);
        var mask = proto.Graph.Input.Single(i => i.Name == $"patch_mask:{resid}");
        Assert.Equal(3, mask.Type.TensorType.Shape.Dim.Count); // [batch, pos, d_model]: the patched tensor's rank
    }

    static string TorchFixtures => Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "torch");

    static string? Resolve(string model, CliScratch scratch) => model.Split(':', 2) switch
    {
        ["toy", var file] => HookTestSupport.Toy(file),
        ["external", var file] => TestPaths.ExternalModelFiles.FirstOrDefault(f => Path.GetFileName(f) == file),
        ["torch", var file] => Path.Combine(TorchFixtures, file),
        _ => CliTestModels.TokenModel(scratch["token.onnx"], vocab: 300, dModel: 4),
    };
}
