using OnnxInterp.ModelForge.Export;
using OnnxInterp.ModelForge.Measure;
using OnnxInterp.ModelForge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace OnnxInterp.ModelForge.Tests;

/// <summary>
/// Every exported layout computes what the TorchSharp model computes: ONNX Runtime logits (and present
/// keys/values) equal TorchSharp's forward on the same inputs, within <see cref="ParityAssert"/>'s tolerance.
/// </summary>
public sealed class ExportParityTests : IDisposable
{
    readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void AttnOnlyExportMatchesTorchSharp()
    {
        using var weights = RandomModels.Create(RandomModels.SmallAttnOnly, 11);
        var path = _folder.File("attn.onnx");
        ModelExporter.WriteSingle(weights, path);
        var tokens = RandomModels.Tokens(3, 12, weights.Config.Vocab, 1);
        using var runner = new OnnxRunner(path);
        ParityAssert.Close(TorchLogits(weights, tokens), runner.Logits(tokens).Data, "attn-only logits");
    }

    [Fact]
    public void ModAddExportMatchesTorchSharp()
    {
        using var weights = RandomModels.Create(RandomModels.SmallModAdd, 12);
        var path = _folder.File("modadd.onnx");
        ModelExporter.WriteSingle(weights, path);
        var tokens = RandomModels.Tokens(5, 2, 19, 2).Select(r => new[] { r[0], r[1], 19 }).ToArray();
        using var runner = new OnnxRunner(path);
        ParityAssert.Close(TorchLogits(weights, tokens), runner.Logits(tokens).Data, "modadd logits");
    }

    [Fact]
    public void ModAddLastPositionTrainingPathMatchesFullForward()
    {
        using var weights = RandomModels.Create(RandomModels.SmallModAdd, 13);
        using var _ = torch.no_grad();
        using var ids = Ids(RandomModels.Tokens(4, 3, 20, 3));
        using var full = TransformerForward.Logits(weights, ids).select(1, -1).contiguous();
        using var last = TransformerForward.Unembed(weights, TransformerForward.Hidden(weights, ids, lastPositionOnly: true)).squeeze(1).contiguous();
        ParityAssert.Close(full.data<float>().ToArray(), last.data<float>().ToArray(), "last-position-only forward");
    }

    [Theory]
    [InlineData("")]
    [InlineData(ModelExporter.Opset17Suffix)]
    public void Gpt2ExportsMatchTorchSharpWithPaddingMask(string suffix)
    {
        using var weights = RandomModels.Create(RandomModels.SmallGpt2, 21);
        var paths = ModelExporter.WriteGpt2Variants(weights, _folder.Path, "g");
        var tokens = RandomModels.Tokens(2, 9, weights.Config.Vocab, 4);
        // Row 1 is left-padded by two positions, so the additive mask term is exercised.
        long[] mask = [.. Enumerable.Repeat(1L, 9), 0, 0, .. Enumerable.Repeat(1L, 7)];
        long[] positions = [.. Enumerable.Range(0, 9).Select(p => (long)p), .. Enumerable.Range(0, 9).Select(p => (long)p)];
        using var runner = new OnnxRunner(_folder.File($"g{suffix}.onnx"));
        var ort = runner.Run(new Dictionary<string, (Array, long[])>
        {
            ["input_ids"] = (Flat(tokens), [2, 9]),
            ["attention_mask"] = (mask, [2, 9]),
            ["position_ids"] = (positions, [2, 9]),
        }, "logits")["logits"];
        using var _ = torch.no_grad();
        using var expected = TransformerForward.Logits(weights, Ids(tokens), torch.tensor(mask, [2, 9]), torch.tensor(positions, [2, 9]));
        ParityAssert.Close(expected.data<float>().ToArray(), ort.Data, $"gpt2{suffix} logits");
        Assert.Equal(5, paths.Length); // plain, opset17, past, merged, dynamo
    }

