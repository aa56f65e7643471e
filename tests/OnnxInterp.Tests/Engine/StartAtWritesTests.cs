using OnnxInterp.Analysis.Engine;
using OnnxInterp.Hooks;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Engine;

/// <summary>
/// Rows that start at the tensor they write (<see cref="InterventionOptions.StartAtWrites"/>) against the full
/// computation: the same plan with every row run from the start, on the toy models and real exports.
/// </summary>
public sealed class StartAtWritesTests
{
    // Late rows run in smaller batches through the layers they share with other rows; ONNX Runtime's kernels may round
    // differently per batch size (float32), so logits agree to rounding. Effects measured here are O(0.1-10).
    const double Tolerance = 1e-5;

    [Theory]
    [InlineData("onnx-models/tiny-gpt2.onnx")]
    [InlineData("onnx-models/tiny-gpt2-opset17.onnx")]
    [InlineData("onnx-models/tiny-gpt2-dynamo.onnx")]
    [InlineData("onnx-models/tiny-gpt2-merged.onnx")]
    [InlineData("onnx-models/attn-only-2l.onnx")]
    [InlineData("tests/fixtures/torch/gpt2lm-fresh-opset11-mask.onnx")]
    [InlineData("tests/fixtures/torch/gpt2lm-trained-opset17.onnx")]
    public void Late_rows_give_the_logits_of_the_full_computation(string file) => AssertStagedEqualsFull(Path.Combine(TestPaths.RepoRoot, file));

    [ExternalModelTheory]
    [MemberData(nameof(ExternalGpt2))]
    public void Late_rows_in_real_exports_give_the_logits_of_the_full_computation(string file) =>
        AssertStagedEqualsFull(TestPaths.External(file), staged: file != "ort_gpt2model_pt13_opset11_nopast.onnx");

    public static TheoryData<string> ExternalGpt2 => [.. HookTestSupport.ExternalGpt2];

    /// <summary><paramref name="staged"/>: whether rows can start late; where not, the engine says why and runs every row in full.</summary>
    static void AssertStagedEqualsFull(string path, bool staged = true)
    {
        var model = HookedModel.Load(path);
        var map = model.Map;
        int layers = map.Config.NLayers;
        long[] clean = [1, 7, 3, 7, 3, 9], corrupted = [1, 8, 4, 7, 3, 9]; // ids every test model's vocabulary has
        var rows = new List<PlanRow> { new(clean), new(corrupted) };
        var resample = new WriteSource.FromRow(0);
        for (int l = 0; l < layers; l++)
        {
            for (int p = 0; p < clean.Length; p += 2)
                rows.Add(new PlanRow(corrupted, [new HookWrite($"blocks.{l}.hook_resid_pre", resample, HookSlice.Of("pos", p))]));
            rows.Add(new PlanRow(corrupted, [new HookWrite($"blocks.{l}.attn.hook_z", WriteSource.Zeros, HookSlice.Of("head", l % map.Config.NHeads))]));
            rows.Add(new PlanRow(corrupted, [new HookWrite($"blocks.{l}.attn.hook_z", resample, HookSlice.Of("head", 0)), new HookWrite($"blocks.{l}.attn.hook_z", WriteSource.Zeros, HookSlice.Of("head", map.Config.NHeads - 1))]));
        }
        // Joins at the start: writes on two tensors; and a row whose twin is the clean row.
        rows.Add(new PlanRow(corrupted, [new HookWrite("blocks.0.hook_resid_pre", resample, HookSlice.Of("pos", 1)), new HookWrite($"blocks.{layers - 1}.hook_resid_pre", WriteSource.Zeros, HookSlice.Of("pos", 2))]));
        rows.Add(new PlanRow(clean, [new HookWrite($"blocks.{layers - 1}.hook_resid_pre", new WriteSource.FromRow(1), HookSlice.Of("pos", 4))]));
        // A model without an unembedding (GPT2Model) is scored on its hidden states.
        var output = map.TryGet("logits", out _) ? null : model.Model.Graph.Outputs[0];
        var plan = new InterventionPlan(rows, Logits: output is null ? LogitReads.At(-1, 2) : null, Output: output);

        using var full = new InterventionEngine(model, new InterventionOptions(RowsPerRun: 5, StartAtWrites: false));
        var log = new List<string>();
        using var late = new InterventionEngine(model, new InterventionOptions(RowsPerRun: 5, Log: log.Add));
        var expected = full.Run(plan);
        var actual = late.Run(plan);
        Assert.DoesNotContain("stages[", expected.Identity);
        if (staged) Assert.Contains("stages[", actual.Identity);
        else Assert.Contains(log, line => line.StartsWith("every row runs from the start: ") && line.Contains("batch"));
        for (int r = 0; r < rows.Count; r++)
            Feeds.AssertClose(expected[r].Logits!, actual[r].Logits!, Tolerance);
        // The writes change something, so agreeing is not agreeing on nothing.
        Assert.NotEqual(expected[1].Logits!.ToFloats(), expected[3].Logits!.ToFloats());
    }

