using System.Text.Json;
using OnnxInterp.Cli;
using OnnxInterp.Tests.Cli;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Experiments;

/// <summary>The demo finds what the shipped models are known to do (MODELS.md), and says so from its own results.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public void Demo_finds_the_induction_circuit_and_the_ioi_answer_and_writes_the_report()
    {
        using var scratch = new CliScratch();
        var result = CliHarness.Run("demo", "-o", scratch["demo"], "--models", TestPaths.OnnxModels, "--device", "cpu", "--quiet");
        Assert.True(result.ExitCode == 0, result.ToString());
        // attn-only-2l: L0H3 is the previous-token head, and knocking it out hurts the repeated half most.
        Assert.Contains("previous-token    L0H3 0.82", result.Out);
        Assert.Matches(@"baseline [0-9.]+\): L0H3 x1[0-9]\.\d", result.Out);
        // tiny-gpt2 prefers the indirect object, and the attribution adds up to the model's own logit difference.
        Assert.Matches(@"sum to (\d+\.\d\d); the model's own: \1", result.Out);
        Assert.Contains("\" Mary\" becomes the top token", result.Out);

        using var json = JsonDocument.Parse(File.ReadAllText(scratch["demo/results.json"]));
        Assert.Equal(5, json.RootElement.GetProperty("steps").GetArrayLength());
        Assert.True(File.Exists(scratch["demo/report.html"]));
        Assert.True(File.Exists(scratch["demo/demo.experiment.json"]));
    }

    [Fact]
    public void Demo_without_the_models_says_where_it_looked_and_what_to_do()
    {
        using var scratch = new CliScratch();
        CliHarness.Fails(ExitCodes.Usage, ["--models", "attn-only-2l.onnx"], "demo", "-o", scratch["demo"], "--models", scratch.Folder);
    }
}
