using System.Text.Json;
using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Generation;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Generation;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Hooks;

/// <summary>
/// Issue #14 item 1: Megatron-LM-style GPT-2 exports (tools/torch-fixtures/export_megatron_fixtures.py, torch 1.13):
/// q and k each divided by d_head^(1/4), a float left-to-right mask input [batch, 1, max, max] sliced per call and
/// applied as scores * m - 10000 * (1 - m), `x.float()` traced as Casts that the residual adds read, ORT's past layout.
/// Recognition, hooks and logits against torch are in <see cref="TorchExportFixtureTests"/>; these check the mask the
/// tool feeds and the paths that feed it at other lengths (decoding with past, patching with a reused past).
/// </summary>
public sealed class MegatronExportTests
{
    static string Fixture(string name) => Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "torch", name);
    static readonly string NoPast = Fixture("megatron-gpt2-opset13.onnx");
    static readonly string WithPast = Fixture("megatron-gpt2-opset15-past.onnx");

    /// <summary>The token ids and logits torch recorded for the no-past fixture.</summary>
    static (long[] Ids, float[] Logits) TorchReference()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(NoPast, ".reference.json")));
        return ([.. reference.RootElement.GetProperty("input_ids").EnumerateArray().Select(i => i.GetInt64())],
            [.. reference.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetSingle())]);
    }

    [Fact]
    public void A_four_dimensional_mask_is_fed_lower_triangular_aligned_at_the_last_key()
    {
        // [1, 1, 2, 3]: query 0 is key position 1 (one earlier key), so it reads keys 0 and 1; query 1 reads all three.
        var mask = AttentionMaskFeed.Of("attention_mask", ElementType.Float, [1, 1, 2, 3]);
        Assert.Equal(new float[] { 1, 1, 0, 1, 1, 1 }, mask.ToFloats());
        var padding = AttentionMaskFeed.Of("attention_mask", ElementType.Int64, [1, 3]);
        Assert.Equal(new long[] { 1, 1, 1 }, (long[])padding.Data);

        var feeds = TokenFeeds.For(OnnxModel.Load(NoPast).Graph, [5, 17, 3]);
        var fed = feeds.Single(f => f.Name == "attention_mask");
        Assert.Equal(new long[] { 1, 1, 3, 3 }, fed.Shape);
        Assert.Equal(new float[] { 1, 0, 0, 1, 1, 0, 1, 1, 1 }, fed.ToFloats());
    }

    [Fact]
    public void Layer_norms_that_compute_x_minus_mean_twice_are_recognised_and_give_torchs_logits()
    {
        // Megatron's LayerNorm writes (x - u) twice; torch 1.13's export merges the two, older exports keep both: split
        // each LayerNorm's Sub into one for the variance and one for the division, as those exports have it.
        var model = OnnxModel.Load(NoPast);
        var graph = model.Graph;
        var subs = graph.Nodes.Where(n => n.OpType == "Sub" && n.Name.Contains("layernorm")).ToList();
        Assert.Equal(5, subs.Count);
        foreach (var sub in subs)
        {
            var twin = new Node("Sub", sub.Inputs, [sub.Outputs[0] + "_twin"], sub.Name + "_twin");
            graph.AddNode(twin);
            var div = graph.Consumers(sub.Outputs[0]).Single(n => n.OpType == "Div");
            graph.SetNodeInput(div, 0, twin.Outputs[0]);
        }
        var hooked = HookedModel.From(model);
        Assert.Equal(2, hooked.Map.NLayers);

        var (ids, torchLogits) = TorchReference();
        using var capture = new HookCapture(hooked, ["blocks.1.ln1.hook_normalized", "blocks.1.hook_resid_pre"], Device.Cpu);
        var cache = capture.Run([[.. ids.Select(i => (int)i)]]);
        using var session = SessionFactory.Compile(model, Device.Cpu);
        var logits = session.Run(TokenFeeds.For(graph, ids))["logits"].ToFloats();
        Assert.True(logits.Zip(torchLogits).All(p => Math.Abs(p.First - p.Second) <= 1e-4 * (1 + Math.Abs(p.Second))));
        // ln1's normalized output is the Div that reads the second Sub: the stream standardised per position.
        var normalized = cache["blocks.1.ln1.hook_normalized"].ToFloats();
        var resid = cache["blocks.1.hook_resid_pre"].ToFloats();
        var row = resid.Take(32).Select(v => (double)v).ToArray();
        double mean = row.Average(), sd = Math.Sqrt(row.Select(v => (v - mean) * (v - mean)).Average() + 1e-5);
        for (int i = 0; i < 32; i++) Assert.True(Math.Abs((row[i] - mean) / sd - normalized[i]) < 1e-4, $"normalized[{i}]");
    }

    [Fact]
    public void A_mask_of_ones_lets_positions_read_the_future_so_the_fixture_tests_the_mask()
    {
        // The premise of the logits check against torch: the model takes its causality from the mask input alone.
        var model = OnnxModel.Load(NoPast);
        var (ids, torchLogits) = TorchReference();
        using var session = SessionFactory.Compile(model, Device.Cpu);
        var feeds = TokenFeeds.For(model.Graph, ids).Select(f => f.Name == "attention_mask" ? DefaultFeeds.Filled(f.Name, f.ElementType, f.Shape, 1) : f).ToList();
        var ones = session.Run(feeds)["logits"].ToFloats();
        // The first position's logits move most: with ones it reads all eight tokens instead of itself.
        Assert.True(Enumerable.Range(0, 96).Max(i => Math.Abs(ones[i] - torchLogits[i])) > 0.1);
    }

    [Fact]
    public void Decoding_with_past_equals_full_forward_passes_on_the_file_without_past()
    {
        IReadOnlyList<long> prompt = [5, 17, 3, 42, 17, 3];
        var (tokens, probabilities) = PlainGreedy.Generate(NoPast, prompt, 8);
        using var generator = Generator.Load(WithPast);
        var result = generator.Generate(new GenerationRequest([new GenerationRow(prompt), new GenerationRow([9, 60, 8])], 8, StopTokens: []));
        Assert.True(result.UsedPast);
        Assert.Equal(tokens, result[0].NewTokens);
        for (int i = 0; i < tokens.Count; i++)
            Assert.True(Math.Abs(probabilities[i] - result[0].Steps[i].Probability) < 1e-4, $"step {i}: {result[0].Steps[i].Probability} vs {probabilities[i]}");
        Assert.Equal(PlainGreedy.Generate(NoPast, [9, 60, 8], 8).Tokens, result[1].NewTokens);
    }

    [Fact]
    public void A_mask_declared_at_a_fixed_max_length_is_fed_at_that_length_while_decoding()
    {
        // As exports with a static context write it: [batch, 1, 32, 32]; each call slices its rows and columns out.
        var model = OnnxModel.Load(WithPast);
        model.Graph.SetType("attention_mask", new TensorType(ElementType.Float, [new Dim(null, "batch_size"), Dim.Of(1), Dim.Of(32), Dim.Of(32)]));
        IReadOnlyList<long> prompt = [5, 17, 3, 42, 17, 3];
        Assert.Equal([1L, 1, 32, 32], TokenFeeds.For(model.Graph, prompt).Single(f => f.Name == "attention_mask").Shape);
        using var generator = Generator.From(model);
        var result = generator.Generate(new GenerationRequest([new GenerationRow(prompt)], 6, StopTokens: []));
        Assert.True(result.UsedPast);
        Assert.Equal(PlainGreedy.Generate(NoPast, prompt, 6).Tokens, result[0].NewTokens);
    }

    [Fact]
    public void Patching_with_the_past_reused_equals_the_same_sweeps_on_the_file_without_past()
    {
        PromptPair[] pairs = [new([1, 7, 3, 7, 3, 9, 4], [1, 8, 4, 7, 3, 9, 4], 5, 6), new([1, 8, 4, 7, 3, 9, 4], [1, 7, 3, 7, 3, 9, 4], 2, 5)];
        SweepSpec[] sweeps = [Sweeps.ResidPre, Sweeps.AttnOut, Sweeps.HeadsByPos("z")];
        var request = new PatchingRequest(pairs, sweeps, MetricKind.LogitDiff);
        var expected = ActivationPatching.Run(HookedModel.Load(NoPast), request, new InterventionOptions(RowsPerRun: 2048));
        var actual = ActivationPatching.Run(HookedModel.Load(WithPast), request, new InterventionOptions(RowsPerRun: 2048));
        Assert.Equal(1 + pairs[0].Clean.Count, actual.Runs);
        Assert.Equal(expected.Clean, actual.Clean, 1e-4);
        foreach (var spec in sweeps)
        {
            var (want, got) = (expected[spec.Name].Raw, actual[spec.Name].Raw);
            Assert.Equal(want.Length, got.Length);
            for (int i = 0; i < want.Length; i++)
                Assert.True(Math.Abs(want[i] - got[i]) <= 1e-4, $"{spec.Name} variant {i}: {got[i]} with the past reused, {want[i]} without past");
            Assert.Contains(want, v => Math.Abs(v - expected.Corrupted) > 1e-3);
        }
    }
}
