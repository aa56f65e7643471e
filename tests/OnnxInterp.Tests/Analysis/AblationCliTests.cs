using System.Text.Json;
using OnnxInterp.Cli;
using OnnxInterp.Tests.Cli;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Analysis;

/// <summary><c>onnxinterp ablate</c> in process: report files, --json, sites, and usage errors.</summary>
public sealed class AblationCliTests
{
    static string Gpt2 => TestPaths.External("ort_gpt2_1layer_lnfused_nopast.onnx");

    [ExternalModelFact]
    public void Ablate_writes_grids_and_a_table_and_prints_json()
    {
        using var scratch = new CliScratch();
        var folder = scratch["report"];
        // Output 471 is the final residual (4 wide), so tokens 0..3 can be scored as "next tokens".
        var result = CliHarness.Run("ablate", Gpt2, "--logits-output", "471", "--tokens", "0,1,2,3,2,1", "--tokens", "3,3,0,1,2,0", "--method", "resample",
            "--heads", "--layers", "--site", "0.1", "--site", "neuron:0.3", "--device", "cpu", "-o", folder, "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var file in new[] { "heads.json", "heads.csv", "heads.png", "layers.json", "layers.csv", "layers.png", "ablate.json", "ablate.csv" })
            Assert.True(File.Exists(Path.Combine(folder, file)), $"{file} missing: {result}");

        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.Equal("resample", root.GetProperty("method").GetString());
        Assert.Equal("loss", root.GetProperty("metric").GetString());
        var variants = root.GetProperty("variants");
        Assert.Equal(1 + 2 + 2, variants.GetArrayLength()); // the --site pair, attn_out and mlp_out, two heads
        Assert.Equal(["blocks.0.attn.hook_z[head=1]", "blocks.0.mlp.hook_post[d_mlp=3]"],
            variants[0].GetProperty("sites").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(2, root.GetProperty("grids").GetArrayLength());
        Assert.Equal(1 + 5, File.ReadAllLines(Path.Combine(folder, "ablate.csv")).Length);
    }

    [ExternalModelFact]
    public void Bad_ablation_inputs_are_usage_errors()
    {
        CliHarness.Fails(ExitCodes.Usage, ["6", "5", "same token length"], "ablate", Gpt2, "--logits-output", "471", "--tokens", "0,1,2,3,2,1", "--tokens", "0,1,2,3,2");
        CliHarness.Fails(ExitCodes.Usage, ["--method", "zero, mean or resample"], "ablate", Gpt2, "--logits-output", "471", "--tokens", "0,1,2", "--method", "shuffle");
        CliHarness.Fails(ExitCodes.Usage, ["--site", "L.H"], "ablate", Gpt2, "--logits-output", "471", "--tokens", "0,1,2", "--site", "head 3");
        CliHarness.Fails(ExitCodes.Usage, ["two prompts"], "ablate", Gpt2, "--logits-output", "471", "--tokens", "0,1,2", "--method", "resample", "--device", "cpu");
        CliHarness.Fails(ExitCodes.Usage, ["head", "outside"], "ablate", Gpt2, "--logits-output", "471", "--tokens", "0,1,2", "--site", "0.7", "--device", "cpu");
        CliHarness.Fails(ExitCodes.Usage, ["no hook", "blocks.3.attn.hook_z"], "ablate", Gpt2, "--logits-output", "471", "--tokens", "0,1,2", "--site", "blocks.3.attn.hook_z[head=0]", "--device", "cpu");
        CliHarness.Fails(ExitCodes.Usage, ["no axis 'hed'"], "ablate", Gpt2, "--logits-output", "471", "--tokens", "0,1,2", "--site", "blocks.0.attn.hook_z[hed=0]", "--device", "cpu");
    }

    [ToyModelFact("attn-only-2l.onnx")]
    public void Ablate_runs_repeated_sequences_on_attn_only()
    {
        var result = CliHarness.Run("ablate", HookTestSupport.Toy("attn-only-2l.onnx")!, "--repeated", "4", "--device", "cpu", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(8, json.RootElement.GetProperty("variants").GetArrayLength()); // 2 layers x 4 heads, the default sweep
    }
}
