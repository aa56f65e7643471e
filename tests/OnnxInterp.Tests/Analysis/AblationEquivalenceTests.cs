using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Ablation;
using OnnxInterp.Analysis.Datasets;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Analysis;

/// <summary>
/// Batched ablations (zero, mean, resample; heads, layers, neurons, positions) equal the same ablations done one at a
/// time by <see cref="PatchingReference"/>: batch-1 runs with a fed patch point whose source is zeros, a mean computed
/// here from Expose runs, or another prompt's captured activation.
/// </summary>
public sealed class AblationEquivalenceTests
{
    const double Tolerance = 1e-4; // float32 reductions in batched vs batch-1 kernels; losses here are O(1)

    public static TheoryData<AblationMethod> Methods => [AblationMethod.Zero, AblationMethod.Mean, AblationMethod.Resample];

    [ExternalModelTheory]
    [MemberData(nameof(Methods))]
    public void Ablations_on_a_real_gpt2_export_equal_one_at_a_time(AblationMethod method)
    {
        var model = HookedModel.Load(TestPaths.External("ort_gpt2_1layer_lnfused_nopast.onnx"));
        // The output is the final residual (4 values per position), scored as logits over 4 "tokens" 0..3.
        long[][] prompts = [[0, 1, 2, 3, 2, 1], [3, 3, 0, 1, 2, 0], [1, 0, 3, 2, 0, 2]];
        var variants = new List<IReadOnlyList<PatchSite>>(Ablations.EveryHead(model.Map))
        {
            new[] { Ablations.Layer(0, "attn_out") },
            new[] { Ablations.Layer(0, "mlp_out") },
            new[] { Ablations.Neuron(0, 3) },
            new[] { Ablations.Position("blocks.0.hook_resid_pre", 2) },
            new[] { Ablations.Head(0, 1), Ablations.Neuron(0, 5) },
        };
        AssertMatchesOneAtATime(model, prompts, variants, method, rowsPerRun: 7);
    }

    [ToyModelFact("attn-only-2l.onnx")]
    public void Head_knockout_on_attn_only_equals_one_at_a_time()
    {
        var model = HookedModel.Load(HookTestSupport.Toy("attn-only-2l.onnx")!);
        var prompts = RepeatedTokens.RandomSegment(11, 3, 24, model.Map.DVocab, 4, 8).Select(s => s.Tokens.Select(t => (long)t).ToArray()).ToArray();
        foreach (var method in new[] { AblationMethod.Zero, AblationMethod.Mean, AblationMethod.Resample })
            AssertMatchesOneAtATime(model, prompts, Ablations.EveryHead(model.Map), method, rowsPerRun: 32);
    }

    static void AssertMatchesOneAtATime(HookedModel model, long[][] prompts, IReadOnlyList<IReadOnlyList<PatchSite>> variants, AblationMethod method, int rowsPerRun)
    {
        int n = prompts[0].Length;
        var targets = prompts.Select(p => new MetricTarget(p, LossPositions: [.. Enumerable.Range(0, n - 1)])).ToList();
        var result = Ablations.Run(model, new AblationRequest(targets, variants, method, MetricKind.Loss), new InterventionOptions(rowsPerRun, Output: model.Map.Contains("logits") ? null : NextTokenPrediction.LogitsOutput(model.Model.Graph)));

        var hooks = variants.SelectMany(v => v).Select(s => s.Hook).Distinct().ToList();
        using var reference = new PatchingReference(model, hooks);
        var captured = prompts.Select(p => reference.Capture(p)).ToArray();
        for (int i = 0; i < prompts.Length; i++)
            Close(HandLoss(reference.Clean(prompts[i]), prompts[i]), result.BaselinePerPrompt[i], $"baseline of prompt {i}");

        for (int v = 0; v < variants.Count; v++)
        {
            double mean = 0;
            for (int i = 0; i < prompts.Length; i++)
            {
                var logits = RunVariant(reference, variants[v], method, captured, i, prompts);
                mean += HandLoss(logits, prompts[i]) / prompts.Length;
            }
            Close(mean, result.Variants[v], $"{method} variant {v} ({string.Join(" + ", variants[v])})");
        }
    }

    /// <summary>One prompt with one variant ablated: each hook the variant touches patched where any of its sites select.</summary>
    static NamedTensor RunVariant(PatchingReference reference, IReadOnlyList<PatchSite> sites, AblationMethod method,
        Dictionary<string, NamedTensor>[] captured, int prompt, long[][] prompts)
    {
        var patches = sites.GroupBy(s => s.Hook).Select(g =>
        {
            var activation = captured[prompt][g.Key];
            var layout = reference.Point(g.Key).Layout;
            Func<long[], bool> select = index => g.Any(s => Selects(s, layout, index));
            return (g.Key, Source(method, g.Key, activation, captured, prompt), select, activation.Shape);
        }).ToList();
        return reference.Run(prompts[prompt], patches);
    }

    internal static NamedTensor Source(AblationMethod method, string hook, NamedTensor activation, Dictionary<string, NamedTensor>[] captured, int prompt) => method switch
    {
        AblationMethod.Zero => NamedTensor.Float("zero", [], [0f]),
        AblationMethod.Resample => captured[(prompt + 1) % captured.Length][hook],
        _ => MeanOverPromptsAndPositions(hook, activation.Shape, captured),
    };

    static NamedTensor MeanOverPromptsAndPositions(string hook, long[] shape, Dictionary<string, NamedTensor>[] captured)
    {
        // Layout [1, pos, ...rest] at batch 1: average over prompts and positions, keep the rest, shape [1, 1, ...rest].
        long positions = shape[1], rest = shape.Skip(2).Aggregate(1L, (a, b) => a * b);
        var sum = new double[rest];
        foreach (var c in captured)
        {
            var data = c[hook].ToFloats();
            for (long p = 0; p < positions; p++)
                for (long r = 0; r < rest; r++) sum[r] += data[p * rest + r];
        }
        double count = positions * captured.Length;
        return NamedTensor.Float("mean", [1, 1, .. shape.Skip(2)], [.. sum.Select(s => (float)(s / count))]);
    }

    internal static bool Selects(PatchSite site, HookLayout layout, long[] index) =>
        site.Index.All(kv => index[layout.IndexOf(kv.Key)] == kv.Value);

    /// <summary>Mean next-token cross-entropy over all positions, by hand in double.</summary>
    static double HandLoss(NamedTensor logits, long[] tokens)
    {
        int n = (int)logits.Shape[1], vocab = (int)logits.Shape[2];
        var data = logits.ToFloats();
        double total = 0;
        for (int p = 0; p + 1 < n; p++)
        {
            var row = data.Skip(p * vocab).Take(vocab).Select(x => (double)x).ToArray();
            double max = row.Max();
            double logSum = max + Math.Log(row.Sum(x => Math.Exp(x - max)));
            total += logSum - row[tokens[p + 1]];
        }
        return total / (n - 1);
    }

    static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance * (1 + Math.Abs(expected)), $"{what}: one at a time {expected:G9}, batched {actual:G9}");
}