    [Theory]
    [InlineData(ModelExporter.PastSuffix)]
    [InlineData(ModelExporter.MergedSuffix)] // optimum's merged decoder, use_cache_branch = true
    public void Gpt2PastVariantContinuesAPrefixLikeTheFullSequence(string suffix)
    {
        using var weights = RandomModels.Create(RandomModels.SmallGpt2, 22);
        ModelExporter.WriteGpt2Variants(weights, _folder.Path, "g");
        var config = weights.Config;
        const int batch = 2, prefix = 7, rest = 5, total = prefix + rest;
        var tokens = RandomModels.Tokens(batch, total, config.Vocab, 5);
        using var _ = torch.no_grad();
        var pastPairs = new List<(Tensor Key, Tensor Value)>();
        using var prefixIds = Ids(tokens.Select(r => r[..prefix]).ToArray());
        TransformerForward.Logits(weights, prefixIds, presents: pastPairs).Dispose();
        var fullPresents = new List<(Tensor Key, Tensor Value)>();
        using var full = TransformerForward.Logits(weights, Ids(tokens), presents: fullPresents);

        var inputs = new Dictionary<string, (Array, long[])>
        {
            ["input_ids"] = (Flat(tokens.Select(r => r[prefix..]).ToArray()), [batch, rest]),
            ["attention_mask"] = (Enumerable.Repeat(1L, batch * total).ToArray(), [batch, total]),
            ["position_ids"] = (Enumerable.Range(0, batch).SelectMany(_ => Enumerable.Range(prefix, rest).Select(p => (long)p)).ToArray(), [batch, rest]),
        };
        for (int l = 0; l < config.Layers; l++)
        {
            inputs[$"past_key_values.{l}.key"] = (pastPairs[l].Key.contiguous().data<float>().ToArray(), pastPairs[l].Key.shape);
            inputs[$"past_key_values.{l}.value"] = (pastPairs[l].Value.contiguous().data<float>().ToArray(), pastPairs[l].Value.shape);
        }
        if (suffix == ModelExporter.MergedSuffix) inputs["use_cache_branch"] = (new[] { true }, [1]);
        var outputs = new List<string> { "logits" };
        for (int l = 0; l < config.Layers; l++) outputs.AddRange([$"present.{l}.key", $"present.{l}.value"]);
        using var runner = new OnnxRunner(_folder.File($"g{suffix}.onnx"));
        var ort = runner.Run(inputs, [.. outputs]);

        using var expectedLogits = full.narrow(1, prefix, rest).contiguous();
        ParityAssert.Close(expectedLogits.data<float>().ToArray(), ort["logits"].Data, "past-variant logits");
        for (int l = 0; l < config.Layers; l++)
        {
            ParityAssert.Close(fullPresents[l].Key.contiguous().data<float>().ToArray(), ort[$"present.{l}.key"].Data, $"present.{l}.key");
            ParityAssert.Close(fullPresents[l].Value.contiguous().data<float>().ToArray(), ort[$"present.{l}.value"].Data, $"present.{l}.value");
            Assert.Equal([batch, config.Heads, total, config.DHead], ort[$"present.{l}.key"].Shape);
        }
    }

    [Fact]
    public void Gpt2PastVariantWithEmptyPastEqualsPlainModel()
    {
        using var weights = RandomModels.Create(RandomModels.SmallGpt2, 23);
        ModelExporter.WriteGpt2Variants(weights, _folder.Path, "g");
        var tokens = RandomModels.Tokens(2, 6, weights.Config.Vocab, 6);
        var inputs = new Dictionary<string, (Array, long[])>
        {
            ["input_ids"] = (Flat(tokens), [2, 6]),
            ["attention_mask"] = (Enumerable.Repeat(1L, 12).ToArray(), [2, 6]),
            ["position_ids"] = (Enumerable.Range(0, 12).Select(i => (long)(i % 6)).ToArray(), [2, 6]),
        };
        using var plain = new OnnxRunner(_folder.File("g.onnx"));
        var expected = plain.Run(inputs, "logits")["logits"].Data;
        for (int l = 0; l < weights.Config.Layers; l++)
            foreach (var kind in new[] { "key", "value" })
                inputs[$"past_key_values.{l}.{kind}"] = (Array.Empty<float>(), [2, weights.Config.Heads, 0, weights.Config.DHead]);
        using var past = new OnnxRunner(_folder.File("g-past.onnx"));
        ParityAssert.Close(expected, past.Run(inputs, "logits")["logits"].Data, "empty-past logits");
    }

