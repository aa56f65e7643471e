using OnnxInterp.Analysis.Engine;
using OnnxInterp.Hooks;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Analysis;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Engine;

/// <summary>
/// The intervention engine against computations that do not use it: plain sessions on the original model, fed patch
/// points built one run at a time (<see cref="PatchingReference"/>), and a model small enough to compute by hand.
/// </summary>
public sealed class InterventionEngineTests
{
    static readonly long[][] Prompts = [[1, 7, 30, 7, 30, 9], [2, 40, 41, 40, 41, 3], [5, 6, 7, 8, 9, 10]];

    [ToyModelFact("attn-only-2l.onnx")]
    public void A_plan_without_writes_reproduces_the_model_bit_for_bit_and_reads_equal_a_plain_expose()
    {
        var model = HookedModel.Load(HookTestSupport.Toy("attn-only-2l.onnx")!);
        using var engine = new InterventionEngine(model);
        var plain = engine.Run(new InterventionPlan([.. Prompts.Select(p => new PlanRow(p))]));
        var read = engine.Run(new InterventionPlan([.. Prompts.Select(p => new PlanRow(p))], ["blocks.*.attn.hook_pattern", "blocks.1.hook_resid_pre"], LogitReads.None));

        var logits = model.Map["logits"].Tensor;
        var tensors = new[] { "blocks.0.attn.hook_pattern", "blocks.1.attn.hook_pattern", "blocks.1.hook_resid_pre" }.Select(h => model.Map[h].Tensor).ToList();
        using var original = SessionFactory.Compile(model.Model, Device.Cpu);
        using var exposed = SessionFactory.Compile(Expose.Apply(model.Model, tensors).Model, Device.Cpu);
        for (int r = 0; r < Prompts.Length; r++)
        {
            var feeds = TokenFeeds.For(model.Model.Graph, Prompts[r]);
            // Batch 3 in the engine, batch 1 here: the same kernels, so the same bits.
            Feeds.AssertBitIdentical(original.Run(feeds, [logits])[logits], plain[r].Logits!.Renamed(logits));
            var expected = exposed.Run(feeds, tensors);
            Feeds.AssertBitIdentical(expected[tensors[0]], read[r]["blocks.0.attn.hook_pattern"].Renamed(tensors[0]));
            Feeds.AssertBitIdentical(expected[tensors[2]], read[r]["blocks.1.hook_resid_pre"].Renamed(tensors[2]));
        }
        Assert.Equal(1, plain.Runs);
    }

    [ToyModelFact("attn-only-2l.onnx")]
    public void Heads_of_one_row_from_different_rows_equal_a_fed_patch_of_the_same_values()
    {
        var model = HookedModel.Load(HookTestSupport.Toy("attn-only-2l.onnx")!);
        const string z = "blocks.1.attn.hook_z";
        using var engine = new InterventionEngine(model);
        var rows = Prompts.Select(p => new PlanRow(p)).ToList();
        rows.Add(new PlanRow(Prompts[0], [new HookWrite(z, new WriteSource.FromRow(1), HookSlice.At(("head", 0))),
                                          new HookWrite(z, new WriteSource.FromRow(2), HookSlice.At(("head", 2)))]));
        var result = engine.Run(new InterventionPlan(rows));

        using var reference = new PatchingReference(model, [z]);
        var one = reference.Capture(Prompts[1])[z];
        var two = reference.Capture(Prompts[2])[z];
        // [1, pos, head, d_head]: head 0 from prompt 1, head 2 from prompt 2, composed here element by element.
        var composed = (float[])one.Floats.Clone();
        long heads = one.Shape[2], dHead = one.Shape[3];
        for (long i = 0; i < composed.Length; i++)
            if (i / dHead % heads == 2) composed[i] = two.Floats[i];
        var expected = reference.Run(Prompts[0], z, NamedTensor.Float("z", one.Shape, composed), index => index[2] is 0 or 2, one.Shape);
        Feeds.AssertClose(expected, result[3].Logits!.Renamed(expected.Name), 1e-5);
        // And it is a real change: the unpatched row differs.
        Assert.True(expected.Floats.Zip(result[0].Logits!.Floats).Max(p => Math.Abs(p.First - p.Second)) > 1e-3);
    }

    [Fact]
    public void A_receiver_restricted_write_is_seen_by_that_consumer_only()
    {
        using var dir = new TempDir();
        var model = EngineGraph.Write(dir.Path);
        using var engine = new InterventionEngine(model);
        long[] tokens = [1, 3, 4];
        var steer = NamedTensor.Float("v", [3], [10, -20, 5]);
        var result = engine.Run(new InterventionPlan([
            new PlanRow(tokens, [new HookWrite("blocks.0.hook_resid_mid", WriteSource.Zeros, Receiver: "blocks.0.hook_attn_out")]),
            new PlanRow(tokens, [new HookWrite("blocks.0.hook_resid_mid", new WriteSource.Add(steer), HookSlice.At(("pos", 1)), Receiver: "blocks.0.hook_mlp_out")]),
        ], ["blocks.0.hook_mlp_out", "blocks.0.hook_attn_out"]));

        for (int p = 0; p < tokens.Length; p++)
        {
            var x = EngineGraph.Embed(tokens[p]);
            // Row 0: only the left MatMul reads zeros; the right one reads the embedding.
            AssertClose(EngineGraph.Logits([0, 0, 0], x), result[0].LogitsAt(p));
            // Row 1: only the right MatMul reads embedding + v, and only at position 1.
            var steered = p == 1 ? x.Zip(steer.Floats, (a, b) => a + b).ToArray() : x;
            AssertClose(EngineGraph.Logits(x, steered), result[1].LogitsAt(p));
        }
        // The other consumer's output is untouched: row 1's left MatMul is the unpatched one.
        AssertClose(TinyGraphs.MatVec(EngineGraph.Embed(tokens[1]), EngineGraph.A, 3, 3), Slice(result[1]["blocks.0.hook_attn_out"], 1));
    }

