using OnnxInterp.Analysis.Datasets;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Analysis.Paths;
using OnnxInterp.Hooks;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Paths;

/// <summary>
/// The masked residual graph (one mask per receiver tensor, ACDC's form) against the edge-hook form (one hook per edge,
/// itself checked against C# hook functions in PathPatchingTests) and the model without edges: two rewrites built
/// differently must give one answer.
/// </summary>
public sealed class MaskedResidualGraphTests
{
    [ToyModelFact("tiny-gpt2.onnx")]
    public void Masked_edges_equal_edge_hooks_written_from_the_corrupted_row() =>
        AssertMaskedEqualsEdgeHooks(HookedModel.Load(HookTestSupport.Toy("tiny-gpt2.onnx")!), IoiPairs.Create(new IoiDataset(IoiDataset.Gpt2Tokenizer()), 1).Pairs[0], 1e-4);

    [Fact]
    public void Masked_edges_equal_edge_hooks_on_a_float16_torch_export()
    {
        // The masks, references and sums are float16 like the model's stream. Each form rounds to half at other points
        // (ulp 2^-11 relative; logits up to ~3): 1e-2.
        var model = HookedModel.Load(Path.Combine(TestPaths.RepoRoot, "tests/fixtures/torch/gpt2lm-fp16-opset17-mask.onnx"));
        AssertMaskedEqualsEdgeHooks(model, new PromptPair([1, 7, 3, 7, 3, 9, 4], [1, 8, 4, 7, 3, 9, 4], 5, 6), 1e-2);
    }

    static void AssertMaskedEqualsEdgeHooks(HookedModel model, PromptPair pair, double tolerance)
    {
        int last = pair.Clean.Count - 1;
        var masked = ResidualGraph.BuildMasked(model);
        var hooked = ResidualGraph.Build(model);
        var masks = masked.Masks!;
        Assert.Equal(hooked.Edges.Select(e => (e.Sender, e.Receiver)), masked.Edges.Select(e => (e.Sender, e.Receiver)));

        using var plain = new InterventionEngine(model);
        var original = plain.Run(new InterventionPlan([new PlanRow(pair.Clean)], Logits: LogitReads.At(last)));
        using var maskedEngine = new InterventionEngine(masked.Model);
        var corrupted = maskedEngine.Run(new InterventionPlan([new PlanRow(pair.Corrupted)], Reads: [masks.SendersHook], Logits: LogitReads.At(last)));
        var reference = corrupted[0][masks.SendersHook];
        Assert.Equal([1, masked.Senders.Count, pair.Clean.Count, model.Map.DModel], reference.Shape);

        // Edge sets across every receiver kind: q/k/v inputs of several heads, MLP inputs, the logits; then every edge.
        var random = new Random(3);
        var cuts = new List<List<int>> { new(), Enumerable.Range(0, masked.Edges.Count).ToList() };
        for (int k = 0; k < 4; k++) cuts.Add([.. Enumerable.Range(0, masked.Edges.Count).Where(_ => random.NextDouble() < 0.1 * (k + 1))]);
        Assert.Contains(cuts[2], i => masked.Edges[i].Receiver.Name.StartsWith("mlp"));
        Assert.Contains(cuts[2], i => masked.Edges[i].Receiver.Name.EndsWith("_k"));

        var viaMasks = maskedEngine.Run(new InterventionPlan([.. cuts.Select(c => new PlanRow(pair.Clean, masks.Writes(c.Select(i => masked.Edges[i]), reference)))],
            Logits: LogitReads.At(last)));
        using var hookEngine = new InterventionEngine(hooked.Model);
        var viaHooks = hookEngine.Run(new InterventionPlan([new PlanRow(pair.Corrupted),
            .. cuts.Select(c => new PlanRow(pair.Clean, [.. c.Select(i => new HookWrite(hooked.Edges[i].Hook, new WriteSource.FromRow(0)))]))], Logits: LogitReads.At(last)));

        // Unmasked: the model itself, up to the derived per-head hooks' float32 rounding (as for the edge-hook form).
        AssertClose(original[0].LogitsAt(last), viaMasks[0].LogitsAt(last), tolerance);
        for (int c = 0; c < cuts.Count; c++) AssertClose(viaHooks[c + 1].LogitsAt(last), viaMasks[c].LogitsAt(last), tolerance);
        // Every edge corrupted is the corrupted run: the difference is visible, so the comparison above can fail.
        AssertClose(corrupted[0].LogitsAt(last), viaMasks[1].LogitsAt(last), 10 * tolerance);
        Assert.True(MaxDiff(viaMasks[0].LogitsAt(last), viaMasks[1].LogitsAt(last)) > 0.1);
    }

    [ToyModelFact("tiny-gpt2.onnx")]
    public void Path_patching_on_the_masked_graph_equals_it_on_edge_hooks()
    {
        var model = HookedModel.Load(HookTestSupport.Toy("tiny-gpt2.onnx")!);
        var pairs = IoiPairs.Create(new IoiDataset(IoiDataset.Gpt2Tokenizer()), 2).Pairs;
        var request = new PathPatchingRequest(pairs, ["embed", "L0H1", "mlp0", "L1H2"], ["L2H1_k", "L1H0_q", "mlp2", "logits"]);
        var viaHooks = PathPatching.Run(PathPatching.GraphFor(model, request), request);
        Assert.Null(PathPatching.GraphFor(model, request).Masks);                                   // 15 edges: hooks
        var viaMasks = PathPatching.Run(ResidualGraph.BuildMasked(model), request, new InterventionOptions(RowsPerRun: 5));
        Assert.NotNull(PathPatching.GraphFor(model, request with { Senders = ["all"], Receivers = ["all"] }).Masks);   // 532 edges: masks

        Assert.Equal(viaHooks.Clean, viaMasks.Clean, 9);
        Assert.Equal(viaHooks.Corrupted, viaMasks.Corrupted, 9);
        int compared = 0;
        for (int s = 0; s < 4; s++)
            for (int r = 0; r < 4; r++)
            {
                Assert.Equal(double.IsNaN(viaHooks.Raw[s, r]), double.IsNaN(viaMasks.Raw[s, r]));
                if (double.IsNaN(viaHooks.Raw[s, r])) continue;
                Assert.True(Math.Abs(viaHooks.Raw[s, r] - viaMasks.Raw[s, r]) < 1e-4, $"cell {s},{r}: {viaHooks.Raw[s, r]} vs {viaMasks.Raw[s, r]}");
                compared++;
            }
        Assert.True(compared >= 10, $"{compared} cells compared");
        Assert.True(Enumerable.Range(0, 4).Any(s => Math.Abs(viaMasks.Normalised[s, 3] - 1) > 0.01), "some sender's direct path to the logits matters");
    }

    static double MaxDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = MaxDiff(expected, actual);
        Assert.True(max < tolerance, $"max difference {max} > {tolerance}");
    }
}
