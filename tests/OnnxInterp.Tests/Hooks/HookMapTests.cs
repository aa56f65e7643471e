using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Tests.Support;
using static OnnxInterp.Tests.Hooks.HookTestSupport;

namespace OnnxInterp.Tests.Hooks;

public class HookMapTests
{
    static readonly string DistilBertMap = Path.Combine(TestPaths.RepoRoot, "docs", "examples", "distilbert.hookmap.json");

    static HookMap TwoLayerMap() => new(
        Enumerable.Range(0, 2).SelectMany(l => new[]
        {
            new HookPoint(HookName.Parse($"blocks.{l}.hook_resid_pre"), $"r{l}", HookLayout.Residual),
            new HookPoint(HookName.Parse($"blocks.{l}.attn.hook_pattern"), $"p{l}", HookLayout.Pattern),
            new HookPoint(HookName.Parse($"blocks.{l}.attn.hook_z"), $"z{l}", HookLayout.PerHead),
        }).Append(new HookPoint(HookName.Parse("logits"), "logits", HookLayout.Logits)).Reverse(),
        new HookConfig("test", 2, 2, 4, 2, 0, 10));

    [Fact]
    public void An_unknown_hook_name_fails_listing_the_closest_names()
    {
        var e = Assert.Throws<HookMapException>(() => TwoLayerMap().Get("blocks.1.attn.hook_patern"));
        Assert.Contains("no hook 'blocks.1.attn.hook_patern'", e.Message);
        Assert.Contains("Closest names: blocks.1.attn.hook_pattern", e.Message);
    }

    [Fact]
    public void A_glob_selects_every_layer_in_forward_order()
    {
        var map = TwoLayerMap();
        Assert.Equal(["blocks.0.attn.hook_pattern", "blocks.1.attn.hook_pattern"], map.Select("blocks.*.attn.hook_pattern").Select(p => p.Name.Value));
        Assert.Equal(["blocks.0.hook_resid_pre", "blocks.0.attn.hook_z", "blocks.1.hook_resid_pre", "blocks.1.attn.hook_z"],
            map.Select(["blocks.*.attn.hook_z", "blocks.{0,1}.hook_resid_pre"]).Select(p => p.Name.Value));
        Assert.Equal("logits", map.Points[^1].Name);
    }

    [Fact]
    public void A_glob_that_matches_nothing_is_an_error_not_an_empty_selection()
    {
        var e = Assert.Throws<HookMapException>(() => TwoLayerMap().Select("blocks.*.attn.hook_q"));
        Assert.Contains("no hook matches 'blocks.*.attn.hook_q'", e.Message);
        Assert.Contains("blocks.0.attn.hook_z", e.Message);
    }

    [Fact]
    public void A_hook_defined_twice_is_rejected()
    {
        var e = Assert.Throws<HookMapException>(() => new HookMap(
            [new HookPoint(HookName.Parse("logits"), "a", HookLayout.Logits), new HookPoint(HookName.Parse("logits"), "b", HookLayout.Logits)], new HookConfig("t", 0, 0, 0, 0, 0, 0)));
        Assert.Contains("'logits' is defined twice", e.Message);
    }

