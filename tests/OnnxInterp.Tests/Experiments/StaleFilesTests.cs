using OnnxInterp.Tests.Cli;

namespace OnnxInterp.Tests.Experiments;

/// <summary>Rerunning into a used folder: files an earlier run wrote and this one did not are named, and left alone.</summary>
public sealed class StaleFilesTests
{
    [Fact]
    public void A_second_run_into_the_same_folder_names_the_earlier_runs_files_it_did_not_write()
    {
        using var scratch = new CliScratch();
        string Spec(string steps, string name) => ExperimentSpecFiles.Write(scratch.Folder, $$"""
            { "model": "{{ExperimentSpecFiles.Model("tiny-gpt2.onnx")}}", "device": "cpu", "prompts": { "ioi": 2 }, "steps": [ {{steps}} ] }
            """, name);
        var lens = """{ "step": "lens", "prompt": "When Mary and John went to the store, John gave a drink to", "answer": " Mary" }""";
        var first = CliHarness.Run("experiment", Spec(lens + """, { "step": "attribute", "by": "layer" }""", "both.json"), "-o", scratch["out"], "--quiet");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.DoesNotContain("earlier run", first.Error);
        var attribute = Directory.GetFiles(scratch["out"], "attribute-*.csv");
        Assert.NotEmpty(attribute);

        var second = CliHarness.Run("experiment", Spec(lens, "lens.json"), "-o", scratch["out"], "--quiet");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("an earlier run wrote and this one did not", second.Error);
        Assert.Contains(Path.GetFileName(attribute[0]), second.Error);
        Assert.All(attribute, f => Assert.True(File.Exists(f), $"{f} must be left where it was"));

        var third = CliHarness.Run("experiment", Spec(lens, "lens.json"), "-o", scratch["out"], "--quiet");
        Assert.DoesNotContain("earlier run", third.Error);   // the previous run (the second) wrote exactly these files
    }
}
