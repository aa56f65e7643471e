using OnnxInterp.Cli;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Cli;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Engine;

/// <summary>What a new user hit with the verbs built on the engine: hidden states read as logits, one tensor with two names.</summary>
public sealed class EngineCliTests
{
    [ExternalModelFact]
    public void Patch_and_ablate_refuse_a_model_without_logits_unless_an_output_is_named()
    {
        var gpt2Model = TestPaths.External("ort_gpt2model_pt13_opset11_nopast.onnx");
        CliHarness.Fails(ExitCodes.Usage, ["no logits", "--logits-output"], "patch", gpt2Model,
            "--clean-tokens", "1,2,3,4", "--corrupted-tokens", "1,5,3,4", "--answer-id", "0", "--wrong-id", "1", "--device", "cpu");
        CliHarness.Fails(ExitCodes.Usage, ["no logits", "--logits-output"], "ablate", gpt2Model, "--tokens", "1,2,3,4", "--heads", "--device", "cpu");
        CliHarness.Fails(ExitCodes.Usage, ["no tensor 'nope'"], "ablate", gpt2Model, "--tokens", "1,2,3,4", "--heads", "--logits-output", "nope", "--device", "cpu");
    }

    [ToyModelFact("attn-only-2l.onnx")]
    public void Cache_keeps_both_names_of_one_tensor()
    {
        using var scratch = new CliScratch();
        var output = scratch["acts.safetensors"];
        var result = CliHarness.Run("cache", HookTestSupport.Toy("attn-only-2l.onnx")!, "--tokens", "0,5,9,5,9",
            "--expose", "blocks.0.hook_resid_post", "--expose", "blocks.1.hook_resid_pre", "-o", output, "--device", "cpu");
        Assert.True(result.ExitCode == 0, result.ToString());
        var saved = SafeTensors.Load(output).ToDictionary(t => t.Name);
        Assert.Equal(["blocks.0.hook_resid_post", "blocks.1.hook_resid_pre"], saved.Keys.Order());
        Assert.Equal(saved["blocks.0.hook_resid_post"].Floats, saved["blocks.1.hook_resid_pre"].Floats);
    }
}
