using System.Text.Json;
using OnnxInterp.Analysis.Datasets;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Analysis.Paths;
using OnnxInterp.Cli;
using OnnxInterp.Hooks;
using OnnxInterp.Tests.Cli;
using OnnxInterp.Tests.Hooks;

namespace OnnxInterp.Tests.Paths;

/// <summary><c>onnxinterp path-patch</c>: the grid files and JSON equal the library's numbers; bad senders are usage errors.</summary>
public sealed class PathPatchCliTests
{
    [ToyModelFact("tiny-gpt2.onnx")]
    public void Path_patch_writes_the_grid_and_matches_the_library()
    {
        using var scratch = new CliScratch();
        var model = HookTestSupport.Toy("tiny-gpt2.onnx")!;
        var result = CliHarness.Run("path-patch", model, "--ioi", "2", "--senders", "L3H0,mlp2", "--receivers", "logits,L3H1_v", "--device", "cpu", "-o", scratch["out"], "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var file in new[] { "path-patch.json", "path-patch-grid.json", "path-patch-grid.csv", "path-patch-grid.png" })
            Assert.True(File.Exists(Path.Combine(scratch["out"], file)), file);
        var root = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal(JsonValueKind.Null, root.GetProperty("raw")[0][1].ValueKind);   // L3H0 is not before L3H1's value input

        var pairs = IoiPairs.Create(new IoiDataset(IoiDataset.Gpt2Tokenizer()), 2).Pairs;
        var library = PathPatching.Run(HookedModel.Load(model), new PathPatchingRequest(pairs, ["L3H0", "mlp2"], ["logits", "L3H1_v"]));
        Assert.Equal(library.Raw[0, 0], root.GetProperty("raw")[0][0].GetDouble(), 6);
        Assert.Equal(library.Raw[1, 1], root.GetProperty("raw")[1][1].GetDouble(), 6);
    }

    [ToyModelFact("tiny-gpt2.onnx")]
    public void An_unknown_sender_is_a_usage_error()
    {
        CliHarness.Fails(ExitCodes.Usage, ["'L7H0' is not a sender"], "path-patch", HookTestSupport.Toy("tiny-gpt2.onnx")!, "--ioi", "1", "--senders", "L7H0", "--device", "cpu");
    }
}
