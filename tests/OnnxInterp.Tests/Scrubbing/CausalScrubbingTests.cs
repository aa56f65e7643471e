using OnnxInterp.Analysis.Paths;
using OnnxInterp.Analysis.Scrubbing;
using OnnxInterp.Hooks;
using OnnxInterp.Tests.Hooks;
using Xunit.Abstractions;

namespace OnnxInterp.Tests.Scrubbing;

/// <summary>
/// Causal scrubbing of the induction circuit of attn-only-2l on repeated random sequences: the induction hypothesis
/// recovers most of the loss, a wrong one (keys read the token embedding instead of the previous-token head) clearly less;
/// the batched plan equals the node-by-node reference.
/// </summary>
public sealed class CausalScrubbingTests(ITestOutputHelper output)
{
    /// <summary>BOS, 8 random tokens, the same 8 again: the loss is read on the repeat (positions 9..15 predict tokens 10..16).</summary>
    internal static ScrubDataset Repeats(int count, int vocab, int seed = 3)
    {
        var random = new Random(seed);
        return new ScrubDataset([.. Enumerable.Range(0, count).Select(_ =>
        {
            var half = Enumerable.Range(0, 8).Select(_ => (long)random.Next(1, vocab)).ToArray();
            return new ScrubExample([0, .. half, .. half], new Dictionary<string, string>());
        })]);
    }

    internal static Hypothesis Induction(bool keysFromPreviousTokenHead)
    {
        var claims = new List<(string, string)> { ("embed", "logits"), ("pos_embed", "logits"), ("embed", "L0H3_v"), ("pos_embed", "L0H3_q"), ("pos_embed", "L0H3_k") };
        foreach (var h in new[] { 0, 1, 2, 3 })
        {
            claims.AddRange([($"L1H{h}", "logits"), ("embed", $"L1H{h}_q"), ("pos_embed", $"L1H{h}_q"), ("embed", $"L1H{h}_v"), ("pos_embed", $"L1H{h}_k")]);
            claims.Add(keysFromPreviousTokenHead ? ("L0H3", $"L1H{h}_k") : ("embed", $"L1H{h}_k"));
        }
        return new Hypothesis(keysFromPreviousTokenHead ? "induction" : "keys read tokens", [new HypothesisClaim(claims, EquivalenceRule.Same)], [.. Enumerable.Range(9, 7)]);
    }

    [ToyModelFact("attn-only-2l.onnx")]
    public void The_induction_hypothesis_recovers_most_of_the_loss_and_a_wrong_one_less()
    {
        var model = HookedModel.Load(HookTestSupport.Toy("attn-only-2l.onnx")!);
        var graph = ResidualGraph.Build(model);
        var dataset = Repeats(200, model.Map.DVocab);
        var right = CausalScrubbing.Run(graph, new ScrubRequest(Induction(true), dataset, Samples: 48, Seed: 1));
        var wrong = CausalScrubbing.Run(graph, new ScrubRequest(Induction(false), dataset, Samples: 48, Seed: 1));
        var none = CausalScrubbing.Run(graph, new ScrubRequest(new Hypothesis("nothing", [], [.. Enumerable.Range(9, 7)]), dataset, Samples: 48, Seed: 1));
        foreach (var r in new[] { right, wrong, none })
            output.WriteLine($"{r.Hypothesis}: clean {r.CleanLoss:F3} scrubbed {r.ScrubbedLoss:F3} random {r.RandomLoss:F3} recovered {r.Recovered:P1} [{r.RecoveredLow:P1}, {r.RecoveredHigh:P1}] tree {r.TreeSize:F1} rows");

        Assert.True(right.RandomLoss > right.CleanLoss + 2, $"resampling everything should destroy the induction: {right.CleanLoss} vs {right.RandomLoss}");
        Assert.True(right.Recovered > 0.7, $"induction hypothesis recovered {right.Recovered:P1}");
        Assert.True(wrong.Recovered < right.Recovered - 0.2, $"wrong hypothesis recovered {wrong.Recovered:P1} vs {right.Recovered:P1}");
        Assert.True(Math.Abs(none.Recovered) < 0.1, $"the empty hypothesis recovered {none.Recovered:P1}");
        Assert.True(right.RecoveredLow <= right.Recovered && right.Recovered <= right.RecoveredHigh);
    }

    [ToyModelFact("attn-only-2l.onnx")]
    public void The_batched_plan_equals_the_node_by_node_reference()
    {
        var model = HookedModel.Load(HookTestSupport.Toy("attn-only-2l.onnx")!);
        var graph = ResidualGraph.Build(model);
        var request = new ScrubRequest(Induction(true), Repeats(30, model.Map.DVocab), Samples: 3, Seed: 7);
        var batched = CausalScrubbing.Run(graph, request);
        var reference = CausalScrubbing.Reference(graph, request);
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(reference.ScrubbedPerSample[k], batched.ScrubbedPerSample[k], 5);
            Assert.Equal(reference.RandomPerSample[k], batched.RandomPerSample[k], 5);
            Assert.Equal(reference.CleanPerSample[k], batched.CleanPerSample[k], 5);
        }
        Assert.True(batched.Runs < reference.Runs, $"batched {batched.Runs} runs, reference {reference.Runs}");
    }
}
