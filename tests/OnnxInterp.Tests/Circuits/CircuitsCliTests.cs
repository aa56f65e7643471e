using System.Text.Json;
using OnnxInterp.Graph;
using OnnxInterp.Tests.Cli;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Circuits;

/// <summary><c>circuits</c> and <c>inspect --weights</c> through the CLI entry point: files, JSON, numbers, errors.</summary>
public class CircuitsCliTests
{
    static string AttnOnly2l => HookTestSupport.PathOf("onnx-models/attn-only-2l.onnx");

    [ToyModelFact("attn-only-2l.onnx")]
    public void Composition_and_copying_write_grids_and_report_the_previous_token_head_above_baseline()
    {
        using var dir = new TempDir();
        var r = CliHarness.Run("circuits", AttnOnly2l, "--composition", "--copying", "--samples", "50", "-o", dir.File("out"), "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        foreach (var file in new[] { "circuits.json", "composition-q.png", "composition-k.csv", "composition-v.png", "copying.csv", "copying.png" })
            Assert.True(File.Exists(Path.Combine(dir.File("out"), file)), $"{file} missing: {r}");
        using var json = JsonDocument.Parse(r.Out);
        var k = json.RootElement.GetProperty("composition").EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "K");
        double baseline = k.GetProperty("baselineMean").GetDouble();
        var l0h3 = k.GetProperty("pairs").EnumerateArray().Where(p => p.GetProperty("from").GetString() == "L0H3").ToList();
        Assert.Equal(4, l0h3.Count);
        Assert.All(l0h3, p => Assert.True(p.GetProperty("score").GetDouble() > 1.4 * baseline, p.ToString()));
        var copying = json.RootElement.GetProperty("copying").EnumerateArray().ToList();
        Assert.Equal(8, copying.Count);
        // The CSV grid: 4 writers (layer 0) x 4 readers (layer 1).
        var csv = File.ReadAllLines(Path.Combine(dir.File("out"), "composition-k.csv"));
        Assert.Contains(csv, l => l.Contains("L0H3") && l.Contains("L1H3") && l.Contains("0.258"));
    }

    [ToyModelFact("attn-only-2l.onnx")]
    public void Ov_lists_each_tokens_top_outputs_and_the_largest_is_the_entry_loops_give()
    {
        var r = CliHarness.Run("circuits", AttnOnly2l, "--ov", "--heads", "L1H2", "--tokens", "2,7", "--top", "3", "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var json = JsonDocument.Parse(r.Out);
        var head = Assert.Single(json.RootElement.GetProperty("ov").EnumerateArray());
        var row = head.GetProperty("top")[1];
        Assert.Equal(7, row.GetProperty("row").GetInt32());
        int best = row.GetProperty("columns")[0].GetInt32();
        double value = row.GetProperty("values")[0].GetDouble();
        // Row 7 of W_E W_V W_O W_U by loops over the raw initializers.
        var file = OnnxModel.Load(AttnOnly2l);
        var wE = RawWeights.Read(file, "embed.W_E");
        var qkv = RawWeights.Read(file, "blocks.1.attn.W_QKV");
        var wO = RawWeights.Read(file, "blocks.1.attn.W_O");
        var wU = RawWeights.Read(file, "unembed.W_U");
        var v = new double[16];
        for (int j = 0; j < 16; j++)
            for (int i = 0; i < 64; i++) v[j] += wE[7 * 64 + i] * qkv[i * 192 + 128 + 2 * 16 + j];
        var o = new double[64];
        for (int m = 0; m < 64; m++)
            for (int j = 0; j < 16; j++) o[m] += v[j] * wO[(2 * 16 + j) * 64 + m];
        var logits = new double[512];
        for (int t = 0; t < 512; t++)
            for (int m = 0; m < 64; m++) logits[t] += o[m] * wU[m * 512 + t];
        int expected = Array.IndexOf(logits, logits.Max());
        Assert.Equal(expected, best);
        Assert.Equal(logits[expected], value, 1e-4);
    }

    [ToyModelFact("tiny-gpt2.onnx")]
    public void Inspect_weights_lists_every_head_weight_with_its_source_and_derivation()
    {
        var r = CliHarness.Run("inspect", HookTestSupport.PathOf("onnx-models/tiny-gpt2.onnx"), "--weights", "--no-probe", "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var json = JsonDocument.Parse(r.Out);
        var rows = json.RootElement.GetProperty("weights").EnumerateArray().ToList();
        for (int l = 0; l < 4; l++)
            foreach (var w in new[] { "W_Q", "W_K", "W_V", "W_O", "b_Q", "b_K", "b_V", "b_O" })
                Assert.Contains(rows, e => e.GetProperty("name").GetString() == $"blocks.{l}.attn.{w}");
        var wK = rows.Single(e => e.GetProperty("name").GetString() == "blocks.2.attn.W_K");
        Assert.Equal("transformer.h.2.attn.c_attn.weight", wK.GetProperty("source").GetString());
        Assert.Equal([4L, 64, 16], wK.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()));
        Assert.Contains("columns 64..127 of 192", wK.GetProperty("derivation").GetString());
    }

    [ExternalModelFact]
    public void A_model_without_recorded_query_weights_fails_naming_the_head_without_a_stack_trace()
    {
        CliHarness.Fails(2, ["W_Q of layer 0 (head 0)", "MatMul", "--hook-map"],
            "circuits", TestPaths.External("optimum_tiny_distilbert_sst2.onnx"), "--hook-map",
            Path.Combine(TestPaths.RepoRoot, "docs", "examples", "distilbert.hookmap.json"), "--composition");
    }

    [ToyModelFact("attn-only-2l.onnx")]
    public void Circuits_without_an_analysis_is_a_usage_error()
    {
        CliHarness.Fails(2, ["--qk", "--ov", "--composition", "--copying"], "circuits", AttnOnly2l);
        CliHarness.Fails(2, ["L5H0", "layers 0..1"], "circuits", AttnOnly2l, "--qk", "--heads", "L5H0");
    }

    [ExternalModelFact]
    public void Inspect_weights_on_an_unrecognised_model_asks_for_a_hook_map()
    {
        CliHarness.Fails(2, ["--weights", "--hook-map"], "inspect", TestPaths.External("optimum_tiny_distilbert_sst2.onnx"), "--weights", "--no-probe");
    }
}
