using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Analysis.Paths;
using OnnxInterp.Cli;
using OnnxInterp.Hooks;
using OnnxInterp.Tests.Cli;
using OnnxInterp.Tests.Hooks;

namespace OnnxInterp.Tests.Paths;

/// <summary>ACDC on the induction model: the circuit it keeps is small, behaves like the model, and is the induction circuit.</summary>
public sealed class CircuitDiscoveryTests
{
    /// <summary>
    /// Clean: BOS, 8 random tokens, the same 8 again; corrupted: the first half replaced by other random tokens, so the
    /// repeated tokens have no earlier occurrence to attend to (the keys change, the queries do not).
    /// </summary>
    static IReadOnlyList<PromptPair> Repeats(int count, int vocab)
    {
        var random = new Random(5);
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            var first = Enumerable.Range(0, 8).Select(_ => (long)random.Next(1, vocab)).ToArray();
            var other = Enumerable.Range(0, 8).Select(_ => (long)random.Next(1, vocab)).ToArray();
            return new PromptPair([0, .. first, .. first], [0, .. other, .. first], -1, Position: 12); // the 4th repeated token: induction predicts the 5th
        })];
    }

    [ToyModelFact("attn-only-2l.onnx")]
    public void Acdc_keeps_the_induction_circuit_of_the_two_layer_model()
    {
        var model = HookedModel.Load(HookTestSupport.Toy("attn-only-2l.onnx")!);
        var result = CircuitDiscovery.Run(model, new DiscoveryRequest(Repeats(3, model.Map.DVocab), 0.05, MetricKind.Kl));

        Assert.Equal(0, result.Full, 9);                       // KL of the full model from itself
        Assert.True(result.Corrupted > 1, $"corrupting the repeat should change the prediction: KL {result.Corrupted}");
        Assert.True(result.Circuit < 0.25 * result.Corrupted, $"the circuit should behave like the model: KL {result.Circuit} vs {result.Corrupted} corrupted");
        Assert.True(result.Kept.Count < result.TotalEdges / 3, $"kept {result.Kept.Count} of {result.TotalEdges} edges");
        // The previous-token head feeds some layer-1 head's key, and layer-1 heads write the logits.
        Assert.Contains(result.Kept, e => e.Sender.Name == "L0H3" && e.Receiver.Name.StartsWith("L1H") && e.Receiver.Name.EndsWith("_k"));
        Assert.Contains(result.Kept, e => e.Sender.Name.StartsWith("L1H") && e.Receiver.Name == "logits");
        Assert.Equal(result.TotalEdges, result.Tests.Count);
        Assert.Equal(result.TotalEdges - result.Kept.Count, result.Tests.Count(t => t.Removed));
    }

    [ToyModelFact("attn-only-2l.onnx")]
    public void Discover_writes_dot_and_json_and_refuses_a_bad_threshold()
    {
        using var scratch = new CliScratch();
        var model = HookTestSupport.Toy("attn-only-2l.onnx")!;
        const string a = "301,58,422,97,233,17,390,145", b = "150,33,260,480,77,299,412,66";
        var result = CliHarness.Run("discover", model, "--clean-tokens", $"0,{a},{a}", "--corrupted-tokens", $"0,{b},{a}",
            "--pos", "12", "--threshold", "0.1", "--device", "cpu", "-o", scratch["out"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var dot = File.ReadAllText(Path.Combine(scratch["out"], "circuit.dot"));
        Assert.StartsWith("digraph circuit", dot);
        Assert.Contains("\"L0H3\" -> \"L1H3\" [label=\"k\"]", dot);
        Assert.Contains("-> \"logits\"", dot);
        Assert.True(File.Exists(Path.Combine(scratch["out"], "discover.json")));
        CliHarness.Fails(ExitCodes.Usage, ["--threshold"], "discover", model, "--clean-tokens", "0,1,2", "--corrupted-tokens", "0,1,3", "--threshold", "-1");
        // A threshold above every edge's effect removes them all: an empty circuit is an error, not a result.
        CliHarness.Fails(ExitCodes.Usage, ["circuit is empty", "Lower the threshold"], "discover", model, "--clean-tokens", $"0,{a},{a}", "--corrupted-tokens", $"0,{b},{a}",
            "--pos", "12", "--threshold", "100", "--device", "cpu", "--quiet");
    }
}
