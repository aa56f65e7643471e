using OnnxInterp.Tests.Experiments;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Cli;

/// <summary>Redirected stderr (a log, CI) gets whole progress lines with the count and percentage; --quiet gets none; stdout never does.</summary>
public sealed class ProgressOutputTests
{
    [Fact]
    public void An_experiment_logs_each_step_with_its_count_and_quiet_silences_it()
    {
        using var scratch = new CliScratch();
        var spec = ExperimentSpecFiles.Write(scratch.Folder, $$"""
            { "model": "{{ExperimentSpecFiles.Model("attn-only-2l.onnx")}}", "device": "cpu",
              "steps": [ { "step": "heads", "sequences": 1, "length": 4, "view": 0 }, { "step": "heads", "name": "again", "sequences": 1, "length": 4, "view": 0 } ] }
            """);
        var loud = CliHarness.Run("experiment", spec, "-o", scratch["a"]);
        Assert.True(loud.ExitCode == 0, loud.ToString());
        Assert.Contains("experiment: step 2/2, heads again (50%)", loud.Error);
        Assert.Contains("experiment: 2/2 steps done (100%)", loud.Error);
        Assert.DoesNotContain("experiment:", loud.Out);

        var quiet = CliHarness.Run("experiment", spec, "-o", scratch["b"], "--quiet");
        Assert.True(quiet.ExitCode == 0, quiet.ToString());
        Assert.Equal("", quiet.Error);
    }

    [Fact]
    public void Maxact_reports_progress_unless_quiet()
    {
        var model = Path.Combine(TestPaths.OnnxModels, "tiny-gpt2.onnx");
        var data = Path.Combine(TestPaths.RepoRoot, "data", "lines.txt");
        string[] args = ["maxact", model, "--data", data, "--head", "1.0", "-k", "2", "--max-examples", "6", "--device", "cpu"];
        var loud = CliHarness.Run(args);
        Assert.True(loud.ExitCode == 0, loud.ToString());
        Assert.Contains("maxact: 6 examples", loud.Error);
        var quiet = CliHarness.Run([.. args, "--quiet"]);
        Assert.DoesNotContain("maxact:", quiet.Error);
    }
}
