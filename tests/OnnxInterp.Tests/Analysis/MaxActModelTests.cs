using OnnxInterp.Analysis;
using OnnxInterp.Analysis.MaxAct;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Analysis;

/// <summary>Max-activating examples on a real model: batched, padded streaming equals running every example alone and sorting.</summary>
public sealed class MaxActModelTests
{
    [ExternalModelFact]
    public void Streaming_top_k_equals_a_brute_force_sort_of_single_example_runs()
    {
        var model = HookedModel.Load(TestPaths.External("genai_tiny_random_gpt2_fp32_past.onnx"));
        var random = new Random(21);
        var lines = Enumerable.Range(0, 30).Select(_ => "[" + string.Join(",", Enumerable.Range(0, random.Next(2, 14)).Select(_ => random.Next(0, 1000))) + "]");
        var examples = TokenLines.Read(new StringReader(string.Join("\n", lines)), null, null, 64, 1000).ToList();
        MaxActTarget[] targets = [MaxActTarget.Parse("blocks.2.mlp.hook_post:11"), MaxActTarget.Head(3, 1, attention: false), MaxActTarget.Head(1, 2, attention: true)];
        using var capture = new HookCapture(model, targets.Select(t => t.Hook).Distinct(), Device.Cpu);

        var streamed = MaxActSearch.Run(examples, targets, capture.Run, new MaxActOptions(K: 6, BatchSize: 7));

        for (int t = 0; t < targets.Length; t++)
        {
            var all = new List<(long Example, int Position, double Value)>();
            foreach (var e in examples)
            {
                var alone = capture.Run([e.Tokens]);
                var values = new double[e.Tokens.Length];
                var keys = new int[e.Tokens.Length];
                targets[t].Activations(alone[targets[t].Hook], 0, e.Tokens.Length, values, keys);
                all.AddRange(values.Select((v, p) => (e.Index, p, v)).Where(x => !double.IsNaN(x.v)));
            }
            var expected = all.OrderByDescending(x => x.Value).ThenBy(x => x.Example).ThenBy(x => x.Position).Take(6).ToList();
            var got = streamed[t].Examples;
            Assert.Equal(expected.Select(x => (x.Example, x.Position)), got.Select(e => (e.Example, e.Position)));
            // Batched and single runs may round differently (other kernel shapes); 1e-5 is float32 noise for these magnitudes.
            for (int i = 0; i < got.Count; i++) Assert.Equal(expected[i].Value, got[i].Activation, 1e-5);
        }
    }
}