    [Fact]
    public void Gpt2DynamoLayoutMatchesTorchSharp()
    {
        using var weights = RandomModels.Create(RandomModels.SmallGpt2, 25);
        ModelExporter.WriteGpt2Variants(weights, _folder.Path, "g");
        var tokens = RandomModels.Tokens(2, 7, weights.Config.Vocab, 8);
        using var runner = new OnnxRunner(_folder.File($"g{ModelExporter.DynamoSuffix}.onnx"));
        // Positions come from the graph (arange over the sequence), so only ids and the mask are fed.
        var ort = runner.Run(new Dictionary<string, (Array, long[])>
        {
            ["input_ids"] = (Flat(tokens), [2, 7]),
            ["attention_mask"] = (Enumerable.Repeat(1L, 14).ToArray(), [2, 7]),
        }, "logits")["logits"];
        ParityAssert.Close(TorchLogits(weights, tokens), ort.Data, "dynamo-layout logits");
    }

    [Fact]
    public void Gpt2MergedVariantWithoutCacheRunsTheNoPastDecoderAndOutputsItsPresents()
    {
        using var weights = RandomModels.Create(RandomModels.SmallGpt2, 24);
        ModelExporter.WriteGpt2Variants(weights, _folder.Path, "g");
        var config = weights.Config;
        var tokens = RandomModels.Tokens(2, 6, config.Vocab, 7);
        using var _ = torch.no_grad();
        var presents = new List<(Tensor Key, Tensor Value)>();
        using var expected = TransformerForward.Logits(weights, Ids(tokens), presents: presents);
        var inputs = new Dictionary<string, (Array, long[])>
        {
            ["input_ids"] = (Flat(tokens), [2, 6]),
            ["attention_mask"] = (Enumerable.Repeat(1L, 12).ToArray(), [2, 6]),
            ["position_ids"] = (Enumerable.Range(0, 12).Select(i => (long)(i % 6)).ToArray(), [2, 6]),
            ["use_cache_branch"] = (new[] { false }, [1]),
        };
        // The no-past branch does not read the past inputs, but a merged model still declares them.
        for (int l = 0; l < config.Layers; l++)
            foreach (var kind in new[] { "key", "value" })
                inputs[$"past_key_values.{l}.{kind}"] = (Array.Empty<float>(), [2, config.Heads, 0, config.DHead]);
        using var merged = new OnnxRunner(_folder.File($"g{ModelExporter.MergedSuffix}.onnx"));
        var ort = merged.Run(inputs, ["logits", .. Enumerable.Range(0, config.Layers).Select(l => $"present.{l}.key")]);
        ParityAssert.Close(expected.data<float>().ToArray(), ort["logits"].Data, "merged no-past logits");
        for (int l = 0; l < config.Layers; l++)
            ParityAssert.Close(presents[l].Key.contiguous().data<float>().ToArray(), ort[$"present.{l}.key"].Data, $"merged present.{l}.key");
    }

    static float[] TorchLogits(TransformerWeights weights, int[][] tokens)
    {
        using var _ = torch.no_grad();
        using var ids = Ids(tokens);
        using var logits = TransformerForward.Logits(weights, ids);
        return logits.data<float>().ToArray();
    }

    static Tensor Ids(int[][] rows) => torch.tensor(Flat(rows), [rows.Length, rows[0].Length]);

    static long[] Flat(int[][] rows) => rows.SelectMany(r => r.Select(t => (long)t)).ToArray();
}
