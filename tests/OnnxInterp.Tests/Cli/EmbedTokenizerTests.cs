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
}