    [Fact]
    public void Every_family_has_a_documented_layout_in_docs_hooks_md()
    {
        var doc = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "hooks.md"));
        foreach (var (template, layout) in HookNames.Families)
            Assert.Contains($"| `{template}` | `{layout}` |", doc);
    }

    [ExternalModelFact]
    public void The_distilbert_hook_map_resolves_and_its_patterns_are_bidirectional_distributions()
    {
        var m = HookedModel.Load(TestPaths.External("optimum_tiny_distilbert_sst2.onnx"), DistilBertMap);
        Assert.Equal(new HookConfig("distilbert", 2, 2, 2, 1, 2, 30522, 512, false, "LNPost", 1e-12), m.Map.Config);
        Assert.Equal(2, m.Map.Select("blocks.*.attn.hook_pattern").Count);
        var graphHooks = m.Map.Points.Where(p => !p.IsPending).ToList();
        var caps = Capture(m, graphHooks, Feeds.Random(m.Model.Graph, 3, batch: 2, seq: 5));
        foreach (var p in m.Map.Select("blocks.*.attn.hook_pattern"))
            HookIdentityTests.AssertCausalDistributions(caps[p.Name], causal: false);
        var sizes = new Dictionary<string, long> { ["batch"] = 2, ["pos"] = 5, ["q_pos"] = 5, ["k_pos"] = 5, ["head"] = 2, ["d_head"] = 1, ["d_model"] = 2, ["d_mlp"] = 2, ["class"] = 2, ["1"] = 1 };
        foreach (var p in graphHooks)
            Assert.True(p.Layout.Axes.Select(a => sizes[a]).SequenceEqual(caps[p.Name].Shape), $"{p.Name}: {p.Layout} vs [{string.Join(", ", caps[p.Name].Shape)}]");
        Assert.Equal("distilbert.transformer.layer.1.attention.out_lin.bias", m.Map.Parameter("blocks.1.attn.b_O").Tensor);
    }

    [ExternalModelFact]
    public void A_hook_map_model_derives_per_head_results_that_sum_to_its_attention_output()
    {
        var m = HookedModel.Load(TestPaths.External("optimum_tiny_distilbert_sst2.onnx"), DistilBertMap);
        Assert.True(m.Map["blocks.1.attn.hook_result"].IsPending); // found from hook_z and the out projection behind hook_attn_out
        var feeds = Feeds.Random(m.Model.Graph, 5, batch: 2, seq: 5);
        var before = Capture(m, m.Map.Select("blocks.*.hook_attn_out"), feeds);
        var ready = m.WithDerived("blocks.*.attn.hook_result");
        var after = Capture(ready, ready.Map.Select("blocks.*.attn.hook_result"), feeds);
        Feeds.AssertClose(before["output:logits"], after["output:logits"], 1e-5); // recomputing attn_out changes nothing downstream

        // The sum over heads plus b_O, in C#, is the original model's attention output.
        for (int l = 0; l < 2; l++)
        {
            var result = after[$"blocks.{l}.attn.hook_result"];
            Assert.Equal([2, 5, 2, 2], result.Shape); // [batch, pos, head, d_model]
            var bias = Weight(m.Model, m.Map.Parameter($"blocks.{l}.attn.b_O").Tensor);
            var attnOut = before[$"blocks.{l}.hook_attn_out"];
            for (int b = 0; b < 2; b++)
                for (int p = 0; p < 5; p++)
                    for (int d = 0; d < 2; d++)
                        AssertClose(attnOut.At(b, p, d), result.At(b, p, 0, d) + result.At(b, p, 1, d) + bias[d], 1e-5, $"layer {l} [{b}, {p}, {d}]");
        }
    }

    [ExternalModelFact]
    public void Hook_map_errors_name_the_hook_and_what_is_wrong()
    {
        var model = OnnxModel.Load(TestPaths.External("optimum_tiny_distilbert_sst2.onnx"));
        AssertMapError(model, """{"hooks": {"blocks.0.hook_attn_out": {"op": "Add"}}}""", "hook 'blocks.0.hook_attn_out'", "nodes match", "add \"index\"");
        AssertMapError(model, """{"hooks": {"hook_embed": {"op": "Gather", "reeds": "x"}}}""", "unknown pattern field \"reeds\"");
        AssertMapError(model, """{"hooks": {"my_hook": "53"}}""", "hook 'my_hook'", "give its \"layout\"");
        AssertMapError(model, """{"hooks": {"blocks.01.my hook": "53"}}""", "hook 'blocks.01.my hook'", "not a hook name");
        AssertMapError(model, """{"hooks": {"hook_embed": "pre_classifier.weight"}}""", "is a weight (initializer)");
        AssertMapError(model, """{"hooks": {"blocks.{l}.attn.hook_pattern": {"op": "Softmax", "index": "{l}"}}}""", "config.n_layers must be set");
        AssertMapError(model, """{"config": {"n_layers": 3}, "hooks": {"blocks.{l}.attn.hook_pattern": {"op": "Softmax", "index": "{l}"}}}""",
            "hook 'blocks.2.attn.hook_pattern'", "index 2 is out of range: 2 nodes match");
        AssertMapError(model, """{"hooks": {"logits": "no_such_tensor"}}""", "no tensor 'no_such_tensor'");
        AssertMapError(model, "{ not json", "is not valid JSON");
    }

    [ExternalModelFact]
    public void A_hook_map_can_use_scopes_and_literal_tensor_names()
    {
        var model = OnnxModel.Load(TestPaths.External("genai_tiny_random_gpt2_fp32_past.onnx"));
        using var dir = new TempDir();
        var file = dir.File("map.json");
        File.WriteAllText(file, """
            { "config": { "n_layers": 5 },
              "hooks": { "blocks.{l}.hook_attn_out": { "op": "MatMul", "scope": "GptAttention_{l}_matmul" },
                         "logits": "logits" } }
            """);
        var map = HookMap.FromJson(file, model);
        Assert.Equal("GptAttention_3_matmul_output", map["blocks.3.hook_attn_out"].Tensor);
        Assert.Equal(HookLayout.Logits, map["logits"].Layout);
        Assert.Equal("hook map map.json", map.Source);
    }

    static void AssertMapError(OnnxModel model, string json, params string[] expected)
    {
        using var dir = new TempDir();
        var file = dir.File("bad.hookmap.json");
        File.WriteAllText(file, json);
        var e = Assert.Throws<HookMapException>(() => HookMap.FromJson(file, model));
        foreach (var text in expected) Assert.Contains(text, e.Message);
    }
}
