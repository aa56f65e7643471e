using System.Text.Json;
using OnnxInterp.Cli;
using OnnxInterp.Tests.Cli;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Analysis;

/// <summary><c>onnxinterp patch</c> in process: report files, --json, and the errors a user can make.</summary>
public sealed class PatchingCliTests
{
    static string Gpt2 => TestPaths.External("ort_gpt2_1layer_lnfused_nopast.onnx");

    [ExternalModelFact]
    public void Patch_writes_json_csv_and_png_per_sweep_and_prints_json()
    {
        using var scratch = new CliScratch();
        var folder = scratch["report"];
        var result = CliHarness.Run("patch", Gpt2, "--logits-output", "471", "--clean-tokens", "1,2,3,4,5,6", "--corrupted-tokens", "1,9,3,11,5,6",
            "--answer-id", "0", "--wrong-id", "1", "--sweep", "resid_pre", "--sweep", "z-by-pos", "--device", "cpu", "-o", folder, "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var name in new[] { "resid_pre", "z-by-pos" })
            foreach (var ext in new[] { ".json", ".csv", ".png" })
                Assert.True(File.Exists(Path.Combine(folder, name + ext)), $"{name}{ext} missing: {result}");
        Assert.True(File.Exists(Path.Combine(folder, "patch.json")));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(folder, "resid_pre.png"))[..4]);

        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.Equal("logit-diff", root.GetProperty("metric").GetString());
        var sweeps = root.GetProperty("sweeps");
        Assert.Equal(2, sweeps.GetArrayLength());
        var resid = sweeps[0];
        Assert.Equal(1, resid.GetProperty("rowLabels").GetArrayLength());    // one layer
        Assert.Equal(6, resid.GetProperty("columnLabels").GetArrayLength()); // six positions
        var byPos = sweeps[1];
        Assert.Equal(["0.0", "0.1"], byPos.GetProperty("rowLabels").EnumerateArray().Select(e => e.GetString()!)); // layer.head
        // Positions whose tokens agree carry nothing to patch at resid_pre of layer 0: exactly 0.
        Assert.Equal(0, resid.GetProperty("normalised")[0][0].GetDouble(), 9);

        var csv = File.ReadAllLines(Path.Combine(folder, "resid_pre.csv"));
        Assert.Equal("layer,pos,normalised logit-diff", csv[0]);
        Assert.Equal(1 + 6, csv.Length);
    }

    [ExternalModelFact]
    public void Prompts_of_unequal_length_are_a_usage_error_naming_both_lengths()
    {
        var result = CliHarness.Fails(ExitCodes.Usage, ["6", "5", "equal token length"], "patch", Gpt2, "--logits-output", "471",
            "--clean-tokens", "1,2,3,4,5,6", "--corrupted-tokens", "1,2,3,4,5", "--answer-id", "0", "--wrong-id", "1", "--device", "cpu");
        Assert.Empty(result.Out);
    }

    [ExternalModelFact]
    public void An_unknown_sweep_or_metric_is_a_usage_error_listing_the_choices()
    {
        CliHarness.Fails(ExitCodes.Usage, ["--sweep", "resid_pre", "every-block"], "patch", Gpt2, "--logits-output", "471",
            "--clean-tokens", "1,2", "--corrupted-tokens", "1,3", "--answer-id", "0", "--wrong-id", "1", "--sweep", "residual");
        CliHarness.Fails(ExitCodes.Usage, ["--metric", "logit-diff"], "patch", Gpt2, "--logits-output", "471",
            "--clean-tokens", "1,2", "--corrupted-tokens", "1,3", "--answer-id", "0", "--wrong-id", "1", "--metric", "bleu");
        CliHarness.Fails(ExitCodes.Usage, ["--answer", "--wrong"], "patch", Gpt2, "--logits-output", "471", "--clean-tokens", "1,2", "--corrupted-tokens", "1,3");
    }

    [ToyModelFact("tiny-gpt2.onnx")]
    public void Patch_runs_ioi_pairs_on_tiny_gpt2()
    {
        using var scratch = new CliScratch();
        var result = CliHarness.Run("patch", HookTestSupport.Toy("tiny-gpt2.onnx")!, "--ioi", "4", "--sweep", "every-block", "--device", "cpu", "-o", scratch["out"], "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(3, json.RootElement.GetProperty("sweeps").GetArrayLength());
        Assert.True(File.Exists(Path.Combine(scratch["out"], "mlp_out.png")));
    }
}
