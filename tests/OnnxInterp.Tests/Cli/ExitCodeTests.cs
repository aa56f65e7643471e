using OnnxInterp.Cli;

namespace OnnxInterp.Tests.Cli;

/// <summary>docs/cli.md's exit-code table, checked verb by verb: a missing file is 1 (failure), a wrong command line 2 (usage).</summary>
public sealed class ExitCodeTests
{
    public static TheoryData<string[]> VerbsWithAModel => new()
    {
        new[] { "inspect" }, new[] { "run", "--tokens", "1" }, new[] { "cache", "--tokens", "1", "--expose", "x", "-o", "x.safetensors" },
        new[] { "rewrite", "--expose", "x", "-o", "x.onnx" }, new[] { "patch", "--ioi", "2" }, new[] { "ablate", "--repeated", "2" },
        new[] { "lens", "--tokens", "1" }, new[] { "attribute", "--ioi", "2" }, new[] { "heads" }, new[] { "fourier" },
        new[] { "maxact", "--data", "x.txt", "--head", "0.1" }, new[] { "path-patch", "--ioi", "2" }, new[] { "discover", "--ioi", "1" },
        new[] { "scrub", "--hypothesis", Example("induction.hypothesis.json"), "--dataset", Example("repeats.jsonl") },
    };

    static string Example(string file) => Path.Combine(Support.TestPaths.RepoRoot, "docs", "examples", file);

    [Theory]
    [MemberData(nameof(VerbsWithAModel))]
    public void A_missing_model_is_a_failure_and_an_unknown_option_a_usage_error(string[] verbAndOptions)
    {
        using var scratch = new CliScratch();
        var missing = scratch["missing.onnx"];
        string[] args = [verbAndOptions[0], missing, .. verbAndOptions[1..].Select(a => a.StartsWith("x") ? scratch[a] : a)];
        var missingModel = CliHarness.Fails(ExitCodes.Failure, ["not found"], args);
        var unknownOption = CliHarness.Fails(ExitCodes.Usage, ["--no-such-option"], [.. args, "--no-such-option"]);
        Assert.False(missingModel.HasStackTrace || unknownOption.HasStackTrace, $"{missingModel}\n{unknownOption}");
    }
}
