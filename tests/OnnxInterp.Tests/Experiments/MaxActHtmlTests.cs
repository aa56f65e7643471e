using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OnnxInterp.Tests.Cli;

namespace OnnxInterp.Tests.Experiments;

/// <summary>
/// maxact --html colours every context token by its activation, recomputed by running the example again; the outlined
/// token's value must equal the activation the search ranked it by (an independent run of the same prefix).
/// </summary>
public sealed partial class MaxActHtmlTests
{
    [Fact]
    public void The_outlined_token_carries_the_searched_activation_and_the_page_is_self_contained()
    {
        using var scratch = new CliScratch();
        var result = CliHarness.Run("maxact", ExperimentSpecFiles.Model("tiny-gpt2.onnx"), "--data", ExperimentSpecFiles.Lines,
            "--neuron", "blocks.2.mlp.hook_post:17", "--head", "1.2", "-k", "3", "--batch-size", "5", "--device", "cpu", "--json", "--quiet", "--html", scratch["maxact.html"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var expected = json.RootElement.GetProperty("targets").EnumerateArray()
            .SelectMany(t => t.GetProperty("examples").EnumerateArray().Select(e => e.GetProperty("activation").GetDouble())).ToList();

        var html = File.ReadAllText(scratch["maxact.html"]);
        var outlined = TopToken().Matches(html).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(expected.Count, outlined.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(expected[i] - outlined[i]) <= 1e-4, $"context {i}: searched {expected[i]}, recomputed {outlined[i]}");
        Assert.DoesNotContain("http", html);
    }

    [GeneratedRegex(@"class=""tok top""[^>]*title=""([-0-9.]+)""")]
    private static partial Regex TopToken();
}
