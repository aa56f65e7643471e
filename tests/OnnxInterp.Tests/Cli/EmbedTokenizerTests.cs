using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Tokenizers;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Cli;

/// <summary>
/// rewrite --embed-tokenizer: the written model takes raw strings. Run through ONNX Runtime with the Extensions registered,
/// it must give the logits the original model gives for Microsoft.ML.Tokenizers' ids of the same text (after BOS), row by row
/// for a batch of texts of different lengths (so the tokenizer's ids, the BOS, the mask and the positions all agree).
/// </summary>
public sealed class EmbedTokenizerTests
{
    static readonly string[] Texts =
    [
        "When Mary and John went to the store, John gave a drink to",
        "Café prices rose 12%  in 2024 - didn't they?",
    ];

    [Fact]
    public void A_model_with_the_tokenizer_embedded_matches_the_original_fed_microsoft_ml_tokenizers_ids()
    {
        using var scratch = new CliScratch();
        var original = Path.Combine(TestPaths.OnnxModels, "tiny-gpt2.onnx");
        var rewritten = scratch["tiny-gpt2-text.onnx"];
        var result = CliHarness.Run("rewrite", original, "--embed-tokenizer", "-o", rewritten);
        Assert.True(result.ExitCode == 0, result.ToString());

        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        options.RegisterOrtExtensions();
        using var withText = new InferenceSession(rewritten, options);
        Assert.Equal(["text"], withText.InputMetadata.Keys);
        using var textOutputs = withText.Run([NamedOnnxValue.CreateFromTensor("text", new DenseTensor<string>(Texts, [Texts.Length]))]);
        var textLogits = textOutputs.First(o => o.Name == "logits").AsTensor<float>();

        var tokenizer = TiktokenTokenizer.CreateForModel("gpt2");
        using var plain = new InferenceSession(original, new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL });
        for (int row = 0; row < Texts.Length; row++)
        {
            long[] ids = [50256, .. tokenizer.EncodeToIds(Texts[row]).Select(i => (long)i)];
            int n = ids.Length;
            var feeds = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, [1, n])) };
            if (plain.InputMetadata.ContainsKey("attention_mask"))
                feeds.Add(NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(Enumerable.Repeat(1L, n).ToArray(), [1, n])));
            if (plain.InputMetadata.ContainsKey("position_ids"))
                feeds.Add(NamedOnnxValue.CreateFromTensor("position_ids", new DenseTensor<long>(Enumerable.Range(0, n).Select(i => (long)i).ToArray(), [1, n])));
            using var outputs = plain.Run(feeds);
            var logits = outputs.First(o => o.Name == "logits").AsTensor<float>();
            int vocab = logits.Dimensions[2];
            Assert.True(textLogits.Dimensions[1] >= n, $"row {row}: the embedded tokenizer gave {textLogits.Dimensions[1]} positions, Microsoft.ML.Tokenizers {n} (with BOS)");
            for (int p = 0; p < n; p++)
                for (int v = 0; v < vocab; v += 97)
                    Assert.True(Math.Abs(logits[0, p, v] - textLogits[row, p, v]) < 1e-3, $"row {row} position {p} token {v}: {logits[0, p, v]} vs {textLogits[row, p, v]}");
        }
    }

    [Fact]
    public void A_four_dimensional_mask_is_built_left_to_right_over_the_real_tokens()
    {
        // The Megatron fixture's vocabulary is GPT-2's first 96 ids (single characters), so texts of rare character pairs
        // tokenize inside it; no BOS (50256 is outside it). Rows of two lengths: the shorter is right-padded.
        string[] texts = ["Qz!Xq", "Zq#Jx@Kv"];
        var tokenizer = TiktokenTokenizer.CreateForModel("gpt2");
        var ids = texts.Select(t => tokenizer.EncodeToIds(t).Select(i => (long)i).ToArray()).ToArray();
        Assert.All(ids, row => Assert.All(row, id => Assert.InRange(id, 0, 95)));
        Assert.NotEqual(ids[0].Length, ids[1].Length);

        var original = Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "torch", "megatron-gpt2-opset13.onnx");
        using var scratch = new CliScratch();
        var rewritten = scratch["megatron-text.onnx"];
        var (vocab, merges) = OnnxInterp.Analysis.Gpt2BpeFiles.Create();
        OnnxInterp.Rewrites.EmbedTokenizer.Apply(OnnxInterp.Graph.OnnxModel.Load(original), vocab, merges, bos: null).Model.Save(rewritten);

        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        options.RegisterOrtExtensions();
        using var withText = new InferenceSession(rewritten, options);
        using var textOutputs = withText.Run([NamedOnnxValue.CreateFromTensor("text", new DenseTensor<string>(texts, [texts.Length]))]);
        var textLogits = textOutputs.First(o => o.Name == "logits").AsTensor<float>();

        using var plain = new InferenceSession(original, new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL });
        for (int row = 0; row < texts.Length; row++)
        {
            int n = ids[row].Length;
            // Megatron's mask, written out: lower-triangular ones [1, 1, n, n].
            var mask = new float[n * n];
            for (int i = 0; i < n; i++) for (int j = 0; j <= i; j++) mask[i * n + j] = 1;
            using var outputs = plain.Run([
                NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids[row], [1, n])),
                NamedOnnxValue.CreateFromTensor("position_ids", new DenseTensor<long>(Enumerable.Range(0, n).Select(i => (long)i).ToArray(), [1, n])),
                NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<float>(mask, [1, 1, n, n]))]);
            var logits = outputs.First(o => o.Name == "logits").AsTensor<float>();
            for (int p = 0; p < n; p++)
                for (int v = 0; v < 96; v++)
                    Assert.True(Math.Abs(logits[0, p, v] - textLogits[row, p, v]) < 1e-4, $"row {row} position {p} token {v}: {logits[0, p, v]} vs {textLogits[row, p, v]}");
        }
    }
}
