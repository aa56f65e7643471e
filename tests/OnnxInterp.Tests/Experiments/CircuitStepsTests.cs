using System.Text.Json;
using OnnxInterp.Analysis.Datasets;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Analysis.Paths;
using OnnxInterp.Analysis.Scrubbing;
using OnnxInterp.Hooks;
using OnnxInterp.Tests.Cli;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Experiments;

/// <summary>The path-patch, scrub and discover steps of an experiment spec give the numbers the library gives called directly.</summary>
public sealed class CircuitStepsTests
{
    static string Example(string file) => Path.Combine(TestPaths.RepoRoot, "docs", "examples", file).Replace("\\", "/");

    [Fact]
    public void Path_patch_scrub_and_discover_steps_equal_the_library()
    {
        using var scratch = new CliScratch();
        const string a = "301, 58, 422, 97, 233, 17, 390, 145", b = "150, 33, 260, 480, 77, 299, 412, 66";
        var spec = ExperimentSpecFiles.Write(scratch.Folder, $$"""
            {
              "model": "{{ExperimentSpecFiles.Model("tiny-gpt2.onnx")}}",
              "device": "cpu",
              "seed": 2,
              "prompts": { "ioi": 2 },
              "steps": [
                { "step": "path-patch", "senders": ["L3H0", "mlp2"], "receivers": ["logits", "L3H1_v"] },
                { "step": "scrub", "model": "{{ExperimentSpecFiles.Model("attn-only-2l.onnx")}}", "hypothesis": "{{Example("induction.hypothesis.json")}}",
                  "dataset": "{{Example("repeats.jsonl")}}", "samples": 6 },
                { "step": "discover", "model": "{{ExperimentSpecFiles.Model("attn-only-2l.onnx")}}", "threshold": 0.1,
                  "prompts": { "pairs": [ { "cleanTokens": [0, {{a}}, {{a}}], "corruptedTokens": [0, {{b}}, {{a}}] } ] } }
              ]
            }
            """);
        var run = CliHarness.Run("experiment", spec, "-o", scratch["out"], "--quiet");
        Assert.True(run.ExitCode == 0, run.ToString());
        var steps = JsonDocument.Parse(File.ReadAllText(scratch["out/results.json"])).RootElement.GetProperty("steps");

        var gpt2 = HookedModel.Load(ExperimentSpecFiles.Model("tiny-gpt2.onnx"));
        int datasetSeed = int.Parse(gpt2.Model.Metadata("onnxinterp.ioi.dataset_seed") ?? IoiDataset.DefaultSeed.ToString());
        var (pairs, _) = IoiPairs.Create(new IoiDataset(IoiDataset.Gpt2Tokenizer(), datasetSeed), 2, seed: 2);
        var paths = PathPatching.Run(gpt2, new PathPatchingRequest(pairs, ["L3H0", "mlp2"], ["logits", "L3H1_v"]));
        var raw = steps[0].GetProperty("result").GetProperty("raw");
        Assert.Equal(paths.Raw[0, 0], raw[0][0].GetDouble(), 6);
        Assert.Equal(paths.Raw[1, 1], raw[1][1].GetDouble(), 6);

        var attnOnly = HookedModel.Load(ExperimentSpecFiles.Model("attn-only-2l.onnx"));
        var scrub = CausalScrubbing.Run(attnOnly, new ScrubRequest(Hypothesis.Load(Example("induction.hypothesis.json")), ScrubDataset.Load(Example("repeats.jsonl")), 6, Seed: 2));
        Assert.Equal(scrub.Recovered, steps[1].GetProperty("result").GetProperty("result").GetProperty("recovered").GetDouble(), 9);

        long[] first = [301, 58, 422, 97, 233, 17, 390, 145], other = [150, 33, 260, 480, 77, 299, 412, 66];
        var discovery = CircuitDiscovery.Run(attnOnly, new DiscoveryRequest([new PromptPair([0, .. first, .. first], [0, .. other, .. first], -1)], 0.1, MetricKind.Kl));
        var discover = steps[2].GetProperty("result");
        Assert.Equal(discovery.Kept.Count, discover.GetProperty("keptEdges").GetInt32());
        Assert.Equal(discovery.Circuit, discover.GetProperty("circuit").GetDouble(), 9);
    }

    [Fact]
    public void A_misspelt_sender_is_rejected_before_anything_runs()
    {
        using var scratch = new CliScratch();
        var spec = ExperimentSpecFiles.Write(scratch.Folder, $$"""
            { "model": "{{ExperimentSpecFiles.Model("tiny-gpt2.onnx")}}", "device": "cpu", "prompts": { "ioi": 1 },
              "steps": [ { "step": "path-patch", "senders": ["L3H9"] } ] }
            """);
        var run = CliHarness.Run("experiment", spec, "-o", scratch["out"], "--quiet");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("steps[0].senders", run.Error);
        Assert.False(Directory.Exists(scratch["out"]) && Directory.EnumerateFileSystemEntries(scratch["out"]).Any());
    }
}
