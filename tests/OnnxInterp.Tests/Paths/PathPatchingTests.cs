using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Datasets;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Analysis.Paths;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Paths;

/// <summary>
/// The residual graph and path patching against computations that do not use edges: the model itself, the corrupted
/// run, and C# hook functions that add the sender's corrupted-minus-clean output at the receiver's own hook.
/// </summary>
public sealed class PathPatchingTests
{
    static HookedModel TinyGpt2 => HookedModel.Load(HookTestSupport.Toy("tiny-gpt2.onnx")!);

    static IReadOnlyList<PromptPair> Pairs(int n) => IoiPairs.Create(new IoiDataset(IoiDataset.Gpt2Tokenizer()), n).Pairs;

    [ToyModelFact("tiny-gpt2.onnx")]
    public void Edges_unwritten_change_nothing_and_every_edge_into_the_logits_written_gives_the_corrupted_run()
    {
        var graph = AssertEdgesReproduceTheModel(TinyGpt2, Pairs(1)[0]);
        Assert.Equal(22, graph.Senders.Count);                      // embed, pos_embed, 16 heads, 4 MLPs
        Assert.Equal(4 * (3 * 4 + 1) + 1, graph.Receivers.Count);  // q, k, v per head, an MLP per layer, logits
    }

    [Fact]
    public void The_residual_graph_of_a_megatron_export_reproduces_it()
    {
        // Its residual adds read `x.float()` Casts of the stream, and its mask is a 4-D input.
        var model = HookedModel.Load(Path.Combine(TestPaths.RepoRoot, "tests/fixtures/torch/megatron-gpt2-opset13.onnx"));
        var graph = AssertEdgesReproduceTheModel(model, new PromptPair([1, 7, 3, 7, 3, 9, 4], [1, 8, 4, 7, 3, 9, 4], 5, 6));
        Assert.Equal(2 + 2 * 4 + 2, graph.Senders.Count);
    }

    [Fact]
    public void The_residual_graph_of_a_float16_export_reproduces_it()
    {
        // The edge tensors are float16 like the stream; the per-head recomputation rounds to half elsewhere: 1e-2.
        var model = HookedModel.Load(Path.Combine(TestPaths.RepoRoot, "tests/fixtures/torch/gpt2lm-fp16-opset14-mask.onnx"));
        AssertEdgesReproduceTheModel(model, new PromptPair([1, 7, 3, 7, 3, 9, 4], [1, 8, 4, 7, 3, 9, 4], 5, 6), 1e-2);
    }

    /// <summary>No edge written: the model's logits; every edge into the logits written from the corrupted row: the corrupted run's.</summary>
    static ResidualGraph AssertEdgesReproduceTheModel(HookedModel model, PromptPair pair, double tolerance = 1e-4)
    {
        var graph = ResidualGraph.Build(model);
        int last = pair.Clean.Count - 1;
        using var engine = new InterventionEngine(graph.Model);
        var intoLogits = graph.Edges.Where(e => e.Receiver.Name == "logits").Select(e => new HookWrite(e.Hook, new WriteSource.FromRow(1))).ToList();
        var result = engine.Run(new InterventionPlan([new PlanRow(pair.Clean), new PlanRow(pair.Corrupted), new PlanRow(pair.Clean, intoLogits)], Logits: LogitReads.At(last)));
        using var plain = new InterventionEngine(model);
        var original = plain.Run(new InterventionPlan([new PlanRow(pair.Clean), new PlanRow(pair.Corrupted)], Logits: LogitReads.At(last)));

        // Derived hooks recompute q, k, v and the attention output per head: float32 rounding (1e-5 relative, DerivedHookTests).
        AssertClose(original[0].LogitsAt(last), result[0].LogitsAt(last), tolerance);
        // The final residual is the sum of every sender plus biases that do not depend on the prompt.
        AssertClose(original[1].LogitsAt(last), result[2].LogitsAt(last), tolerance);
        Assert.True(original[0].LogitsAt(last).ToArray().Zip(original[1].LogitsAt(last).ToArray()).Max(p => Math.Abs(p.First - p.Second)) > 10 * tolerance, "the corrupted prompt moves the logits");
        return graph;
    }

