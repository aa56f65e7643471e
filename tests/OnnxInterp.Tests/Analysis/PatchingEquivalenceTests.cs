using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Datasets;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Analysis;

/// <summary>
/// Every batched sweep equals the same sweep computed one variant at a time by <see cref="PatchingReference"/>:
/// batch-1 runs with a fed patch point and an element-by-element mask, the clean activation taken from an Expose run.
/// Small rows-per-run values force several chunks, so source rows are re-sent and row maps re-based in each.
/// </summary>
public sealed class PatchingEquivalenceTests
{
    // Batched and batch-1 runs may reduce in different orders inside ONNX Runtime's kernels (float32), so values
    // agree to rounding, not bit for bit. Logit differences here are O(1-10); 1e-4 is far below any effect.
    const double Tolerance = 1e-4;

    public static TheoryData<string> AllSweeps => [.. Sweeps.ByName.Keys.Where(k => k != "every-block" && k != "resid_post")];

    [ExternalModelTheory]
    [MemberData(nameof(AllSweeps))]
    public void Every_sweep_on_a_real_gpt2_export_equals_one_variant_at_a_time(string sweep)
    {
        // A 1-layer torch.onnx GPT2Model (no LM head): its output is the final residual [batch, pos, 4], read as 4 "logits".
        // resid_post is that output itself (a patched graph output keeps its original value), so it is not swept here.
        var model = HookedModel.Load(TestPaths.External("ort_gpt2_1layer_lnfused_nopast.onnx"));
        PromptPair[] pairs = [new([1, 2, 3, 4, 5, 6], [1, 9, 3, 11, 5, 6], 0, 1), new([7, 3, 2, 8, 1, 4], [7, 3, 12, 8, 13, 4], 2, 3)];
        foreach (var spec in Sweeps.ByName[sweep])
            AssertMatchesOneAtATime(model, pairs, spec, MetricKind.LogitDiff, reverse: false, rowsPerRun: 5);
    }

    [ExternalModelFact]
    public void Reverse_patching_and_the_kl_metric_equal_one_variant_at_a_time()
    {
        var model = HookedModel.Load(TestPaths.External("ort_gpt2_1layer_lnfused_nopast.onnx"));
        PromptPair[] pairs = [new([1, 2, 3, 4, 5, 6], [1, 9, 3, 11, 5, 6], 0, 1), new([7, 3, 2, 8, 1, 4], [7, 3, 12, 8, 13, 4], 2, 3)];
        AssertMatchesOneAtATime(model, pairs, Sweeps.ResidPre, MetricKind.LogitDiff, reverse: true, rowsPerRun: 9);
        AssertMatchesOneAtATime(model, pairs, Sweeps.HeadsByPos("z"), MetricKind.Kl, reverse: false, rowsPerRun: 32);
        AssertMatchesOneAtATime(model, pairs, Sweeps.AttnOut, MetricKind.Probability, reverse: true, rowsPerRun: 3);
        // Noising with KL: the reference distribution is still the clean run's (the hand metric always uses it).
        AssertMatchesOneAtATime(model, pairs, Sweeps.ResidPre, MetricKind.Kl, reverse: true, rowsPerRun: 5);
    }

    [ToyModelFact("tiny-gpt2.onnx")]
    public void Tiny_gpt2_ioi_sweeps_equal_one_variant_at_a_time()
    {
        var model = HookedModel.Load(HookTestSupport.Toy("tiny-gpt2.onnx")!);
        var (pairs, _) = IoiPairs.Create(new IoiDataset(IoiDataset.Gpt2Tokenizer()), 2, seed: 3);
        foreach (var spec in new[] { Sweeps.ResidPre, Sweeps.AttnOut, Sweeps.MlpOut, Sweeps.ResidMid, Sweeps.Heads("result"), Sweeps.HeadsByPos("pattern"), Sweeps.HeadsByPos("v") })
            AssertMatchesOneAtATime(model, pairs, spec, MetricKind.LogitDiff, reverse: false, rowsPerRun: 32);
        AssertMatchesOneAtATime(model, pairs, Sweeps.HeadsByPos("z"), MetricKind.LogitDiff, reverse: true, rowsPerRun: 32);
    }

    [ToyModelFact("attn-only-2l.onnx")]
    public void Attn_only_sweeps_equal_one_variant_at_a_time()
    {
        var model = HookedModel.Load(HookTestSupport.Toy("attn-only-2l.onnx")!);
        var seqs = RepeatedTokens.Classic(5, 2, 6, model.Map.DVocab);
        // Corrupt the first half's third token, which the induction head copies at the end of the repeat.
        var pairs = seqs.Select(s => new PromptPair([.. s.Tokens.Select(t => (long)t)],
            [.. s.Tokens.Select((t, i) => i == 3 ? (long)(t % 500 + 7) : t)], s.Tokens[4], s.Tokens[5], Position: 9)).ToArray();
        foreach (var spec in new[] { Sweeps.ResidPre, Sweeps.HeadsByPos("z"), Sweeps.Heads("k"), Sweeps.Heads("q") })
            AssertMatchesOneAtATime(model, pairs, spec, MetricKind.LogitDiff, reverse: false, rowsPerRun: 11);
    }

