using OnnxInterp.Analysis.Datasets;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Hooks;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Analysis;

/// <summary>
/// Patching that runs each position's variants from that position on, with the earlier keys and values as past
/// (<see cref="InterventionOptions.ReusePast"/>), against the full computation: the same sweeps on the file without
/// past inputs (the same weights, another graph) and on the same file with every row run over the whole prompt.
/// </summary>
public sealed class PastPatchingTests
{
    // Rows run over fewer positions with a past take other kernel paths (float32 rounding); effects are O(0.1-10).
    const double Tolerance = 1e-4;

    static readonly SweepSpec[] PositionSweeps = [Sweeps.ResidPre, Sweeps.AttnOut, Sweeps.MlpOut, Sweeps.ResidMid, Sweeps.HeadsByPos("z")];

    [ToyModelFact("tiny-gpt2-past.onnx")]
    public void Position_sweeps_on_a_past_graph_equal_the_same_sweeps_on_the_model_without_past()
    {
        var withPast = HookedModel.Load(HookTestSupport.Toy("tiny-gpt2-past.onnx")!);
        var plain = HookedModel.Load(HookTestSupport.Toy("tiny-gpt2.onnx")!);
        var (pairs, _) = IoiPairs.Create(new IoiDataset(IoiDataset.Gpt2Tokenizer()), 2, seed: 5);
        foreach (var (metric, reverse) in new[] { (MetricKind.LogitDiff, false), (MetricKind.Kl, false), (MetricKind.LogitDiff, true) })
        {
            var request = new PatchingRequest(pairs, PositionSweeps, metric, reverse);
            var expected = ActivationPatching.Run(plain, request, new InterventionOptions(RowsPerRun: 16));
            var actual = ActivationPatching.Run(withPast, request, new InterventionOptions(RowsPerRun: 16));
            // One full plan, then one plan per patched position: the past path ran.
            Assert.True(actual.Runs > pairs[0].Clean.Count, $"{actual.Runs} session runs");
            AssertSame(expected, actual, $"{metric}, reverse {reverse}");
        }
    }

    [Fact]
    public void Reusing_the_past_in_a_torch_export_equals_running_every_row_over_the_whole_prompt() =>
        AssertReuseEqualsFull(HookedModel.Load(Path.Combine(TestPaths.RepoRoot, "tests/fixtures/torch/gpt2lm-trained-opset15-past.onnx")), SmallIdPairs);

    [ExternalModelFact]
    public void Reusing_the_past_in_ort_genai_gpt2_equals_running_every_row_over_the_whole_prompt() =>
        AssertReuseEqualsFull(HookedModel.Load(TestPaths.External("genai_tiny_random_gpt2_fp32_past.onnx")), SmallIdPairs);

    // Ids every small fixture vocabulary has.
    static readonly PromptPair[] SmallIdPairs = [new([1, 7, 3, 7, 3, 9, 4], [1, 8, 4, 7, 3, 9, 4], 5, 6), new([1, 8, 4, 7, 3, 9, 4], [1, 7, 3, 7, 3, 9, 4], 2, 5)];

    [ToyModelFact("tiny-gpt2-past.onnx")]
    public void A_metric_over_every_position_runs_every_row_over_the_whole_prompt()
    {
        var model = HookedModel.Load(HookTestSupport.Toy("tiny-gpt2-past.onnx")!);
        var (pairs, _) = IoiPairs.Create(new IoiDataset(IoiDataset.Gpt2Tokenizer()), 1, seed: 5);
        var early = pairs.Select(p => p with { Position = 5 }).ToList();
        var result = ActivationPatching.Run(model, new PatchingRequest(early, [Sweeps.ResidPre]), new InterventionOptions(RowsPerRun: 64));
        Assert.True(result.Runs < 3, $"{result.Runs} session runs: the per-position plans ran for a metric read before the last position");
    }

    static void AssertReuseEqualsFull(HookedModel model, IReadOnlyList<PromptPair> pairs)
    {
        var request = new PatchingRequest(pairs, PositionSweeps, MetricKind.LogitDiff);
        // Room for every row in one run: the full computation takes one, the past path one per patched position more.
        var expected = ActivationPatching.Run(model, request, new InterventionOptions(RowsPerRun: 2048, ReusePast: false));
        var actual = ActivationPatching.Run(model, request, new InterventionOptions(RowsPerRun: 2048));
        Assert.Equal(1, expected.Runs);
        Assert.Equal(1 + pairs[0].Clean.Count, actual.Runs);
        AssertSame(expected, actual, model.Model.Graph.Name);
    }

    static void AssertSame(PatchingResult expected, PatchingResult actual, string label)
    {
        Assert.Equal(expected.Clean, actual.Clean, Tolerance);
        Assert.Equal(expected.Corrupted, actual.Corrupted, Tolerance);
        foreach (var spec in PositionSweeps)
        {
            var (want, got) = (expected[spec.Name].Raw, actual[spec.Name].Raw);
            Assert.Equal(want.Length, got.Length);
            for (int i = 0; i < want.Length; i++)
                Assert.True(Math.Abs(want[i] - got[i]) <= Tolerance, $"{label}: {spec.Name} variant {i}: {got[i]} with the past reused, {want[i]} in full");
            // Something moved: a sweep of zeros would agree trivially.
            Assert.Contains(want, v => Math.Abs(v - expected.Corrupted) > 1e-3);
        }
    }
}