    [Fact]
    public void A_staged_graph_without_late_rows_is_the_model_and_a_late_row_without_writes_is_its_twin()
    {
        var model = HookedModel.Load(Path.Combine(TestPaths.OnnxModels, "tiny-gpt2.onnx"));
        var probe = TypeProbe.Probe(model.Model);
        var typed = TypeProbe.Fill(model.Model, probe.Types);
        var stages = new[] { "blocks.1.hook_resid_pre", "blocks.2.attn.hook_z" }.Select(h => model.Map[h].Tensor).ToList();
        var staged = StageRows.TryApply(typed, stages, probe.BatchAxes, out var reason) ?? throw new Xunit.Sdk.XunitException(reason);
        var logits = model.Map["logits"].Tensor;
        var prompts = new long[][] { [1, 7, 30, 7, 30, 9], [2, 40, 41, 40, 41, 3] };
        var feeds = OnnxInterp.Analysis.Engine.BatchFeeds.For(model.Model.Graph, prompts);
        using var original = SessionFactory.Compile(model.Model, Device.Cpu);
        using var stagedSession = SessionFactory.Compile(staged.Model, Device.Cpu);
        var expected = original.Run(feeds, [logits])[logits];

        NamedTensor Run(long[] first, long[] second) => stagedSession.Run([.. feeds, NamedTensor.Int64(staged.Inputs[0], [first.Length], first), NamedTensor.Int64(staged.Inputs[1], [second.Length], second)], [logits])[logits];
        Feeds.AssertBitIdentical(expected, Run([], []));
        // Rows 2 and 3 join at the two stages as copies of rows 1 and 0: with nothing written they end as their twins.
        var late = Run([1], [0]);
        Assert.Equal([4, 6, expected.Shape[2]], late.Shape);
        var values = late.ToFloats();
        int row = 6 * (int)expected.Shape[2];
        var want = expected.ToFloats();
        for (int i = 0; i < row; i++)
        {
            Assert.Equal(want[i], values[i], 1e-5);
            Assert.Equal(want[row + i], values[row + i], 1e-5);
            Assert.Equal(want[row + i], values[2 * row + i], 1e-5);
            Assert.Equal(want[i], values[3 * row + i], 1e-5);
        }
    }

    [Fact]
    public void The_probe_finds_the_batch_axis_of_activations_and_marks_shapes_computed_from_the_batch()
    {
        var model = HookedModel.Load(Path.Combine(TestPaths.OnnxModels, "tiny-gpt2.onnx"));
        var axes = TypeProbe.Probe(model.Model).BatchAxes;
        Assert.Equal(0, axes[model.Map["blocks.1.hook_resid_pre"].Tensor]);
        Assert.Equal(0, axes[model.Map["blocks.0.attn.hook_pattern"].Tensor]);
        Assert.Equal(0, axes["input_ids"]);
        // The attention's Shape nodes read [batch, heads, pos, d_head]: their values hold the batch size.
        var shapes = model.Model.Graph.Nodes.Where(n => n.OpType == "Shape").Select(n => n.Outputs[0]).ToList();
        Assert.NotEmpty(shapes);
        Assert.All(shapes, s => Assert.Equal(-2, axes[s]));
    }
}
