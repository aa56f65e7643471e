using System.Text.Json;

namespace OnnxInterp.Tests.Cli;

/// <summary>
/// Issue #14 item 1: files ONNX Runtime loads are loaded too, resolved the way ONNX Runtime resolves them, and
/// <c>inspect</c> says what was repaired. The expected values come from ONNX Runtime itself, run on the raw file.
/// </summary>
public class OrtLikeLoadingTests
{
    static readonly Dictionary<string, (Array, long[])> X = new() { ["x"] = (new[] { 1f, -2f, 3f }, [1, 3]) };

    [Fact]
    public void A_tensor_name_two_constants_produce_reads_the_last_one_as_ort_does_and_inspect_says_so()
    {
        using var scratch = new CliScratch();
        var model = CraftedModels.DuplicateConstantNames(scratch["dup.onnx"]);
        var expected = DirectOrt.Run(model, X)["y"];
        Assert.Equal([3f, 0f, 5f], expected); // x + 2: the second Constant

        var inspect = CliHarness.Run("inspect", model, "--json", "--device", "cpu");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        using var json = JsonDocument.Parse(inspect.Out);
        var repair = Assert.Single(json.RootElement.GetProperty("repairs").EnumerateArray()).GetString()!;
        Assert.Contains("tensor 'k' is produced by an unnamed Constant and again by an unnamed Constant", repair);

        var feed = scratch.Write("x.json", """{"shape":[1,3],"data":[1,-2,3]}""");
        var run = CliHarness.Run("run", model, "--input", $"x={feed}", "-o", scratch["out.safetensors"], "--json", "--device", "cpu");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var ran = JsonDocument.Parse(run.Out);
        var firstValues = ran.RootElement.GetProperty("outputs")[0].GetProperty("firstValues").EnumerateArray().Select(v => v.GetSingle());
        Assert.Equal(expected, firstValues);

        // A rewrite of it is an ordinary file: unique names, the same values under ORT.
        var rewritten = scratch["rewritten.onnx"];
        Assert.Equal(0, CliHarness.Run("rewrite", model, "--expose", "k", "-o", rewritten, "--device", "cpu").ExitCode);
        var again = DirectOrt.Run(rewritten, X);
        Assert.Equal(expected, again["y"]);
        Assert.Equal([2f, 2f, 2f], again["k"]);
    }

    [Fact]
    public void An_unsorted_graph_runs_and_is_written_back_sorted_with_the_repair_named()
    {
        using var scratch = new CliScratch();
        var model = CraftedModels.Unsorted(scratch["unsorted.onnx"]);
        var inspect = CliHarness.Run("inspect", model, "--device", "cpu");
        Assert.Contains("repaired     the nodes are not in topological order", inspect.Out);
        var rewritten = scratch["sorted.onnx"];
        Assert.Equal(0, CliHarness.Run("rewrite", model, "--expose", "h", "-o", rewritten, "--device", "cpu").ExitCode);
        Assert.Equal(["relu", "add"], CliTestModels.Load(rewritten).Graph.Node.Select(n => n.Name));
        Assert.Equal([2f, -2f, 6f], DirectOrt.Run(rewritten, X)["y"]); // Relu(x) + x for x = 1, -2, 3
    }

    [Fact]
    public void An_opset_domain_imported_twice_is_named_in_inspect()
    {
        using var scratch = new CliScratch();
        var inspect = CliHarness.Run("inspect", CraftedModels.DefaultOpsetTwice(scratch["twice.onnx"]), "--no-probe");
        Assert.Contains("opset domain ai.onnx is imported 2 times (17, 13); as ONNX Runtime does, the last (13) is used", inspect.Out);
    }
}
