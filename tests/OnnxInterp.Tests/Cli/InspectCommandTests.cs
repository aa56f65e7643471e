using System.Text.Json;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Cli;

public class InspectCommandTests
{
    [ExternalModelTheory]
    [ClassData(typeof(ExternalModels))]
    public void Inspect_json_counts_match_the_file(string file)
    {
        var path = TestPaths.External(file);
        var proto = CliTestModels.Load(path);
        var result = CliHarness.Run("inspect", path, "--json", "--device", "cpu");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;

        Assert.Equal(proto.Graph.Node.Count, root.GetProperty("nodeCount").GetInt32());
        Assert.Equal(proto.Graph.Initializer.Count, root.GetProperty("initializerCount").GetInt32());
        Assert.Equal(proto.IrVersion, root.GetProperty("irVersion").GetInt64());
        Assert.Equal(proto.ProducerName, root.GetProperty("producer").GetString());
        Assert.Equal(proto.Graph.Node.Count, root.GetProperty("opHistogram").EnumerateObject().Sum(p => p.Value.GetInt32()));
        var initializers = proto.Graph.Initializer.Select(i => i.Name).ToHashSet();
        Assert.Equal(proto.Graph.Input.Select(i => i.Name).Where(n => !initializers.Contains(n)),
                     root.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        Assert.Equal(proto.Graph.Output.Select(o => o.Name), root.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()));

        // --json lists every tensor a node computes, each with a measured type, then those only the hooked model has.
        var computed = proto.Graph.Node.SelectMany(n => n.Output).Where(o => o.Length > 0).Distinct().ToList();
        var exposable = root.GetProperty("exposable").EnumerateArray().ToList();
        int hookedOnly = root.GetProperty("hookedOnlyCount").GetInt32();
        Assert.Equal(computed.Count + hookedOnly, root.GetProperty("exposableCount").GetInt32());
        Assert.Equal(computed, exposable.Take(computed.Count).Select(e => e.GetProperty("name").GetString()));
        Assert.All(exposable.Skip(computed.Count), e => Assert.DoesNotContain(e.GetProperty("name").GetString(), computed));
        if (file == "genai_tiny_random_gpt2_fp32_past.onnx") Assert.True(hookedOnly > 100); // the unfused attention's insides
        Assert.True(root.GetProperty("typesMeasured").GetBoolean());
        Assert.All(exposable.Where(e => !e.GetProperty("name").GetString()!.Contains("::")), e => Assert.True(e.TryGetProperty("measured", out _)));
        // The hook table appears exactly when a recogniser understood the model; DistilBERT needs a hook map.
        Assert.Equal(file != "optimum_tiny_distilbert_sst2.onnx", root.TryGetProperty("hooks", out _));
    }

    [ExternalModelFact]
    public void Inspect_shows_a_wrong_declared_shape_next_to_the_measured_one()
    {
        var result = CliHarness.Run("inspect", TestPaths.External("ort_gpt2model_pt13_opset11_nopast.onnx"), "--json", "--device", "cpu");
        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var output = json.RootElement.GetProperty("outputs")[0];
        Assert.Equal("hidden_states", output.GetProperty("name").GetString());
        Assert.Equal(768, output.GetProperty("declared").GetProperty("shape")[2].GetInt64());
        Assert.Equal(4, output.GetProperty("measured").GetProperty("shape")[2].GetInt64());
        Assert.True(output.GetProperty("declarationDisagrees").GetBoolean());

        var text = CliHarness.Run("inspect", TestPaths.External("ort_gpt2model_pt13_opset11_nopast.onnx"), "--device", "cpu");
        Assert.Contains("float[?, ?, 4]  (measured; the file declares float[batch_size, seq_len, 768])", text.Out);
        Assert.Contains("tensors you can expose (2874; the last 2 exist only in the hooked model, first 20 shown", text.Out); // 2872 in the file + the hook_pos_embed expansion
    }

    [Fact]
    public void Inspect_text_reports_format_ops_and_weights_of_a_built_model()
    {
        using var scratch = new CliScratch();
        var model = CliTestModels.TokenModel(scratch["tiny.onnx"], vocab: 300, dModel: 4);
        var result = CliHarness.Run("inspect", model, "--device", "cpu", "--list", "0");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("IR version 8, producer cli-tests, opsets ai.onnx 17", result.Out);
        Assert.Contains("7 nodes, 4 initializers (9.9 KiB), external data: no", result.Out);
        Assert.Contains("Gather 2", result.Out);
        Assert.Contains("tensors you can expose (7)", result.Out);
        Assert.Contains("resid", result.Out);
        Assert.Contains("float[?, ?, 300]", result.Out);
    }

    [Fact]
    public void Inspect_without_probe_shows_declared_types_only()
    {
        using var scratch = new CliScratch();
        var model = CliTestModels.TokenModel(scratch["tiny.onnx"], vocab: 300, dModel: 4);
        var result = CliHarness.Run("inspect", model, "--json", "--no-probe");
        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.False(json.RootElement.GetProperty("typesMeasured").GetBoolean());
        Assert.All(json.RootElement.GetProperty("exposable").EnumerateArray(), e => Assert.False(e.TryGetProperty("measured", out _)));
    }

    [Theory]
    [InlineData("inspect", "--no-probe")]
    [InlineData("run", "--top-k")]
    [InlineData("cache", "--expose")]
    [InlineData("rewrite", "--patch")]
    public void Every_verb_has_help(string verb, string option)
    {
        var result = CliHarness.Run(verb, "--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"onnxinterp {verb}", result.Out);
        Assert.Contains(option, result.Out);
        Assert.Contains("--device", result.Out);
        Assert.Equal("", result.Error);
    }
}
