using System.Text.Json;
using OnnxInterp.Tests.Cli;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Experiments;

/// <summary>The example specs in docs/examples run as written, and their folder holds what docs/experiments.md promises.</summary>
public sealed class ExperimentExampleSpecTests
{
    public static TheoryData<string> ExampleSpecs()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "docs", "examples"), "*.experiment.json").Order())
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(ExampleSpecs))]
    public void Example_spec_runs_as_written(string file)
    {
        using var scratch = new CliScratch();
        var result = CliHarness.Run("experiment", Path.Combine(TestPaths.RepoRoot, "docs", "examples", file), "-o", scratch["out"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.False(result.HasStackTrace, result.ToString());

        using var json = JsonDocument.Parse(File.ReadAllText(scratch["out/results.json"]));
        var root = json.RootElement;
        Assert.False(string.IsNullOrEmpty(root.GetProperty("version").GetString()));
        Assert.Equal(root.GetProperty("spec").GetProperty("steps").GetArrayLength(), root.GetProperty("steps").GetArrayLength());
        foreach (var written in root.GetProperty("files").EnumerateArray())
            Assert.True(File.Exists(written.GetString()), $"results.json lists {written} but it is not there");
        foreach (var step in root.GetProperty("steps").EnumerateArray())
            foreach (var grid in step.GetProperty("grids").EnumerateArray())
                Assert.True(File.Exists(scratch[$"out/{step.GetProperty("name").GetString()}-{grid.GetProperty("name").GetString()}.png"]));
        ReportChecks.AssertSelfContained(File.ReadAllText(scratch["out/report.html"]));
    }
}
