using OnnxInterp.Tests.Cli;

namespace OnnxInterp.Tests.Experiments;

/// <summary>report.html opened in headless Chromium, offline: its script builds the attention view and every heatmap is an inline image.</summary>
public sealed class ReportRenderingTests
{
    [ChromiumFact]
    public void Report_renders_offline_with_attention_panels_heatmaps_and_coloured_tokens()
    {
        using var scratch = new CliScratch();
        var spec = ExperimentSpecFiles.Write(scratch.Folder, $$"""
            {
              "model": "{{ExperimentSpecFiles.Model("attn-only-2l.onnx")}}", "device": "cpu",
              "steps": [
                { "step": "heads", "sequences": 2, "length": 8, "view": 2 },
                { "step": "maxact", "model": "{{ExperimentSpecFiles.Model("tiny-gpt2.onnx")}}", "data": "{{ExperimentSpecFiles.Lines}}", "heads": ["1.0"], "k": 3, "maxExamples": 8 }
              ]
            }
            """);
        var run = CliHarness.Run("experiment", spec, "-o", scratch["out"], "--quiet");
        Assert.True(run.ExitCode == 0, run.ToString());

        var dom = Chromium.DumpDom(scratch["out/report.html"]);
        // The script ran: one panel (with a canvas) per head of attn-only-2l (2 layers x 4 heads), and both sequences selectable.
        Assert.Equal(8, CountOf(dom, "class=\"panel\""));
        Assert.Equal(8, CountOf(dom, "<canvas"));
        Assert.Equal(2, CountOf(dom, "<option value="));
        Assert.Equal(3, CountOf(dom, "data:image/png;base64,"));
        Assert.True(CountOf(dom, "class=\"tok top\"") == 3, "each of the 3 max-activating contexts outlines its top token");
    }

    [ChromiumFact]
    public void Heads_html_shows_every_sequence_of_the_batch_with_a_selector()
    {
        using var scratch = new CliScratch();
        var run = CliHarness.Run("heads", ExperimentSpecFiles.Model("attn-only-2l.onnx"), "--sequences", "3", "--length", "6", "--html", scratch["attention.html"], "--device", "cpu");
        Assert.True(run.ExitCode == 0, run.ToString());
        var dom = Chromium.DumpDom(scratch["attention.html"]);
        Assert.Equal(3, CountOf(dom, "<option value="));
        Assert.Equal(8, CountOf(dom, "class=\"panel\""));
        Assert.Equal(8, CountOf(dom, "type=\"checkbox\""));
        Assert.Contains("class=\"ramp\"", dom);
    }

    static int CountOf(string text, string part)
    {
        int count = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
