using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Datasets;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Engine;

/// <summary>
/// The three examples of docs/engine.md, as written there (only the model path differs), with their numbers checked
/// against computations that do not share their path: a C# hook function for the graph write, and the identity that
/// patching a layer's whole input recovers the clean run exactly.
/// </summary>
public sealed class EngineDocExamplesTests
{
    static string AttnOnly => HookTestSupport.Toy("attn-only-2l.onnx")!;

    [ToyModelFact("attn-only-2l.onnx")]
    public void Cache_every_attention_pattern()
    {
        using var model = InterpModel.Load(AttnOnly);
        var (logits, cache) = model.RunWithCache([0, 5, 9, 5, 9], "blocks.*.attn.hook_pattern");
        var pattern = cache["blocks.1.attn.hook_pattern"];   // [1, head, q_pos, k_pos]

        Assert.Equal([1, 4, 5, 5], pattern.Shape);
        Assert.Equal([1, 5, model.Hooks.DVocab], logits.Shape);
        // Each query's attention is a distribution over the keys it can see.
        for (int row = 0; row < 4 * 5; row++)
            Assert.Equal(1.0, pattern.Floats.AsSpan(row * 5, 5).ToArray().Sum(), 5);
    }

    [ToyModelFact("attn-only-2l.onnx")]
    public void Zero_ablate_one_head_and_read_the_loss()
    {
        using var model = InterpModel.Load(AttnOnly);
        var tokens = RepeatedTokens.RandomSegment(1, 1, 24, model.Hooks.DVocab, 8, 8)[0].Tokens.Select(t => (long)t).ToList();
        var loss = new MetricEvaluator(MetricKind.Loss, [new MetricTarget(tokens, LossPositions: [.. Enumerable.Range(0, tokens.Count - 1)])]);
        var result = model.Run(new InterventionPlan([
            new PlanRow(tokens),
            new PlanRow(tokens, [new HookWrite("blocks.1.attn.hook_z", WriteSource.Zeros, HookSlice.At(("head", 3)))]),
        ]));
        double clean = loss.Evaluate(result[0], 0), ablated = loss.Evaluate(result[1], 0);

        // The same ablation as C# code at the hook: zero head 3 of z [batch, pos, head, d_head].
        var logits = model.RunWithHooks(tokens, ("blocks.1.attn.hook_z", (z, ctx) =>
        {
            var data = (float[])z.Floats.Clone();
            long heads = z.Shape[2], dHead = z.Shape[3];
            for (long i = 0; i < data.Length; i++)
                if (i / dHead % heads == 3) data[i] = 0;
            return z with { Data = data };
        }));
        double byFunction = LogitMetrics.MeanLoss(logits, 0, tokens);
        Assert.Equal(byFunction, ablated, 4);
        Assert.True(ablated > clean + 0.05, $"ablating an induction head should raise the loss: {clean:F3} -> {ablated:F3}");
    }

    [ToyModelFact("tiny-gpt2.onnx")]
    public void A_custom_patching_sweep()
    {
        using var model = InterpModel.Load(HookTestSupport.Toy("tiny-gpt2.onnx")!);
        var clean = InterpModel.Tokenize("When Mary and John went to the store, John gave a drink to");
        var corrupted = InterpModel.Tokenize("When Alice and Bob went to the store, Bob gave a drink to");
        long mary = InterpModel.Tokenize(" Mary", bos: false)[0], john = InterpModel.Tokenize(" John", bos: false)[0];
        var metric = new MetricEvaluator(MetricKind.LogitDiff, [new MetricTarget(clean, -1, mary, john)]);

        // Row 0 clean, row 1 corrupted, then one row per (layer, position): corrupted, with that resid_pre from row 0.
        var rows = new List<PlanRow> { new(clean), new(corrupted) };
        for (int layer = 0; layer < model.Hooks.NLayers; layer++)
            for (int pos = 0; pos < clean.Count; pos++)
                rows.Add(new PlanRow(corrupted, [new HookWrite($"blocks.{layer}.hook_resid_pre", new WriteSource.FromRow(0), HookSlice.At(("pos", pos)))]));
        var result = model.Run(new InterventionPlan(rows, Logits: LogitReads.At(clean.Count - 1)));
        double cleanDiff = metric.Evaluate(result[0], 0), corruptedDiff = metric.Evaluate(result[1], 0);
        double Recovered(int layer, int pos) =>
            PatchingMetric.Normalise(metric.Evaluate(result[2 + layer * clean.Count + pos], 0), cleanDiff, corruptedDiff);

        Assert.True(cleanDiff > 1, $"clean logit difference {cleanDiff:F2}");
        // Positions that are equal in both prompts carry nothing: patching them recovers nothing at layer 0.
        Assert.Equal(0, Recovered(0, 0), 4);
        // The last layer's input at the last position is everything the answer reads... almost: one block remains,
        // which reads every position, so the recovery is partial but clearly positive.
        Assert.True(Recovered(model.Hooks.NLayers - 1, clean.Count - 1) > 0.2);
        Assert.Equal(model.Hooks.NLayers * clean.Count + 2, result.Count);
    }

    [ToyModelFact("attn-only-2l.onnx")]
    public void The_readme_library_tour_runs()
    {
        using var model = InterpModel.Load(AttnOnly);
        var (logits, cache) = model.RunWithCache([0, 5, 9, 5, 9], "blocks.*.attn.hook_pattern");
        var steered = model.RunWithHooks([0, 5, 9, 5, 9], ("blocks.1.hook_resid_pre", (x, ctx) => x));
        var result = model.Run(new InterventionPlan([
            new PlanRow([0, 5, 9, 5, 9]),
            new PlanRow([0, 7, 3, 7, 3]),
            new PlanRow([0, 1, 2, 1, 2], [new HookWrite("blocks.1.attn.hook_z", new WriteSource.FromRow(0), HookSlice.At(("head", 0))),
                                          new HookWrite("blocks.1.attn.hook_z", new WriteSource.FromRow(1), HookSlice.At(("head", 2)))]),
        ], Reads: ["blocks.1.hook_resid_pre"]));
        var patchedLogits = result[2].Logits;

        Feeds.AssertClose(logits, steered.Renamed(logits.Name), 1e-5);
        Assert.Equal([1, 4, 5, 5], cache["blocks.1.attn.hook_pattern"].Shape);
        Assert.Equal([1, 5, model.Hooks.DModel], result[2]["blocks.1.hook_resid_pre"].Shape);
        Assert.Equal(logits.Shape, patchedLogits!.Shape);
    }
}
