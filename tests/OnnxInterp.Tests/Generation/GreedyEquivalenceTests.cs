using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Generation;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Generation;

/// <summary>
/// Greedy generation through the engine, on every tiny-gpt2 layout, equals greedy decoding by repeated full forward passes
/// through a plain session on the no-past file, token for token, with the same per-step probabilities.
/// </summary>
public sealed class GreedyEquivalenceTests
{
    const int NewTokens = 12;
    static readonly IReadOnlyList<long> Prompt = InterpModel.Tokenize("When Mary and John went to the store, John gave a drink to");

    static (List<long> Tokens, List<double> Probabilities) Reference() => PlainGreedy.Generate(HookTestSupport.Toy("tiny-gpt2.onnx")!, Prompt, NewTokens);

    static GenerationResult Generate(string file, bool usePast = true)
    {
        using var generator = Generator.Load(HookTestSupport.Toy(file)!);
        return generator.Generate(new GenerationRequest([new GenerationRow(Prompt)], NewTokens, StopTokens: [], UsePast: usePast));
    }

    static void AssertSame((List<long> Tokens, List<double> Probabilities) expected, GeneratedSequence actual)
    {
        Assert.Equal(expected.Tokens, actual.NewTokens);
        for (int i = 0; i < NewTokens; i++)
            Assert.True(Math.Abs(expected.Probabilities[i] - actual.Steps[i].Probability) < 1e-4, $"step {i}: p {expected.Probabilities[i]} vs {actual.Steps[i].Probability}");
    }

    [ToyModelFact("tiny-gpt2-past.onnx")]
    public void Past_graph_decoding_equals_full_forward_passes_on_the_no_past_file()
    {
        var result = Generate("tiny-gpt2-past.onnx");
        Assert.True(result.UsedPast);
        // One plan per step: the prompt, then one token at a time.
        Assert.Equal(NewTokens, result.Plans);
        AssertSame(Reference(), result[0]);
    }

    [ToyModelFact("tiny-gpt2-merged.onnx")]
    public void Merged_decoder_decodes_with_its_with_past_branch_inlined()
    {
        var result = Generate("tiny-gpt2-merged.onnx");
        Assert.True(result.UsedPast);
        AssertSame(Reference(), result[0]);
    }

    [ToyModelFact("tiny-gpt2.onnx")]
    public void A_graph_without_past_recomputes_and_equals_the_plain_session()
    {
        var result = Generate("tiny-gpt2.onnx");
        Assert.False(result.UsedPast);
        AssertSame(Reference(), result[0]);
    }

    [ToyModelFact("tiny-gpt2-past.onnx")]
    public void Full_recomputation_on_the_past_graph_gives_the_same_tokens()
    {
        var result = Generate("tiny-gpt2-past.onnx", usePast: false);
        Assert.False(result.UsedPast);
        AssertSame(Reference(), result[0]);
    }

    [ToyModelFact("tiny-gpt2-past.onnx")]
    public void Rows_of_different_lengths_decode_side_by_side_as_each_would_alone()
    {
        var shorter = InterpModel.Tokenize("Then Alice and Bob met, and Bob thanked");
        using var generator = Generator.Load(HookTestSupport.Toy("tiny-gpt2-past.onnx")!);
        var result = generator.Generate(new GenerationRequest([new GenerationRow(Prompt), new GenerationRow(shorter)], 5, StopTokens: []));
        Assert.NotEqual(Prompt.Count, shorter.Count);
        // Two lengths: one plan per length per step.
        Assert.Equal(10, result.Plans);
        Assert.Equal(PlainGreedy.Generate(HookTestSupport.Toy("tiny-gpt2.onnx")!, Prompt, 5).Tokens, result[0].NewTokens);
        Assert.Equal(PlainGreedy.Generate(HookTestSupport.Toy("tiny-gpt2.onnx")!, shorter, 5).Tokens, result[1].NewTokens);
    }

    [ExternalModelFact]
    public void Ort_past_layout_decoding_equals_full_forward_passes_on_the_same_file()
    {
        // ORT's GPT-2 tooling: fused Attention with past_N [2, batch, heads, past, d_head], int32 ids, vocabulary 1000.
        var path = TestPaths.External("genai_tiny_random_gpt2_fp32_past.onnx");
        long[] prompt = [5, 17, 250, 3, 99, 7];
        var expected = PlainGreedy.Generate(path, prompt, 8);
        using var generator = Generator.Load(path);
        Assert.NotNull(generator.Past);
        Assert.Equal(3, generator.Past!.Slots[0].SequenceAxis);
        // Two rows side by side: the ORT past inputs are joined along their batch axis (1), not axis 0.
        var result = generator.Generate(new GenerationRequest([new GenerationRow(prompt), new GenerationRow(prompt)], 8, StopTokens: []));
        Assert.True(result.UsedPast);
        Assert.Equal(expected.Tokens, result[0].NewTokens);
        Assert.Equal(expected.Tokens, result[1].NewTokens);
        for (int i = 0; i < 8; i++) Assert.True(Math.Abs(expected.Probabilities[i] - result[0].Steps[i].Probability) < 1e-4);
    }
}
