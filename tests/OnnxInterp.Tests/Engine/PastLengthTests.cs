using OnnxInterp.Analysis.Engine;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Engine;

/// <summary>With past key/values, a write to an attention pattern indexes key positions of the whole sequence.</summary>
public sealed class PastLengthTests
{
    [ToyModelFact("tiny-gpt2-past.onnx")]
    public void A_pattern_write_at_a_decoding_step_indexes_keys_by_the_total_length()
    {
        var model = HookedModel.Load(HookTestSupport.Toy("tiny-gpt2-past.onnx")!);
        using var engine = new InterventionEngine(model);
        long[] prompt = [50256, 2215, 5335, 290, 1757], full = [.. prompt, 1816];
        var names = Enumerable.Range(0, model.Map.NLayers).SelectMany(l => new[] { $"present.{l}.key", $"present.{l}.value" }).ToList();
        var first = engine.Run(new InterventionPlan([new PlanRow(prompt)], Logits: LogitReads.None, Outputs: names))[0];
        var past = names.Select(n => first[n].Renamed(n.Replace("present.", "past_key_values."))).ToList();
        // Key position 3 exists only in the past: the step has one query position and 6 key positions.
        var write = new HookWrite("blocks.0.attn.hook_pattern", WriteSource.Zeros, HookSlice.At(("head", 1), ("k_pos", 3)));
        var step = engine.Run(new InterventionPlan([new PlanRow([full[^1]], [write], [
            .. past,
            NamedTensor.Int64("attention_mask", [1, full.Length], [.. full.Select(_ => 1L)]),
            NamedTensor.Int64("position_ids", [1, 1], [prompt.Length]),
        ])], PastLength: prompt.Length))[0];
        var whole = engine.Run(new InterventionPlan([new PlanRow(full, [write with { Slice = write.Part.And("q_pos", full.Length - 1) }])], Logits: LogitReads.At(full.Length - 1)))[0];
        var plain = engine.Run(new InterventionPlan([new PlanRow(full)], Logits: LogitReads.At(full.Length - 1)))[0];
        var expected = whole.LogitsAt(full.Length - 1).ToArray();
        var actual = step.LogitsAt(0).ToArray();
        Assert.True(expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)) < 1e-4);
        Assert.True(expected.Zip(plain.LogitsAt(full.Length - 1).ToArray()).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, "the write must change the logits");
    }
}
