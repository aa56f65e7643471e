using OnnxInterp.Analysis.Engine;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Engine;

/// <summary>C# hook functions (the graph cut into segments at the hooks) against the model and the engine's graph writes.</summary>
public sealed class HookFunctionTests
{
    static readonly long[][] Rows = [[1, 7, 30, 7, 30, 9], [2, 40, 41, 40, 41, 3]];

    [ToyModelFact("attn-only-2l.onnx")]
    public void Identity_functions_reproduce_the_model_and_an_added_vector_equals_the_fed_steering_write()
    {
        var model = HookedModel.Load(HookTestSupport.Toy("attn-only-2l.onnx")!);
        using var engine = new InterventionEngine(model);
        int calls = 0;
        var plain = engine.Run(new InterventionPlan([.. Rows.Select(r => new PlanRow(r))]));
        var identity = engine.RunWithHooks(Rows, [("blocks.1.hook_resid_pre", (v, _) => { calls++; return v; }), ("blocks.0.attn.hook_pattern", (v, _) => { calls++; return v; })]);
        Assert.Equal(2, calls);
        // Segments are compiled separately, so ORT may fuse differently across the cut: float32 rounding, well under 1e-5.
        for (int r = 0; r < Rows.Length; r++)
            Feeds.AssertClose(plain[r].Logits!, BatchTensors.Take(identity, 0, r).Renamed(plain[r].Logits!.Name), 1e-5);

        var vector = Enumerable.Range(0, model.Map.DModel).Select(i => (float)Math.Sin(i)).ToArray();
        var steered = engine.RunWithHooks(Rows, [("blocks.1.hook_resid_pre", (v, _) =>
            v with { Data = v.Floats.Select((x, i) => x + vector[i % vector.Length]).ToArray() })]);
        var written = engine.Run(new InterventionPlan([.. Rows.Select(r =>
            new PlanRow(r, [new HookWrite("blocks.1.hook_resid_pre", new WriteSource.Add(NamedTensor.Float("v", [vector.Length], vector)))]))]));
        for (int r = 0; r < Rows.Length; r++)
        {
            Feeds.AssertClose(written[r].Logits!, BatchTensors.Take(steered, 0, r).Renamed(written[r].Logits!.Name), 1e-5);
            Assert.True(written[r].Logits!.Floats.Zip(plain[r].Logits!.Floats).Max(p => Math.Abs(p.First - p.Second)) > 1e-2);
        }
    }

    [ToyModelFact("attn-only-2l.onnx")]
    public void A_function_that_throws_or_changes_the_shape_is_an_error_naming_the_hook()
    {
        var model = HookedModel.Load(HookTestSupport.Toy("attn-only-2l.onnx")!);
        using var engine = new InterventionEngine(model);
        var thrown = Assert.Throws<HookFunctionException>(() => engine.RunWithHooks(Rows, [("blocks.0.hook_attn_out", (v, _) => throw new InvalidOperationException("boom"))]));
        Assert.Contains("blocks.0.hook_attn_out", thrown.Message);
        Assert.Contains("boom", thrown.Message);
        var shape = Assert.Throws<HookFunctionException>(() => engine.RunWithHooks(Rows, [("blocks.0.hook_attn_out", (v, _) => BatchTensors.Take(v, 0, 0))]));
        Assert.Contains("same shape", shape.Message);
    }
}
