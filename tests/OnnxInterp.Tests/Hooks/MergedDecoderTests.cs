using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Cli;
using OnnxInterp.Tests.Support;
using static OnnxInterp.Tests.Hooks.HookTestSupport;

namespace OnnxInterp.Tests.Hooks;

/// <summary>
/// optimum's legacy merged decoder (one If on use_cache_branch), shipped as tiny-gpt2-merged.onnx: the fixture is
/// checked against the plain export first, then the hooked model (its no-past branch inlined) against the fixture.
/// </summary>
public class MergedDecoderTests
{
    static readonly long[] Ids = [464, 3139, 290, 1757, 1816, 284];

    static OnnxModel Merged => OnnxModel.Load(Toy("tiny-gpt2-merged.onnx")!);

    [ToyModelFact("tiny-gpt2-merged.onnx")]
    public void The_fixture_is_a_merged_decoder_whose_branches_compute_what_the_plain_export_does()
    {
        var merged = Merged;
        var plain = OnnxModel.Load(Toy("tiny-gpt2.onnx")!);
        Assert.Equal(["If"], merged.Graph.Nodes.Select(n => n.OpType));
        Assert.Contains("use_cache_branch", merged.Graph.Inputs);
        var full = Outputs(plain, TokenFeeds.For(plain.Graph, Ids))["logits"];

        // use_cache_branch = false (TokenFeeds' default), empty past: the no-past branch over the whole prompt.
        Feeds.AssertClose(full, Outputs(merged, TokenFeeds.For(merged.Graph, Ids))["logits"], 1e-6);

        // use_cache_branch = true: the last token alone, with the presents of the prefix as past.
        var prefix = Outputs(merged, TokenFeeds.For(merged.Graph, Ids[..^1]));
        int n = Ids.Length;
        var step = new List<NamedTensor>
        {
            NamedTensor.Int64("input_ids", [1, 1], [Ids[^1]]),
            NamedTensor.Int64("attention_mask", [1, n], [.. Enumerable.Repeat(1L, n)]),
            NamedTensor.Int64("position_ids", [1, 1], [n - 1]),
            NamedTensor.Bool("use_cache_branch", [1], [true]),
        };
        foreach (var input in merged.Graph.Inputs.Where(i => i.StartsWith("past_key_values.")))
            step.Add(prefix[input.Replace("past_key_values.", "present.")].Renamed(input));
        var last = Outputs(merged, step)["logits"].ToFloats();
        var fullLast = full.ToFloats()[^last.Length..];
        for (int v = 0; v < last.Length; v++) AssertClose(fullLast[v], last[v], 1e-5, $"logits[{v}] with past");
    }

    [ToyModelFact("tiny-gpt2-merged.onnx")]
    public void Hooking_inlines_the_no_past_branch_and_reproduces_the_merged_model()
    {
        var merged = Merged;
        var hooked = HookedModel.From(merged);
        var change = Assert.Single(hooked.Changes);
        Assert.Contains("no-past branch (else_branch)", change);
        Assert.Contains("'use_cache_branch'", change);
        Assert.Contains("past_key_values.3.value", change);
        Assert.DoesNotContain(hooked.Model.Graph.Nodes, n => n.OpType == "If");
        Assert.Equal(["input_ids", "attention_mask", "position_ids"], hooked.Model.Graph.Inputs);
        Assert.Equal(4, hooked.Map.NLayers);
        Assert.Equal(["If"], merged.Graph.Nodes.Select(n => n.OpType)); // the loaded model is untouched

        // Same ops outside an If: ORT may schedule them differently, hence 1e-6 rather than bit equality.
        var original = Outputs(merged, TokenFeeds.For(merged.Graph, Ids));
        var inlined = Outputs(hooked.Model, TokenFeeds.For(hooked.Model.Graph, Ids));
        foreach (var output in merged.Graph.Outputs)
            Feeds.AssertClose(original[output], inlined[output], 1e-6);
    }