    [ToyModelFact("tiny-gpt2.onnx")]
    public void Each_cell_equals_adding_the_senders_corrupted_minus_clean_output_at_the_receiver()
    {
        var model = TinyGpt2;
        var pairs = Pairs(2);
        var request = new PathPatchingRequest(pairs, ["embed", "L0H1", "mlp0", "L1H2"], ["L2H1_k", "L1H0_q", "logits"]);
        var result = PathPatching.Run(model, request, new InterventionOptions(RowsPerRun: 7));
        Assert.True(double.IsNaN(result.Raw[3, 1]), "L1H2 is not before L1H0's query");

        using var capture = new InterpModel(model);
        var metric = new MetricEvaluator(MetricKind.LogitDiff, [.. pairs.Select(p => new MetricTarget(p.Clean, p.Position, p.Answer, p.Wrong))]);
        string[] senderHooks = ["hook_embed", "blocks.0.attn.hook_result", "blocks.0.hook_mlp_out", "blocks.1.attn.hook_result"];
        int?[] senderHeads = [null, 1, null, 2];
        (string Hook, int? Head)[] receiverHooks = [("blocks.2.hook_k_input", 1), ("blocks.1.hook_q_input", 0), ($"blocks.3.hook_resid_post", null)];
        for (int s = 0; s < 4; s++)
            for (int r = 0; r < 3; r++)
            {
                if (s == 3 && r == 1) continue;
                double sum = 0;
                for (int i = 0; i < pairs.Count; i++)
                {
                    var clean = capture.RunWithCache(pairs[i].Clean, senderHooks[s]).Cache[senderHooks[s]];
                    var corrupted = capture.RunWithCache(pairs[i].Corrupted, senderHooks[s]).Cache[senderHooks[s]];
                    var delta = Output(corrupted, senderHeads[s]).Zip(Output(clean, senderHeads[s]), (a, b) => a - b).ToArray();
                    var logits = capture.RunWithHooks(pairs[i].Clean, (receiverHooks[r].Hook, (x, ctx) => AddAt(x, delta, receiverHooks[r].Head)));
                    sum += LogitMetrics.LogitDiff(LogitMetrics.Row(logits, 0, pairs[i].Clean.Count - 1), pairs[i].Answer, pairs[i].Wrong);
                }
                Assert.True(Math.Abs(sum / pairs.Count - result.Raw[s, r]) < 1e-5, $"{request.Senders[s]} -> {request.Receivers[r]}: {sum / pairs.Count} vs {result.Raw[s, r]}");
            }
        Assert.True(result.Clean > result.Corrupted);
    }

    [ToyModelFact("tiny-gpt2.onnx")]
    public void Unknown_senders_and_receivers_are_named()
    {
        var e = Assert.Throws<ArgumentException>(() => PathPatching.Run(TinyGpt2, new PathPatchingRequest(Pairs(1), ["L9H9"], ["logits"])));
        Assert.Contains("'L9H9' is not a sender", e.Message);
    }

    /// <summary>[1, pos, d_model] of a residual hook, or one head of a [1, pos, head, d_model] one, flattened.</summary>
    static float[] Output(NamedTensor t, int? head)
    {
        if (head is not { } h) return t.Floats;
        long pos = t.Shape[1], heads = t.Shape[2], d = t.Shape[3];
        var result = new float[pos * d];
        for (long p = 0; p < pos; p++) Array.Copy(t.Floats, (p * heads + h) * d, result, p * d, d);
        return result;
    }

    /// <summary>x + delta, at one head of a [batch, pos, head, d_model] hook or on a [batch, pos, d_model] one.</summary>
    static NamedTensor AddAt(NamedTensor x, float[] delta, int? head)
    {
        var data = (float[])x.Floats.Clone();
        if (head is not { } h)
            for (int i = 0; i < data.Length; i++) data[i] += delta[i];
        else
        {
            long pos = x.Shape[1], heads = x.Shape[2], d = x.Shape[3];
            for (long p = 0; p < pos; p++)
                for (long k = 0; k < d; k++) data[(p * heads + h) * d + k] += delta[p * d + k];
        }
        return x with { Data = data };
    }

    static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance)
    {
        double worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        Assert.True(worst <= tolerance, $"largest difference {worst}");
    }
}
