using OnnxInterp.Graph;
using OnnxInterp.Runtime;

namespace OnnxInterp.Tests.Support;

/// <summary>
/// Seeded random feeds for any model: token-like ints in [0, 8) (every shipped and external vocab is larger),
/// masks of ones, floats in [-1, 1). Three positions by default: modadd-p113's whole context is "a b =".
/// </summary>
public static class Feeds
{
    /// <summary>
    /// The scalar inputs of ONNX Runtime's BeamSearch/GreedySearch, fed values the op accepts (max_length is the prompt
    /// length plus this many tokens), so generation pipelines run like every other model.
    /// </summary>
    static readonly Dictionary<string, double> SearchSettings = new()
    {
        ["max_length"] = 4, ["min_length"] = 0, ["num_beams"] = 2, ["num_return_sequences"] = 1, ["length_penalty"] = 1, ["repetition_penalty"] = 1,
    };

    public static IReadOnlyList<NamedTensor> Random(OnnxGraph graph, int seed = 1, long batch = 2, long seq = 3)
    {
        var rng = new Random(seed);
        var feeds = new List<NamedTensor>();
        foreach (var d in DefaultFeeds.For(graph, seq, new Dictionary<string, long> { ["batch"] = batch, ["batch_size"] = batch }))
        {
            bool mask = d.Name.Contains("mask", StringComparison.OrdinalIgnoreCase);
            Array data = d.Data switch
            {
                long[] a => a.Select(_ => mask ? 1L : rng.Next(8)).ToArray(),
                int[] a => a.Select(_ => mask ? 1 : rng.Next(8)).ToArray(),
                float[] a => a.Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray(),
                _ => d.Data,
            };
            if (SearchSettings.TryGetValue(d.Name, out var setting) && d.Shape is [1])
                data = d.Data is float[] ? new[] { (float)setting } : new[] { (int)(d.Name == "max_length" ? seq + setting : setting) };
            feeds.Add(d with { Data = data });
        }
        return feeds;
    }

    public static void AssertClose(NamedTensor expected, NamedTensor actual, double tolerance)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToFloats();
        var a = actual.ToFloats();
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tolerance * (1 + Math.Abs(e[i])),
                $"{expected.Name}[{i}]: expected {e[i]}, got {a[i]} (tolerance {tolerance})");
    }

    public static void AssertBitIdentical(NamedTensor expected, NamedTensor actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToFloats();
        var a = actual.ToFloats();
        for (int i = 0; i < e.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(e[i]) == BitConverter.SingleToInt32Bits(a[i]), $"{expected.Name}[{i}]: {e[i]} vs {a[i]} are not bit-identical");
    }
}
