using System.Text.Json;
using OnnxInterp.Analysis;
using OnnxInterp.Cli;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Generation;
using OnnxInterp.Tests.Hooks;

namespace OnnxInterp.Tests.Cli;

/// <summary><c>generate</c> and <c>steer-vector</c> end to end: tokens against a plain session, steering by file, and bad input.</summary>
public sealed class GenerateCommandTests
{
    const string Prompt = "When Mary and John went to the store, John gave a drink to";
    const string Hook = "blocks.1.hook_resid_pre";
    static readonly string[] Contexts = ["When Alice and Bob went to the store, Bob gave a drink to", "The teacher called", "She smiled at"];

    static JsonElement Json(params string[] args)
    {
        var result = CliHarness.Run([.. args, "--device", "cpu", "--json"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Out).RootElement.Clone();
    }

    static long[] NewTokens(JsonElement report) => [.. report.GetProperty("newTokens").EnumerateArray().Select(t => t.GetInt64())];

    static double FirstStepProbability(JsonElement report, string token) =>
        report.GetProperty("steps")[0].GetProperty("top").EnumerateArray().First(t => t.GetProperty("token").GetString() == token).GetProperty("probability").GetDouble();

    static string SteeringVector(CliScratch scratch)
    {
        var positive = scratch.Write("mary.txt", string.Join("\n", Contexts.Select(c => c + " Mary")));
        var negative = scratch.Write("john.txt", string.Join("\n", Contexts.Select(c => c + " John")));
        var result = CliHarness.Run("steer-vector", HookTestSupport.Toy("tiny-gpt2.onnx")!, "--hook", Hook, "--positive", positive, "--negative", negative,
            "-o", scratch["vec.safetensors"], "--device", "cpu");
        Assert.True(result.ExitCode == 0, result.ToString());
        return scratch["vec.safetensors"];
    }

    [ToyModelFact("tiny-gpt2-past.onnx")]
    public void Greedy_json_tokens_equal_full_forward_passes_on_the_no_past_file()
    {
        var report = Json("generate", HookTestSupport.Toy("tiny-gpt2-past.onnx")!, "--prompt", Prompt, "--max-new-tokens", "6");
        Assert.True(report.GetProperty("usedPast").GetBoolean());
        var expected = PlainGreedy.Generate(HookTestSupport.Toy("tiny-gpt2.onnx")!, InterpModel.Tokenize(Prompt), 6);
        Assert.Equal(expected.Tokens, NewTokens(report));
        Assert.Equal(expected.Probabilities[0], report.GetProperty("steps")[0].GetProperty("probability").GetDouble(), 4);
    }

    [ToyModelFact("tiny-gpt2-past.onnx")]
    public void Seeded_sampling_repeats_and_text_streams_to_stdout()
    {
        var model = HookTestSupport.Toy("tiny-gpt2-past.onnx")!;
        string[] args = ["generate", model, "--prompt", Prompt, "-n", "8", "--temperature", "1.5", "--top-p", "0.95", "--seed", "9"];
        Assert.Equal(NewTokens(Json(args)), NewTokens(Json(args)));
        var text = CliHarness.Run([.. args, "--device", "cpu"]);
        Assert.Equal(0, text.ExitCode);
        var report = Json(args);
        Assert.Equal(Prompt + report.GetProperty("text").GetString(), text.Out.TrimEnd('\n'));
    }

    [ToyModelFact("tiny-gpt2-past.onnx")]
    public void Steer_vector_is_the_difference_of_last_position_means_and_steering_by_file_flips_with_alpha()
    {
        using var scratch = new CliScratch();
        var file = SteeringVector(scratch);
        var vector = Assert.Single(SafeTensors.Load(file));
        Assert.Equal([64L], vector.Shape);
        // Independently: each prompt's cached activation at its last position, averaged per side.
        using var model = InterpModel.Load(HookTestSupport.Toy("tiny-gpt2.onnx")!, device: Device.Cpu);
        double[] Mean(string name) => [.. Enumerable.Range(0, 64).Select(i => Contexts.Average(c =>
        {
            var acts = model.RunWithCache(InterpModel.Tokenize(c + name), Hook).Cache[Hook];
            return (double)acts.Floats[(acts.Shape[1] - 1) * 64 + i];
        }))];
        var expected = Mean(" Mary").Zip(Mean(" John"), (a, b) => a - b).ToArray();
        Assert.True(expected.Zip(vector.Floats).Max(p => Math.Abs(p.First - p.Second)) < 1e-5);

        var past = HookTestSupport.Toy("tiny-gpt2-past.onnx")!;
        var plain = Json("generate", past, "--prompt", Prompt, "-n", "1");
        var towards = Json("generate", past, "--prompt", Prompt, "-n", "1", "--steer", $"{Hook}={file}", "--alpha", "1");
        var away = Json("generate", past, "--prompt", Prompt, "-n", "1", "--steer", $"{Hook}={file}", "--alpha", "-1");
        Assert.True(FirstStepProbability(towards, " Mary") > FirstStepProbability(plain, " Mary") + 0.15);
        Assert.Equal(" John", away.GetProperty("steps")[0].GetProperty("token").GetString());
    }

    [ToyModelFact("tiny-gpt2-past.onnx")]
    public void Zero_and_mean_ablations_apply_at_every_step()
    {
        var past = HookTestSupport.Toy("tiny-gpt2-past.onnx")!;
        var plain = Json("generate", past, "--prompt", Prompt, "-n", "4");
        var ablated = Json("generate", past, "--prompt", Prompt, "-n", "4", "--ablate", "blocks.0.attn.hook_z", "--ablate", "blocks.1.attn.hook_z:0,1,2,3");
        Assert.NotEqual(plain.GetProperty("steps")[0].GetProperty("probability").GetDouble(), ablated.GetProperty("steps")[0].GetProperty("probability").GetDouble());
        var mean = Json("generate", past, "--prompt", Prompt, "-n", "4", "--ablate", "blocks.2.attn.hook_z:1", "--ablate-method", "mean");
        Assert.NotEqual(plain.GetProperty("steps")[0].GetProperty("probability").GetDouble(), mean.GetProperty("steps")[0].GetProperty("probability").GetDouble());
        Assert.Contains("mean ablation of blocks.2.attn.hook_z heads 1", mean.GetProperty("interventions")[0].GetString());
    }

    [ToyModelFact("tiny-gpt2-past.onnx")]
    public void Bad_input_is_one_line_and_exit_2()
    {
        using var scratch = new CliScratch();
        var past = HookTestSupport.Toy("tiny-gpt2-past.onnx")!;
        var before = CliHarness.Hash(past);
        CliHarness.Fails(ExitCodes.Usage, ["no hook", "blocks.9.hook_resid_pre"], "generate", past, "--prompt", Prompt, "--ablate", "blocks.9.hook_resid_pre", "--device", "cpu");
        var narrow = scratch["narrow.safetensors"];
        SafeTensors.Save(narrow, [NamedTensor.Float("v", [32], new float[32])]);
        CliHarness.Fails(ExitCodes.Usage, ["shape [32]", "d_model = 64"], "generate", past, "--prompt", Prompt, "--steer", $"{Hook}={narrow}", "--device", "cpu");
        CliHarness.Fails(ExitCodes.Usage, ["context window of 64", "at most 49"], "generate", past, "--prompt", Prompt, "--max-new-tokens", "50", "--device", "cpu");
        var noIds = CliTestModels.FixedShapeModel(scratch["fixed.onnx"]);
        CliHarness.Fails(ExitCodes.Usage, ["input_ids", "cannot generate"], "generate", noIds, "--tokens", "1,2", "--device", "cpu");
        CliHarness.Fails(ExitCodes.Usage, ["--greedy"], "generate", past, "--prompt", Prompt, "--greedy", "--temperature", "0.7");
        CliHarness.Fails(ExitCodes.Usage, ["no hook"], "steer-vector", past, "--hook", "blocks.0.hook_nothing", "--positive", scratch.Write("p.txt", "a"), "--negative", scratch.Write("n.txt", "b"), "-o", scratch["v.safetensors"]);
        Assert.Equal(before, CliHarness.Hash(past));
    }
}
