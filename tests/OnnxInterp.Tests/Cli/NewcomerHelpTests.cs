using OnnxInterp.Cli;

namespace OnnxInterp.Tests.Cli;

/// <summary>A newcomer's first mistakes get an answer: help and version as verbs, the closest verb or hook, the layer count, a missing space.</summary>
public sealed class NewcomerHelpTests
{
    static string Model => Path.Combine(Support.TestPaths.OnnxModels, "attn-only-2l.onnx");

    [Fact]
    public void Every_verbs_help_ends_with_a_runnable_example()
    {
        var root = CliApp.BuildRoot(new CliConsole(TextWriter.Null, TextWriter.Null));
        foreach (var verb in root.Subcommands.Select(c => c.Name))
        {
            var result = CliHarness.Run(verb, "--help");
            Assert.True(result.ExitCode == 0, result.ToString());
            var lines = result.Out.TrimEnd().Split('\n');
            Assert.True(lines[^2].TrimEnd() is "Example:" or "Examples:" || lines.Reverse().Take(4).Any(l => l.TrimEnd() == "Examples:"), $"{verb} --help does not end with an example:\n{result.Out}");
            Assert.StartsWith("  onnxinterp " + verb, lines.SkipWhile(l => !l.StartsWith("Example")).Skip(1).First());
        }
    }

    [Fact]
    public void Help_and_version_work_as_verbs()
    {
        var help = CliHarness.Run("help", "maxact");
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("--data", help.Out);
        Assert.Contains("onnxinterp maxact onnx-models/tiny-gpt2.onnx --data data/lines.txt", help.Out);
        var list = CliHarness.Run("help");
        Assert.Contains("experiment", list.Out);
        var version = CliHarness.Run("version");
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Matches(@"^onnxinterp \d+\.\d+\.\d+", version.Out);
    }

    [Fact]
    public void A_wrong_verb_suggests_the_closest_one()
    {
        CliHarness.Fails(ExitCodes.Usage, ["'pach' is not a verb", "did you mean patch?"], "pach", "model.onnx");
        CliHarness.Fails(ExitCodes.Usage, ["'atribute'", "did you mean attribute?"], "help", "atribute");
        CliHarness.Fails(ExitCodes.Usage, ["no command given", "onnxinterp demo"]);
    }

    [Fact]
    public void Cache_and_rewrite_list_the_closest_hooks_and_the_layer_count()
    {
        using var scratch = new CliScratch();
        CliHarness.Fails(ExitCodes.Usage, ["blocks.0.attn.hook_patern", "Closest names: blocks.0.attn.hook_pattern"],
            "cache", Model, "--tokens", "0,5,9", "--expose", "blocks.0.attn.hook_patern", "-o", scratch["a.safetensors"]);
        CliHarness.Fails(ExitCodes.Usage, ["blocks.4.hook_resid_pre", "2 layers (blocks.0 to blocks.1)"],
            "rewrite", Model, "--patch", "blocks.4.hook_resid_pre:rows", "-o", scratch["a.onnx"]);
        CliHarness.Fails(ExitCodes.Usage, ["blocks.7.attn.*", "2 layers"],
            "cache", Model, "--tokens", "0,5,9", "--expose", "blocks.7.attn.*", "-o", scratch["a.safetensors"]);
    }

    [Fact]
    public void An_answer_without_its_leading_space_warns_and_still_runs()
    {
        var result = CliHarness.Run("lens", Path.Combine(Support.TestPaths.OnnxModels, "tiny-gpt2.onnx"), "--prompt", "When Mary and John went to the store, John gave a drink to",
            "--answer", "Mary", "--device", "cpu");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("warning: --answer \"Mary\" has no leading space", result.Error);
    }

    [Fact]
    public void A_dataset_that_does_not_exist_is_a_failure_as_docs_cli_md_says()
    {
        CliHarness.Fails(ExitCodes.Failure, ["--data", "missing.txt", "not found"],
            "maxact", Model, "--data", "missing.txt", "--head", "0.1");
    }
}
