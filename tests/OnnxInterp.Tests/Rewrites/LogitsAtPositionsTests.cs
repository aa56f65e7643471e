using OnnxInterp.Graph;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;
using static OnnxInterp.Tests.Hooks.HookTestSupport;

namespace OnnxInterp.Tests.Rewrites;

/// <summary>Logits computed only at chosen positions equal the full logits at those positions.</summary>
public class LogitsAtPositionsTests
{
    [ToyModelTheory]
    [InlineData("tiny-gpt2.onnx")]    // tied unembedding: MatMul(x, Transpose(wte)) is repeated on the gathered rows
    [InlineData("attn-only-2l.onnx")] // MatMul + Add(b_U)
    public void Gathered_logits_equal_the_full_logits_at_those_positions(string file)
    {
        var model = OnnxModel.Load(Toy(file)!);
        var feeds = Feeds.Random(model.Graph, seed: 3, batch: 2, seq: 6);
        var full = Outputs(model, feeds)["logits"];

        long[] positions = [5, 1, 5];
        var result = LogitsAtPositions.Apply(model, "logits", "read_positions", "logits_read");
        Assert.Equal(["logits_read"], result.Model.Graph.Outputs); // the full [batch, pos, vocab] product is gone
        var gathered = Outputs(result.Model, [.. feeds, NamedTensor.Int64("read_positions", [positions.Length], positions)])["logits_read"];

        long vocab = full.Shape[2];
        Assert.Equal([2, positions.Length, vocab], gathered.Shape);
        var f = full.ToFloats();
        var g = gathered.ToFloats();
        for (int b = 0; b < 2; b++)
            for (int i = 0; i < positions.Length; i++)
                for (long v = 0; v < vocab; v += 97)
                    AssertClose(f[Index(full.Shape, b, positions[i], v)], g[Index(gathered.Shape, b, i, v)], 1e-5, $"[{b}, {positions[i]}, {v}]");
    }
}
