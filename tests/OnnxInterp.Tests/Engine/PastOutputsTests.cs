using OnnxInterp.Analysis.Engine;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Engine;

/// <summary>Plans that return graph outputs (present key/values) and rows that feed them back: one decoding step.</summary>
public sealed class PastOutputsTests
{
    [ToyModelFact("tiny-gpt2-past.onnx")]
    public void Presents_fed_back_as_past_continue_the_prompt_like_a_full_forward()
    {
        var model = HookedModel.Load(HookTestSupport.Toy("tiny-gpt2-past.onnx")!);
        using var engine = new InterventionEngine(model);
        long[] prompt = [50256, 2215, 5335, 290, 1757], full = [.. prompt, 1816];
        var names = Enumerable.Range(0, model.Map.NLayers).SelectMany(l => new[] { $"present.{l}.key", $"present.{l}.value" }).ToList();
        var first = engine.Run(new InterventionPlan([new PlanRow(prompt)], Logits: LogitReads.None, Outputs: names))[0];
        Assert.Equal([1, model.Map.NHeads, prompt.Length, model.Map.DHead], first[names[0]].Shape);

        var past = names.Select(n => first[n].Renamed(n.Replace("present.", "past_key_values."))).ToList();
        var step = engine.Run(new InterventionPlan([new PlanRow([full[^1]], Feeds:
        [
            .. past,
            NamedTensor.Int64("attention_mask", [1, full.Length], [.. full.Select(_ => 1L)]),
            NamedTensor.Int64("position_ids", [1, 1], [prompt.Length]),
        ])]))[0];
        var whole = engine.Run(new InterventionPlan([new PlanRow(full)], Logits: LogitReads.At(full.Length - 1)))[0];
        var expected = whole.LogitsAt(full.Length - 1).ToArray();
        var actual = step.LogitsAt(0).ToArray();
        // Past and no-past runs reduce the attention sums in different orders: float32 rounding only.
        Assert.True(expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)) < 1e-4);
    }
}
