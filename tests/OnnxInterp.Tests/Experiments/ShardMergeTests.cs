using System.Text.Json;
using System.Text.Json.Nodes;
using OnnxInterp.Cli;
using OnnxInterp.Tests.Cli;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Experiments;

/// <summary>An experiment run as 3 shards and merged equals the same experiment run once: every number, table, CSV and heatmap.</summary>
public sealed class ShardMergeTests
{
    static string Example(string file) => Path.Combine(TestPaths.RepoRoot, "docs", "examples", file).Replace("\\", "/");

    static string Spec(string folder) => ExperimentSpecFiles.Write(folder, $$"""
        {
          "model": "{{ExperimentSpecFiles.Model("tiny-gpt2.onnx")}}", "device": "cpu", "seed": 5,
          "prompts": { "ioi": 2 }, "data": "{{ExperimentSpecFiles.Lines}}",
          "steps": [
            { "step": "heads", "model": "{{ExperimentSpecFiles.Model("attn-only-2l.onnx")}}", "sequences": 2, "length": 6, "view": 1 },
            { "step": "lens", "prompt": "When Mary and John went to the store, John gave a drink to", "answer": " Mary" },
            { "step": "maxact", "neurons": ["blocks.1.mlp.hook_post:5"], "heads": ["2.1"], "k": 4, "batchSize": 4, "maxExamples": 26 },
            { "step": "attribute", "by": "layer" },
            { "step": "patch", "sweeps": ["resid_pre", "z"] },
            { "step": "ablate", "method": "mean", "heads": true, "layers": true },
            { "step": "scrub", "model": "{{ExperimentSpecFiles.Model("attn-only-2l.onnx")}}", "hypothesis": "{{Example("induction.hypothesis.json")}}",
              "dataset": "{{Example("repeats.jsonl")}}", "samples": 7 }
          ]
        }
        """);

    [Fact]
    public void Three_shards_merged_equal_one_run()
    {
        using var scratch = new CliScratch();
        var spec = Spec(scratch.Folder);
        var single = CliHarness.Run("experiment", spec, "-o", scratch["single"], "--quiet");
        Assert.True(single.ExitCode == 0, single.ToString());
        foreach (var k in new[] { 0, 1, 2 })
        {
            var shard = CliHarness.Run("experiment", spec, "-o", scratch[$"shard{k}"], "--quiet", "--shard", $"{k}/3");
            Assert.True(shard.ExitCode == 0, shard.ToString());
        }
        // Shard 1 ran step 1 (lens) whole, its share of the maxact batches and of the patch variants, nothing else.
        using (var shard1 = JsonDocument.Parse(File.ReadAllText(scratch["shard1/results.json"])))
        {
            var steps = shard1.RootElement.GetProperty("steps").EnumerateArray().ToList();
            Assert.Equal(["lens", "maxact", "patch", "ablate", "scrub"], steps.Select(s => s.GetProperty("step").GetString()));
            // Its patch grid holds every third variant (1, 4, 7, ...: layer-major, so row 0 column 1), NaN elsewhere.
            var cells = steps[2].GetProperty("result").GetProperty("sweeps")[0].GetProperty("raw")[0].EnumerateArray().ToList();
            Assert.Equal(JsonValueKind.String, cells[0].ValueKind);   // NaN
            Assert.Equal(JsonValueKind.Number, cells[1].ValueKind);
        }

        var merge = CliHarness.Run("merge", scratch["shard2"], scratch["shard0"], scratch["shard1"], "-o", scratch["merged"]);
        Assert.True(merge.ExitCode == 0, merge.ToString());
        Assert.Equal(Steps(scratch["single/results.json"]), Steps(scratch["merged/results.json"]));
        foreach (var file in Directory.GetFiles(scratch["single"], "*.csv").Concat(Directory.GetFiles(scratch["single"], "*.png")))
            Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(scratch["merged"], Path.GetFileName(file)))),
                $"{Path.GetFileName(file)} differs between the single run and the merge");
    }

    [Fact]
    public void Merge_refuses_an_incomplete_set_of_shards()
    {
        using var scratch = new CliScratch();
        var spec = Spec(scratch.Folder);
        foreach (var k in new[] { 0, 2 })
            Assert.Equal(0, CliHarness.Run("experiment", spec, "-o", scratch[$"shard{k}"], "--quiet", "--shard", $"{k}/3").ExitCode);
        CliHarness.Fails(ExitCodes.Usage, ["1/3", "missing"], "merge", scratch["shard0"], scratch["shard2"], "-o", scratch["merged"]);
        CliHarness.Fails(ExitCodes.Usage, ["--shard", "K/N"], "experiment", spec, "-o", scratch["x"], "--shard", "3/3");
        // A folder that is not an experiment's output is a failure naming it.
        Directory.CreateDirectory(scratch["empty"]);
        CliHarness.Fails(ExitCodes.Failure, ["empty", "results.json"], "merge", scratch["empty"], "-o", scratch["merged"]);
    }

    /// <summary>Every step without what times or places the run (seconds, file paths).</summary>
    static string Steps(string resultsJson)
    {
        var steps = JsonNode.Parse(File.ReadAllText(resultsJson))!["steps"]!.AsArray();
        foreach (var step in steps)
        {
            var o = step!.AsObject();
            o.Remove("seconds");
            o.Remove("files");
            o["result"]!.AsObject().Remove("seconds");
            // Every shard of a patch (ablate) step also runs the clean and corrupted (un-ablated) prompts, and a scrub sample's tree may share rows
            // with another shard's: their session runs and rows are every shard's.
            if ((string?)o["step"] is "patch" or "ablate")
            {
                o["result"]!.AsObject().Remove("runs");
                o["result"]!.AsObject().Remove("rows");
            }
            if ((string?)o["step"] == "scrub")
                foreach (var count in new[] { "planRows", "runs", "batchRows" }) o["result"]!["result"]!.AsObject().Remove(count);
        }
        return steps.ToJsonString();
    }
}