    [ToyModelFact("tiny-gpt2-merged.onnx")]
    public void The_older_optimum_layout_with_initializers_inside_each_branch_is_inlined_the_same_way()
    {
        // optimum before cross-model deduplication kept each decoder's initializers in its own branch.
        var merged = Merged;
        var proto = merged.ToProto();
        foreach (var branch in proto.Graph.Node.Single().Attribute.Select(a => a.G))
            branch.Initializer.AddRange(proto.Graph.Initializer.Select(t => t.Clone()));
        proto.Graph.Initializer.Clear();
        var older = OnnxModel.FromProto(proto, merged.SourceFolder);
        Assert.Empty(older.Graph.Initializers);

        var hooked = HookedModel.From(older);
        Assert.Contains("no-past branch (else_branch)", Assert.Single(hooked.Changes));
        var expected = Outputs(merged, TokenFeeds.For(merged.Graph, Ids))["logits"];
        Feeds.AssertClose(expected, Outputs(hooked.Model, TokenFeeds.For(hooked.Model.Graph, Ids))["logits"], 1e-6);
    }

    [ToyModelFact("tiny-gpt2-merged.onnx")]
    public void Branches_that_cannot_be_told_apart_are_named_in_the_error()
    {
        var g = Merged.Graph.Clone();
        var ifNode = g.Nodes.Single();
        ifNode.Attribute("else_branch")!.G = ifNode.Attribute("then_branch")!.G.Clone(); // both read the past inputs
        var e = Assert.Throws<UnrecognisedModelException>(() => HookedModel.From(Merged.WithGraph(g)));
        Assert.Contains("If 'optimum::if' on 'use_cache_branch' wraps two decoders", e.Message);
        Assert.Contains("no-past branch cannot be told apart", e.Message);
    }

    [ToyModelFact("tiny-gpt2-merged.onnx")]
    public void Tensor_names_inside_the_no_past_branch_can_be_cached()
    {
        const string softmax = "/transformer/h.2/attn/Softmax_output_0";
        Assert.False(Merged.Graph.Contains(softmax)); // it exists only inside the If
        using var scratch = new CliScratch();
        foreach (var file in new[] { "tiny-gpt2.onnx", "tiny-gpt2-merged.onnx" })
        {
            var result = CliHarness.Run("cache", Toy(file)!, "--tokens", string.Join(",", Ids), "--expose", softmax, "-o", scratch[file + ".safetensors"], "--device", "cpu");
            Assert.True(result.ExitCode == 0, result.ToString());
        }
        var plain = SafeTensors.Load(scratch["tiny-gpt2.onnx.safetensors"]).Single();
        var merged = SafeTensors.Load(scratch["tiny-gpt2-merged.onnx.safetensors"]).Single();
        Assert.Equal(softmax, merged.Name);
        Feeds.AssertClose(plain, merged, 1e-6);

        // inspect lists it among the tensors only the hooked model has, with its measured type.
        var inspect = CliHarness.Run("inspect", Toy("tiny-gpt2-merged.onnx")!, "--json", "--device", "cpu");
        using var json = System.Text.Json.JsonDocument.Parse(inspect.Out);
        var row = json.RootElement.GetProperty("exposable").EnumerateArray().Single(e => e.GetProperty("name").GetString() == softmax);
        Assert.Equal("Softmax", row.GetProperty("op").GetString());
        Assert.True(json.RootElement.GetProperty("hookedOnlyCount").GetInt32() > 300);
    }

    [ToyModelFact("tiny-gpt2-merged.onnx")]
    public void Patching_on_the_merged_layout_gives_the_plain_exports_numbers()
    {
        var plain = CliHarness.IoiResidPreSweep(Toy("tiny-gpt2.onnx")!);
        var merged = CliHarness.IoiResidPreSweep(Toy("tiny-gpt2-merged.onnx")!);
        Assert.Equal(plain.Length, merged.Length);
        Assert.True(plain.Length >= 4 * 10);
        for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i], merged[i], 4);
    }
}
