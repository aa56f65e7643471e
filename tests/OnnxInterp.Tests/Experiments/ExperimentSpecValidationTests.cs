using OnnxInterp.Cli;
using OnnxInterp.Tests.Cli;

namespace OnnxInterp.Tests.Experiments;

/// <summary>A spec with an error is rejected before anything runs (no output folder appears), exit 2, naming the field.</summary>
public sealed class ExperimentSpecValidationTests
{
    static readonly string Gpt2 = ExperimentSpecFiles.Model("tiny-gpt2.onnx");
    static readonly string Attn = ExperimentSpecFiles.Model("attn-only-2l.onnx");

    public static TheoryData<string, string[]> BadSpecs => new()
    {
        // unknown step
        { $$"""{ "model": "{{Attn}}", "steps": [ { "step": "heads" }, { "step": "scrubb" } ] }""", ["steps[1].step", "scrubb", "patch"] },
        // unknown field (a typo)
        { $$"""{ "model": "{{Attn}}", "steps": [ { "step": "heads", "sequencez": 3 } ] }""", ["steps[0]", "sequencez"] },
        // unknown hook, with the closest names
        { $$"""{ "model": "{{Attn}}", "prompts": { "repeated": 2 }, "steps": [ { "step": "cache", "expose": ["blocks.0.attn.hook_patern"] } ] }""", ["steps[0].expose[0]", "blocks.0.attn.hook_pattern"] },
        // missing files: the model, the dataset
        { """{ "model": "no-such-model.onnx", "steps": [ { "step": "heads" } ] }""", ["model", "no-such-model.onnx", "not found"] },
        { $$"""{ "model": "{{Gpt2}}", "steps": [ { "step": "maxact", "data": "missing-lines.txt", "neurons": ["blocks.0.mlp.hook_post:1"] } ] }""", ["steps[0].data", "missing-lines.txt"] },
        // bad values
        { $$"""{ "model": "{{Gpt2}}", "prompts": { "ioi": 2 }, "steps": [ { "step": "patch", "metric": "logit_diff" } ] }""", ["steps[0].metric", "logit-diff"] },
        { $$"""{ "model": "{{Gpt2}}", "prompts": { "ioi": 2 }, "steps": [ { "step": "patch", "sweeps": ["resid_pre", "resid-post"] } ] }""", ["steps[0].sweeps[1]", "resid-post"] },
        { $$"""{ "model": "{{Attn}}", "steps": [ { "step": "heads", "sequences": 0 } ] }""", ["steps[0].sequences", "at least 1"] },
        { $$"""{ "model": "{{Attn}}", "steps": [ { "step": "heads", "sequences": "many" } ] }""", ["steps[0].sequences", "wrong type"] },
        { $$"""{ "model": "{{Attn}}", "device": "gpu", "steps": [ { "step": "heads" } ] }""", ["device", "gpu"] },
        { $$"""{ "model": "{{Gpt2}}", "prompts": { "pairs": [ { "clean": "When Mary and John went", "corrupted": "When Mary and John left", "answer": " Mary lamb" } ] }, "steps": [ { "step": "patch" } ] }""", ["prompts.pairs[0].answer", "exactly one"] },
        { $$"""{ "model": "{{Gpt2}}", "steps": [ { "step": "patch" } ] }""", ["steps[0].prompts", "needs prompts"] },
        { $$"""{ "model": "{{Attn}}", "steps": [ { "step": "ablate", "prompts": { "repeated": 2 }, "neurons": 7 } ] }""", ["steps[0].neurons", "2 layers"] },
        { $$"""{ "model": "{{Attn}}", "steps": [ { "step": "heads" }, { "step": "heads" } ] }""", ["steps[1].name", "heads"] },
        { """{ "model": "m.onnx", "steps": [ """, ["not valid JSON"] },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void A_bad_spec_is_rejected_before_anything_runs_naming_the_field(string json, string[] keyWords)
    {
        using var scratch = new CliScratch();
        var spec = ExperimentSpecFiles.Write(scratch.Folder, json);
        CliHarness.Fails(ExitCodes.Usage, keyWords, "experiment", spec, "-o", scratch["out"]);
        Assert.False(Directory.Exists(scratch["out"]), "nothing may be written for a spec that cannot run");
    }

    [Fact]
    public void Every_problem_of_a_spec_is_reported_at_once()
    {
        using var scratch = new CliScratch();
        var spec = ExperimentSpecFiles.Write(scratch.Folder, $$"""
            { "model": "{{Attn}}", "steps": [ { "step": "heads", "sequences": 0 }, { "step": "heads", "name": "h2", "detect": ["inductoin"] } ] }
            """);
        CliHarness.Fails(ExitCodes.Usage, ["steps[0].sequences", "steps[1].detect[0]", "inductoin"], "experiment", spec, "-o", scratch["out"]);
    }

    [Fact]
    public void A_missing_spec_file_is_a_failure_naming_it()
    {
        using var scratch = new CliScratch();
        CliHarness.Fails(ExitCodes.Failure, ["not found", "nope.json"], "experiment", scratch["nope.json"], "-o", scratch["out"]);
    }

    [Fact]
    public void Check_validates_without_running_or_writing()
    {
        using var scratch = new CliScratch();
        var spec = ExperimentSpecFiles.Write(scratch.Folder, $$"""{ "model": "{{Attn}}", "steps": [ { "step": "heads" } ] }""");
        var result = CliHarness.Run("experiment", spec, "-o", scratch["out"], "--check");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("valid", result.Out);
        Assert.False(Directory.Exists(scratch["out"]));
    }

    [Fact]
    public void An_answer_without_its_leading_space_warns()
    {
        using var scratch = new CliScratch();
        var spec = ExperimentSpecFiles.Write(scratch.Folder, $$"""
            { "model": "{{Gpt2}}", "prompts": { "pairs": [ { "clean": "When Mary and John went to the store, John gave a drink to", "answer": "Mary" } ] },
              "steps": [ { "step": "lens" } ] }
            """);
        var result = CliHarness.Run("experiment", spec, "-o", scratch["out"], "--check");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("prompts.pairs[0].answer \"Mary\" has no leading space", result.Error);
    }
}