    [Fact]
    public void A_hook_with_batch_on_axis_1_is_written_row_by_row()
    {
        using var dir = new TempDir();
        var model = EngineGraph.Write(dir.Path);
        Assert.Equal(1, model.Map["blocks.0.hook_resid_pre"].Layout.IndexOf("batch"));
        using var engine = new InterventionEngine(model);
        long[] first = [0, 1, 2], second = [3, 4, 0];
        var mean = NamedTensor.Float("m", [1, 1, 3], [0.5f, 0.25f, -1]);
        var result = engine.Run(new InterventionPlan([
            new PlanRow(first),
            new PlanRow(second, [new HookWrite("blocks.0.hook_resid_pre", new WriteSource.FromRow(0), HookSlice.At(("pos", 1)))]),
            new PlanRow(second, [new HookWrite("blocks.0.hook_resid_pre", new WriteSource.Fed(mean), HookSlice.At(("pos", 2)))]),
        ]));
        for (int p = 0; p < 3; p++)
        {
            var x = EngineGraph.Embed(first[p]);
            AssertClose(EngineGraph.Logits(x, x), result[0].LogitsAt(p));
            var patched = EngineGraph.Embed(p == 1 ? first[1] : second[p]);
            AssertClose(EngineGraph.Logits(patched, patched), result[1].LogitsAt(p));
            var fed = p == 2 ? mean.Floats : EngineGraph.Embed(second[p]);
            AssertClose(EngineGraph.Logits(fed, fed), result[2].LogitsAt(p));
        }
    }

    [ToyModelFact("attn-only-2l.onnx")]
    public void Plans_that_differ_only_in_feeds_compile_once()
    {
        var model = HookedModel.Load(HookTestSupport.Toy("attn-only-2l.onnx")!);
        using var engine = new InterventionEngine(model, new InterventionOptions(RowsPerRun: 2));
        PlanRow Patched(int target, int source, int head) =>
            new(Prompts[target], [new HookWrite("blocks.0.attn.hook_z", new WriteSource.FromRow(source), HookSlice.At(("head", head)))]);
        var a = engine.Run(new InterventionPlan([new PlanRow(Prompts[0]), new PlanRow(Prompts[1]), Patched(1, 0, 3), Patched(0, 1, 1)]));
        var b = engine.Run(new InterventionPlan([new PlanRow(Prompts[2]), new PlanRow(Prompts[0]), Patched(0, 0, 2), Patched(2, 1, 0)]));
        Assert.Equal(1, engine.Compiled);
        Assert.Equal(a.Identity, b.Identity);
        // Four rows of two-row runs: each patched row brings its source along.
        Assert.True(a.Runs >= 2, $"{a.Runs} runs");
    }

    [Fact]
    public void Bad_plans_are_refused_before_anything_runs()
    {
        using var dir = new TempDir();
        var model = EngineGraph.Write(dir.Path);
        using var engine = new InterventionEngine(model);
        var outside = Assert.Throws<ArgumentException>(() => engine.Run(new InterventionPlan([new PlanRow([1, 2], [new HookWrite("hook_embed", new WriteSource.FromRow(4))])])));
        Assert.Contains("row 4", outside.Message);
        var twice = Assert.Throws<ArgumentException>(() => engine.Run(new InterventionPlan([new PlanRow([1, 2],
            [new HookWrite("hook_embed", WriteSource.Zeros, HookSlice.At(("pos", 1))), new HookWrite("hook_embed", new WriteSource.Fed(NamedTensor.Float("x", [3], [1, 2, 3])))])])));
        Assert.Contains("same element", twice.Message);
        var axis = Assert.Throws<ArgumentException>(() => engine.Run(new InterventionPlan([new PlanRow([1, 2], [new HookWrite("hook_embed", WriteSource.Zeros, HookSlice.At(("head", 0)))])])));
        Assert.Contains("no axis 'head'", axis.Message);
        var unknown = Assert.Throws<HookMapException>(() => engine.Run(new InterventionPlan([new PlanRow([1, 2], [new HookWrite("blocks.0.hook_resid_post", WriteSource.Zeros)])])));
        Assert.Contains("blocks.0.hook_resid_post", unknown.Message);
        var width = Assert.Throws<ArgumentException>(() => engine.Run(new InterventionPlan([new PlanRow([1, 2], [new HookWrite("hook_embed", new WriteSource.Add(NamedTensor.Float("v", [4], [1, 2, 3, 4])))])])));
        Assert.Contains("does not match", width.Message);
    }

    static float[] Slice(NamedTensor t, int position) => t.Floats.AsSpan(position * (int)t.Shape[^1], (int)t.Shape[^1]).ToArray();

    static void AssertClose(float[] expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
    }
}
