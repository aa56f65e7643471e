using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Cli;

public class RewriteCommandTests
{
    [Fact]
    public void Rewrite_adds_the_documented_inputs_and_outputs_and_loads_in_ort()
    {
        using var scratch = new CliScratch();
        var model = CliTestModels.TokenModel(scratch["tiny.onnx"], vocab: 300, dModel: 4);
        var output = scratch["hooked.onnx"];
        var result = CliHarness.Run("rewrite", model, "--patch", "embedded:zero", "--patch", "pos_embedded", "--patch", "resid:rows",
            "--expose", "resid", "--expose", "patched:*", "-o", output, "--json", "--device", "cpu");
        Assert.True(result.ExitCode == 0, result.ToString());

        using var session = new InferenceSession(output);
        Assert.Equal(["input_ids", "attention_mask", "position_ids", "patch_mask:embedded", "patch_mask:pos_embedded", "patch_source:pos_embedded",
                      "patch_mask:resid", "patch_rows:resid"], session.InputNames);
        Assert.Equal(["logits", "patched:embedded", "patched:pos_embedded", "patched:resid", "resid"], session.OutputNames.Order());

        using var json = JsonDocument.Parse(result.Out);
        var points = json.RootElement.GetProperty("patchPoints").EnumerateArray().ToList();
        Assert.Equal(["zero", "fed", "rows"], points.Select(p => p.GetProperty("source").GetString()));
        Assert.Equal("patch_source:pos_embedded", points[1].GetProperty("sourceInput").GetString());
        Assert.Equal("patch_rows:resid", points[2].GetProperty("rowsInput").GetString());
        Assert.Equal("patched:resid", points[2].GetProperty("patchedTensor").GetString());
    }

    [Fact]
    public void Rewritten_model_reproduces_the_original_with_masks_off_and_zeroes_with_a_mask_on()
    {
        using var scratch = new CliScratch();
        var model = CliTestModels.TokenModel(scratch["tiny.onnx"], vocab: 300, dModel: 4);
        var output = scratch["hooked.onnx"];
        var result = CliHarness.Run("rewrite", model, "--patch", "embedded:zero", "--expose", "resid", "-o", output, "--device", "cpu");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("patch_mask:embedded: bool", result.Out);
        Assert.Contains("consumers of 'embedded' now read patched:embedded", result.Out);

        var feeds = new Dictionary<string, (Array, long[])>
        {
            ["input_ids"] = (new long[] { 9, 8 }, [1, 2]),
            ["attention_mask"] = (new long[] { 1, 1 }, [1, 2]),
            ["position_ids"] = (new long[] { 0, 1 }, [1, 2]),
        };
        var original = DirectOrt.Run(model, feeds, "pos_embedded", "resid");
        var off = DirectOrt.Run(output, new Dictionary<string, (Array, long[])>(feeds) { ["patch_mask:embedded"] = (new[] { false }, [1, 1, 1]) });
        Assert.Equal(original["logits"], off["logits"]);
        var on = DirectOrt.Run(output, new Dictionary<string, (Array, long[])>(feeds) { ["patch_mask:embedded"] = (new[] { true }, [1, 1, 1]) });
        Assert.Equal(original["pos_embedded"], on["resid"]); // token embeddings zeroed: only positions remain
    }

    [ExternalModelFact]
    public void Rewrite_types_undeclared_tensors_of_a_real_export_before_patching()
    {
        var path = TestPaths.External("ort_gpt2_1layer_lnfused_nopast.onnx");
        using var scratch = new CliScratch();
        var output = scratch["hooked.onnx"];
        var result = CliHarness.Run("rewrite", path, "--patch", "215:fed", "--expose", "215", "-o", output, "--device", "cpu");
        Assert.True(result.ExitCode == 0, result.ToString());

        var feeds = new Dictionary<string, (Array, long[])> { ["input_ids"] = (new long[] { 1, 2, 3 }, [1, 3]) };
        var original = DirectOrt.Run(path, feeds);
        var rewritten = DirectOrt.Run(output, new Dictionary<string, (Array, long[])>(feeds)
        {
            ["patch_mask:215"] = (new[] { false }, [1, 1, 1]),
            ["patch_source:215"] = (new[] { 0f }, [1, 1, 1]),
        });
        Assert.Equal(original["471"], rewritten["471"]);
        Assert.Equal(12, rewritten["215"].Length);
    }
}
