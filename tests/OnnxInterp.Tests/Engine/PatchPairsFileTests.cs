using System.Text.Json;
using OnnxInterp.Cli;
using OnnxInterp.Tests.Cli;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Engine;

/// <summary><c>patch --pairs FILE.jsonl</c>: several pairs in one plan equal the mean of one-pair runs, and the JSON records every pair.</summary>
public sealed class PatchPairsFileTests
{
    static readonly (string Clean, string Corrupted, string Answer, string Wrong)[] Pairs =
    [
        ("When Mary and John went to the store, John gave a drink to", "When Alice and Bob went to the store, Bob gave a drink to", " Mary", " John"),
        ("When Tom and Anna went to the park, Anna gave a ball to", "When Paul and Lisa went to the park, Lisa gave a ball to", " Tom", " Anna"),
        ("When John and Sarah went to the office, John gave a book to", "When David and Emma went to the office, David gave a book to", " Sarah", " John"),
    ];

    [ToyModelFact("tiny-gpt2.onnx")]
    public void Pairs_from_a_file_equal_the_mean_of_one_pair_runs_and_are_all_recorded()
    {
        using var scratch = new CliScratch();
        var model = HookTestSupport.Toy("tiny-gpt2.onnx")!;
        var file = scratch["pairs.jsonl"];
        File.WriteAllLines(file, Pairs.Select(p => JsonSerializer.Serialize(new { clean = p.Clean, corrupted = p.Corrupted, answer = p.Answer, wrong = p.Wrong })));
        var all = Raw(CliHarness.Run("patch", model, "--pairs", file, "--sweep", "resid_pre", "--device", "cpu", "--json"), out var root);

        var recorded = root.GetProperty("promptPairs");
        Assert.Equal(3, recorded.GetArrayLength());
        Assert.Equal(" Tom", recorded[1].GetProperty("cleanText")[2].GetString());
        var single = Pairs.Select(p => Raw(CliHarness.Run("patch", model, "--clean", p.Clean, "--corrupted", p.Corrupted, "--answer", p.Answer, "--wrong", p.Wrong,
            "--sweep", "resid_pre", "--device", "cpu", "--json"), out _)).ToList();
        for (int i = 0; i < all.Length; i++)
            Assert.Equal(single.Average(s => s[i]), all[i], 4);
    }

    [ToyModelFact("tiny-gpt2.onnx")]
    public void A_bad_line_is_named()
    {
        using var scratch = new CliScratch();
        var file = scratch["pairs.jsonl"];
        File.WriteAllLines(file, [JsonSerializer.Serialize(new { clean = Pairs[0].Clean, corrupted = Pairs[0].Corrupted, answer = Pairs[0].Answer, wrong = Pairs[0].Wrong }), "", "{\"clean\": \"Hello\"}"]);
        CliHarness.Fails(ExitCodes.Usage, ["line 3", "corrupted"], "patch", HookTestSupport.Toy("tiny-gpt2.onnx")!, "--pairs", file, "--device", "cpu");
    }

    static double[] Raw(CliResult result, out JsonElement root)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        root = JsonDocument.Parse(result.Out).RootElement.Clone();
        return [.. root.GetProperty("sweeps")[0].GetProperty("raw").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => v.GetDouble())];
    }
}
