using OnnxInterp.Analysis.Datasets;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Analysis.Paths;
using OnnxInterp.Hooks;
using OnnxInterp.Tests.Hooks;

namespace OnnxInterp.Tests.Paths;

/// <summary>
/// Path patching and ACDC on the shipped tiny GPT-2's IOI task. Its IOI is written mostly by MLPs (MODELS.md), so the
/// senders with the largest direct effect on the logits are MLPs, and they, not the heads, carry the logit difference.
/// </summary>
public sealed class IoiKnownAnswerTests
{
    static IReadOnlyList<PromptPair> Pairs(int n) => IoiPairs.Create(new IoiDataset(IoiDataset.Gpt2Tokenizer()), n).Pairs;

    [ToyModelFact("tiny-gpt2.onnx")]
    public void The_senders_with_the_largest_direct_effect_explain_most_of_the_logit_difference()
    {
        var model = HookedModel.Load(HookTestSupport.Toy("tiny-gpt2.onnx")!);
        var pairs = Pairs(8);
        var graph = ResidualGraph.Build(model);
        var single = PathPatching.Run(graph, new PathPatchingRequest(pairs, ["heads", "mlps"], ["logits"]));
        var top = single.Senders.Select((s, i) => (s.Name, Effect: 1 - single.Normalised[i, 0])).Where(x => x.Effect > 0.05).OrderByDescending(x => x.Effect).ToList();

        // Every sender that alone carries more than 5 % of the logit difference directly: their direct paths read the corrupted run at once.
        int n = pairs.Count;
        var rows = pairs.Select(p => new PlanRow(p.Clean)).Concat(pairs.Select(p => new PlanRow(p.Corrupted)))
            .Concat(pairs.Select((p, i) => new PlanRow(p.Clean, [.. top.Select(s => new HookWrite(graph.Edge(s.Name, "logits").Hook, new WriteSource.FromRow(n + i)))]))).ToList();
        var metric = new MetricEvaluator(MetricKind.LogitDiff, [.. pairs.Select(p => new MetricTarget(p.Clean, p.Position, p.Answer, p.Wrong))]);
        using var engine = new InterventionEngine(graph.Model);
        var result = engine.Run(new InterventionPlan(rows, Logits: LogitReads.At(metric.ReadPositions)));
        double Mean(int first) => Enumerable.Range(0, n).Average(i => metric.Evaluate(result[first + i], i));
        double explained = (Mean(0) - Mean(2 * n)) / (Mean(0) - Mean(n));

        Assert.True(top.Count(s => s.Name.StartsWith("mlp")) >= 2 && top.Count < 8, $"top senders: {string.Join(", ", top.Select(s => s.Name))}");
        Assert.True(explained > 0.7, $"the top senders {string.Join(", ", top.Select(s => s.Name))} explain {explained:P1} of the logit difference");
    }

    [ToyModelFact("tiny-gpt2.onnx")]
    public void Acdc_keeps_a_small_circuit_with_the_logit_difference_and_the_top_patching_head()
    {
        var model = HookedModel.Load(HookTestSupport.Toy("tiny-gpt2.onnx")!);
        var pairs = Pairs(3);
        var result = CircuitDiscovery.Run(model, new DiscoveryRequest(pairs, 0.2, MetricKind.LogitDiff));
        var patching = PathPatching.Run(model, new PathPatchingRequest(pairs, ["heads"], ["logits"]));
        var topHead = patching.Senders.Select((s, i) => (s.Name, Effect: 1 - patching.Normalised[i, 0])).MaxBy(x => x.Effect).Name;

        Assert.True(result.Kept.Count < 0.1 * result.TotalEdges, $"kept {result.Kept.Count} of {result.TotalEdges} edges");
        Assert.True(result.Circuit >= 0.8 * result.Full, $"the circuit's logit difference {result.Circuit:F3} against the model's {result.Full:F3}");
        Assert.Contains(topHead, result.Heads);
    }
}