    [ExternalModelFact]
    public void Unequal_prompt_lengths_are_an_error_naming_both()
    {
        var model = HookedModel.Load(TestPaths.External("ort_gpt2_1layer_lnfused_nopast.onnx"));
        var e = Assert.Throws<ArgumentException>(() => ActivationPatching.Run(model,
            new PatchingRequest([new PromptPair([1, 2, 3, 4, 5], [1, 2, 3, 4], 0, 1)], [Sweeps.ResidPre])));
        Assert.Contains("5 tokens", e.Message);
        Assert.Contains("4", e.Message);
    }

    /// <summary>Runs the batched sweep, then every variant alone, and compares values and baselines.</summary>
    static void AssertMatchesOneAtATime(HookedModel model, IReadOnlyList<PromptPair> pairs, SweepSpec spec, MetricKind metric, bool reverse, int rowsPerRun)
    {
        var result = ActivationPatching.Run(model, new PatchingRequest(pairs, [spec], metric, reverse), new InterventionOptions(rowsPerRun, Output: model.Map.Contains("logits") ? null : NextTokenPrediction.LogitsOutput(model.Model.Graph)));
        var sweep = result[spec.Name];
        var hooks = Enumerable.Range(0, model.Map.NLayers).Select(l => HookNames.Format(spec.Hook, l)).Where(model.Map.Contains).ToList();
        using var reference = new PatchingReference(model, hooks);

        var expected = new double[sweep.Raw.Length];
        double clean = 0, corrupted = 0;
        foreach (var pair in pairs)
        {
            var (source, target) = reverse ? (pair.Corrupted, pair.Clean) : (pair.Clean, pair.Corrupted);
            var cleanLogits = reference.Clean(pair.Clean);
            clean += HandMetric(metric, cleanLogits, cleanLogits, pair) / pairs.Count;
            corrupted += HandMetric(metric, reference.Clean(pair.Corrupted), cleanLogits, pair) / pairs.Count;
            var captured = reference.Capture(source);
            int flat = 0;
            foreach (var hook in hooks)
            {
                var activation = captured[hook];
                var layout = reference.Point(hook).Layout;
                var axes = spec.Axes.Skip(1).Select(a => layout.IndexOf(a)).ToArray();
                var sizes = axes.Select(a => (int)activation.Shape[a]).ToArray();
                int combos = sizes.Aggregate(1, (a, b) => a * b);
                for (int c = 0; c < combos; c++)
                {
                    var want = new long[axes.Length];
                    for (int a = axes.Length - 1, rest = c; a >= 0; rest /= sizes[a], a--) want[a] = rest % sizes[a];
                    var logits = reference.Run(target, hook, activation, index => axes.Select((axis, k) => index[axis] == want[k]).All(x => x), activation.Shape);
                    expected[flat++] += HandMetric(metric, logits, cleanLogits, pair) / pairs.Count;
                }
            }
            Assert.Equal(expected.Length, flat);
        }
        Close(clean, result.Clean, $"{spec.Name} clean baseline");
        Close(corrupted, result.Corrupted, $"{spec.Name} corrupted baseline");
        for (int i = 0; i < expected.Length; i++)
            Close(expected[i], sweep.Raw[i], $"{spec.Name} variant {i} of {expected.Length} (reverse {reverse}, {metric})");
    }

    /// <summary>The metric at the pair's position computed from raw logits by hand, in double.</summary>
    static double HandMetric(MetricKind metric, NamedTensor logits, NamedTensor cleanLogits, PromptPair pair)
    {
        double[] Row(NamedTensor t)
        {
            int n = (int)t.Shape[1], v = (int)t.Shape[2];
            int p = pair.Position < 0 ? n + pair.Position : pair.Position;
            return [.. t.ToFloats().Skip(p * v).Take(v).Select(x => (double)x)];
        }
        double[] Softmax(double[] x)
        {
            double m = x.Max();
            var e = x.Select(v => Math.Exp(v - m)).ToArray();
            double s = e.Sum();
            return [.. e.Select(v => v / s)];
        }
        var row = Row(logits);
        switch (metric)
        {
            case MetricKind.LogitDiff: return row[pair.Answer] - row[pair.Wrong];
            case MetricKind.Probability: return Softmax(row)[pair.Answer];
            case MetricKind.Kl:
                var p = Softmax(Row(cleanLogits));
                var q = Softmax(row);
                return p.Select((pi, i) => pi * (Math.Log(pi) - Math.Log(q[i]))).Sum();
            default: throw new NotSupportedException(metric.ToString());
        }
    }

    static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance * (1 + Math.Abs(expected)), $"{what}: one at a time {expected:G9}, batched {actual:G9}");
}
