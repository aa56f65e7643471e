using System.Text.Json;
using OnnxInterp.Cli;
using OnnxInterp.Tests.Cli;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Scrubbing;

/// <summary><c>onnxinterp scrub</c> on the worked example of docs/scrubbing.md, and its bad inputs.</summary>
public sealed class ScrubCliTests
{
    static string Example(string file) => Path.Combine(TestPaths.RepoRoot, "docs", "examples", file);

    [ToyModelFact("attn-only-2l.onnx")]
    public void The_docs_example_recovers_most_of_the_loss_and_is_reproducible()
    {
        string[] args = ["scrub", HookTestSupport.Toy("attn-only-2l.onnx")!, "--hypothesis", Example("induction.hypothesis.json"),
            "--dataset", Example("repeats.jsonl"), "--samples", "24", "--seed", "4", "--device", "cpu", "--json"];
        var first = CliHarness.Run(args);
        var second = CliHarness.Run(args);
        Assert.True(first.ExitCode == 0, first.ToString());
        var result = JsonDocument.Parse(first.Out).RootElement.GetProperty("result");
        double recovered = result.GetProperty("recovered").GetDouble();
        Assert.InRange(recovered, 0.6, 1.0);
        Assert.Equal(recovered, JsonDocument.Parse(second.Out).RootElement.GetProperty("result").GetProperty("recovered").GetDouble());
    }

    [ToyModelFact("attn-only-2l.onnx")]
    public void Bad_hypotheses_and_datasets_are_usage_errors()
    {
        using var scratch = new CliScratch();
        var model = HookTestSupport.Toy("attn-only-2l.onnx")!;
        var unknown = scratch["unknown.json"];
        File.WriteAllText(unknown, """{"claims": [{"edges": ["L5H0->logits"]}]}""");
        CliHarness.Fails(ExitCodes.Usage, ["no edge L5H0 -> logits"], "scrub", model, "--hypothesis", unknown, "--dataset", Example("repeats.jsonl"), "--device", "cpu");
        var position = scratch["position.json"];
        File.WriteAllText(position, """{"loss_positions": [40], "claims": [{"edges": ["embed->logits"]}]}""");
        CliHarness.Fails(ExitCodes.Usage, ["loss position 40"], "scrub", model, "--hypothesis", position, "--dataset", Example("repeats.jsonl"), "--device", "cpu");
        var empty = scratch["empty.json"];
        File.WriteAllText(empty, """{"claims": []}""");
        CliHarness.Fails(ExitCodes.Usage, ["claims no edge", "empty circuit"], "scrub", model, "--hypothesis", empty, "--dataset", Example("repeats.jsonl"), "--device", "cpu");
        var tiny = scratch["tiny.jsonl"];
        File.WriteAllText(tiny, """{"tokens": [0, 1, 2]}""" + "\n");
        CliHarness.Fails(ExitCodes.Usage, ["at least two examples"], "scrub", model, "--hypothesis", Example("induction.hypothesis.json"), "--dataset", tiny, "--device", "cpu");
        CliHarness.Fails(ExitCodes.Usage, ["does not exist"], "scrub", model, "--hypothesis", scratch["missing.json"], "--dataset", tiny, "--device", "cpu");
    }
}
