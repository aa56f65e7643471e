using OnnxInterp.Analysis.Engine;
using System.Text.Json;
using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Ablation;
using OnnxInterp.Analysis.Attribution;
using OnnxInterp.Analysis.Datasets;
using OnnxInterp.Analysis.Heads;
using OnnxInterp.Analysis.Lens;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Cli;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Experiments;

/// <summary>
/// One spec run end to end on the shipped models; every number in results.json must equal what the library API gives
/// when called directly with inputs built here independently (the IOI pairs, the random sequences, the hooks).
/// </summary>
public sealed class ExperimentLibraryAgreementTests
{
    static string Spec(string folder) => ExperimentSpecFiles.Write(folder, $$"""
        {
          "model": "{{ExperimentSpecFiles.Model("tiny-gpt2.onnx")}}",
          "device": "cpu",
          "seed": 3,
          "prompts": { "ioi": 2 },
          "steps": [
            { "step": "patch", "sweeps": ["resid_pre"] },
            { "step": "attribute" },
            { "step": "lens", "prompt": "When Mary and John went to the store, John gave a drink to", "answer": " Mary" },
            { "step": "heads", "model": "{{ExperimentSpecFiles.Model("attn-only-2l.onnx")}}", "sequences": 2, "length": 10, "view": 1 },
            { "step": "ablate", "model": "{{ExperimentSpecFiles.Model("attn-only-2l.onnx")}}", "prompts": { "repeated": 3 } }
          ]
        }
        """);

    [Fact]
    public void Results_json_equals_the_library_api_and_a_second_run_gives_the_same_numbers()
    {
        using var scratch = new CliScratch();
        var spec = Spec(scratch.Folder);
        var first = CliHarness.Run("experiment", spec, "-o", scratch["run1"], "--quiet");
        Assert.True(first.ExitCode == 0, first.ToString());
        using var results = JsonDocument.Parse(File.ReadAllText(scratch["run1/results.json"]));
        var steps = results.RootElement.GetProperty("steps");
        Assert.Equal("cpu", results.RootElement.GetProperty("device").GetString());
        Assert.Equal(64, results.RootElement.GetProperty("models")[0].GetProperty("sha256").GetString()!.Length);

        var gpt2 = HookedModel.Load(ExperimentSpecFiles.Model("tiny-gpt2.onnx"));
        int datasetSeed = int.Parse(gpt2.Model.Metadata("onnxinterp.ioi.dataset_seed") ?? IoiDataset.DefaultSeed.ToString());
        var (pairs, _) = IoiPairs.Create(new IoiDataset(IoiDataset.Gpt2Tokenizer(), datasetSeed), 2, seed: 3);

        // patch: normalised and raw grids, and the recorded prompt tokens
        var patching = ActivationPatching.Run(gpt2, new PatchingRequest(pairs, [Sweeps.ResidPre]), new InterventionOptions(32, Device.Cpu));
        var patch = steps[0].GetProperty("result");
        AssertClose(patching.Sweeps[0].Normalised, Flat(patch.GetProperty("sweeps")[0].GetProperty("normalised")));
        AssertClose(patching.Sweeps[0].Raw, Flat(patch.GetProperty("sweeps")[0].GetProperty("raw")));
        Assert.Equal(pairs[1].Corrupted.Select(t => (int)t), steps[0].GetProperty("prompts")[3].GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()));
        Assert.Equal(3, steps[0].GetProperty("seed").GetInt32());

        // attribute: every component over the same pairs' clean prompts
        var dla = new DirectLogitAttribution(gpt2, perHead: true);
        using (var capture = new HookCapture(gpt2, dla.Hooks, Device.Cpu))
        {
            var expected = dla.Run(capture, [.. pairs.Select(p => new AttributionPrompt([.. p.Clean.Select(t => (int)t)], p.Clean.Count - 1, (int)p.Answer, (int)p.Wrong))]);
            var components = steps[1].GetProperty("result").GetProperty("components").EnumerateArray().Select(c => c.GetProperty("value").GetDouble()).ToArray();
            AssertClose([.. expected.Components.Select(c => c.Value)], components);
        }

        // lens: the answer's probability at every layer
        using (var capture = new HookCapture(gpt2, LogitLens.Hooks(gpt2.Map), Device.Cpu))
        {
            int[] ids = [BosToken.Gpt2, .. Gpt2Tokens.Encode("When Mary and John went to the store, John gave a drink to").Select(t => (int)t)];
            int mary = (int)Gpt2Tokens.Encode(" Mary")[0];
            var lens = LogitLens.Compute(capture.Run([ids]), capture.Map, Unembedding.From(gpt2), 0, ids.Length - 1, mary, 5);
            var layers = steps[2].GetProperty("result").GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("answerProbability").GetDouble()).ToArray();
            AssertClose([.. lens.Layers.Select(l => l.Answer!.Probability)], layers);
        }

        // heads and ablate on the attention-only model
        var attn = HookedModel.Load(ExperimentSpecFiles.Model("attn-only-2l.onnx"));
        using (var capture = new HookCapture(attn, HeadScan.Hooks(attn.Map), Device.Cpu))
        {
            var induction = HeadScan.Run(capture, HeadKind.Induction, RepeatedRandomTokens.For(attn, 2, 10, seed: 3));
            var detections = steps[3].GetProperty("result").GetProperty("detections").EnumerateArray().Single(d => d.GetProperty("detector").GetString() == "induction");
            AssertClose([.. induction.Scores.SelectMany(l => l)], Flat(detections.GetProperty("scores")));
        }
        int length = attn.Map.Config.NCtx;
        var sequences = RepeatedTokens.RandomSegment(3, 3, length, attn.Map.DVocab, 4, Math.Min(19, (length - 1) / 2));
        var ablation = Ablations.Run(attn, new AblationRequest(
            [.. sequences.Select(s => new MetricTarget([.. s.Tokens.Select(t => (long)t)], LossPositions: [.. s.SecondOccurrencePredictionPositions]))],
            Ablations.EveryHead(attn.Map), AblationMethod.Zero, MetricKind.Loss), new InterventionOptions(32, Device.Cpu));
        var ablate = steps[4].GetProperty("result");
        Assert.Equal(ablation.Baseline, ablate.GetProperty("baseline").GetDouble(), 9);
        AssertClose([.. ablation.Variants], [.. ablate.GetProperty("variants").EnumerateArray().Select(v => v.GetProperty("value").GetDouble())]);

        // the same spec and seed again: the same numbers (timings aside)
        var second = CliHarness.Run("experiment", spec, "-o", scratch["run2"], "--quiet");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(Numbers(File.ReadAllText(scratch["run1/results.json"])), Numbers(File.ReadAllText(scratch["run2/results.json"])));
    }

    static double[] Flat(JsonElement rows) => [.. rows.EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(x => x.GetDouble())];

    static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-9 * Math.Max(1, Math.Abs(expected[i])), $"value {i}: expected {expected[i]}, results.json has {actual[i]}");
    }

    /// <summary>Every step's result, prompts and grids as text, without the fields that time or place the run.</summary>
    static string Numbers(string json)
    {
        var root = JsonDocument.Parse(json).RootElement;
        var kept = root.GetProperty("steps").EnumerateArray().Select(s =>
            $"{s.GetProperty("prompts")}|{s.GetProperty("grids")}|{Strip(s.GetProperty("result"))}");
        return string.Join("\n", kept);
    }

    static string Strip(JsonElement result) =>
        string.Join(",", result.EnumerateObject().Where(p => p.Name is not ("seconds" or "model" or "files")).Select(p => p.ToString()));
}
