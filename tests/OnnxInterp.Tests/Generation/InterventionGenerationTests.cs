using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Generation;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Hooks;

namespace OnnxInterp.Tests.Generation;

/// <summary>Writes applied at every decoding step: neutral writes change nothing, steering moves the next token as measured, scopes follow positions.</summary>
public sealed class InterventionGenerationTests
{
    const string Hook = "blocks.1.hook_resid_pre";
    static readonly IReadOnlyList<long> Ioi = InterpModel.Tokenize("When Mary and John went to the store, John gave a drink to");
    static readonly long Mary = InterpModel.Tokenize(" Mary", false)[0], John = InterpModel.Tokenize(" John", false)[0];
    static readonly string[] Contexts =
    [
        "When Alice and Bob went to the store, Bob gave a drink to", "Then, Tom and Anna had a long argument. Afterwards Anna said to",
        "The teacher called", "After the game, the ball was given to", "She smiled at",
    ];

    static Generator Load(string file = "tiny-gpt2-past.onnx") => Generator.Load(HookTestSupport.Toy(file)!);

    static GeneratedSequence Run(Generator g, IReadOnlyList<long> prompt, IReadOnlyList<GenerationWrite> writes, int tokens = 8, bool usePast = true, int top = 5) =>
        g.Generate(new GenerationRequest([new GenerationRow(prompt, writes)], tokens, StopTokens: [], UsePast: usePast, TopAlternatives: top))[0];

    static NamedTensor MaryMinusJohn(Generator g) => SteeringVectors.DifferenceOfMeans(g.Engine, Hook,
        [.. Contexts.Select(c => InterpModel.Tokenize(c + " Mary"))], [.. Contexts.Select(c => InterpModel.Tokenize(c + " John"))]);

    static GenerationWrite Steer(NamedTensor vector, float alpha, WriteScope scope = WriteScope.All) =>
        new(new HookWrite(Hook, new WriteSource.Add(NamedTensor.Float("steer", vector.Shape, [.. vector.Floats.Select(x => x * alpha)]))), scope);

    static void AssertSameSequence(GeneratedSequence expected, GeneratedSequence actual, double tolerance)
    {
        Assert.Equal(expected.NewTokens, actual.NewTokens);
        for (int i = 0; i < expected.Steps.Count; i++)
            Assert.True(Math.Abs(expected.Steps[i].Probability - actual.Steps[i].Probability) <= tolerance, $"step {i}: {expected.Steps[i].Probability} vs {actual.Steps[i].Probability}");
    }

    static double P(GenerationStep step, long token) => step.Top.First(t => t.Id == token).Probability;

    [ToyModelFact("tiny-gpt2-past.onnx")]
    public void Alpha_zero_an_all_zero_vector_and_ablating_no_head_change_nothing()
    {
        using var g = Load();
        var plain = Run(g, Ioi, []);
        var vector = MaryMinusJohn(g);
        // Inactive or neutral write points reproduce the model bit for bit, so the steps are identical.
        AssertSameSequence(plain, Run(g, Ioi, [Steer(vector, 0f)]), 0);
        AssertSameSequence(plain, Run(g, Ioi, [Steer(NamedTensor.Float("zero", [64], new float[64]), 1f)]), 0);
        AssertSameSequence(plain, Run(g, Ioi, [new GenerationWrite(new HookWrite("blocks.2.attn.hook_z", WriteSource.Zeros, HookSlice.Of("head")))]), 0);
    }

    [ToyModelFact("tiny-gpt2-past.onnx")]
    public void A_name_steering_vector_raises_that_names_probability_and_minus_alpha_lowers_it()
    {
        using var g = Load();
        var vector = MaryMinusJohn(g);
        var baseline = Run(g, Ioi, [], tokens: 1, top: 50257).Steps[0];
        var plus = Run(g, Ioi, [Steer(vector, 1f)], tokens: 1, top: 50257).Steps[0];
        var minus = Run(g, Ioi, [Steer(vector, -1f)], tokens: 1, top: 50257).Steps[0];
        // Measured: P(Mary) 0.789 unsteered, 1.000 with +1, 0.000 with -1 (P(John) 0.208 -> 0.996).
        Assert.InRange(P(baseline, Mary), 0.75, 0.83);
        Assert.True(P(plus, Mary) - P(baseline, Mary) > 0.15, $"+alpha: P(Mary) {P(baseline, Mary)} -> {P(plus, Mary)}");
        Assert.True(P(baseline, Mary) - P(minus, Mary) > 0.5, $"-alpha: P(Mary) {P(baseline, Mary)} -> {P(minus, Mary)}");
        Assert.True(P(minus, John) > 0.9, $"-alpha: P(John) {P(minus, John)}");

        // Independently: the same vector added by a C# function at the hook over the whole prompt (graph cut, no write point).
        var logits = InterpModelFor(g).RunWithHooks(Ioi, (Hook, (x, _) =>
        {
            var data = (float[])x.Floats.Clone();
            for (int i = 0; i < data.Length; i++) data[i] += vector.Floats[i % 64];
            return x with { Data = data };
        }));
        var expected = NextTokenPrediction.TopK(NextTokenPrediction.LastPositionLogits(logits), 50257).First(t => t.Id == Mary).Probability;
        Assert.True(Math.Abs(expected - P(plus, Mary)) < 1e-4, $"hook function {expected} vs generation {P(plus, Mary)}");
    }

    static InterpModel InterpModelFor(Generator _) => CachedInterp.Value;
    static readonly Lazy<InterpModel> CachedInterp = new(() => InterpModel.Load(HookTestSupport.Toy("tiny-gpt2.onnx")!, device: Device.Cpu));

    [ToyModelFact("tiny-gpt2-past.onnx")]
    public void Steered_decoding_with_past_equals_steered_full_recomputation_in_every_scope()
    {
        using var g = Load();
        var vector = MaryMinusJohn(g);
        foreach (var scope in new[] { WriteScope.All, WriteScope.Prompt, WriteScope.NewTokens })
        {
            var past = Run(g, Ioi, [Steer(vector, 0.5f, scope)], tokens: 6);
            var full = Run(g, Ioi, [Steer(vector, 0.5f, scope)], tokens: 6, usePast: false);
            AssertSameSequence(full, past, 1e-4);
        }
    }

    [ToyModelFact("tiny-gpt2-past.onnx")]
    public void New_tokens_only_leaves_the_first_token_alone_and_prompt_only_changes_it()
    {
        using var g = Load();
        var vector = MaryMinusJohn(g);
        var plain = Run(g, Ioi, [], tokens: 3);
        var onNew = Run(g, Ioi, [Steer(vector, -1f, WriteScope.NewTokens)], tokens: 3);
        var onPrompt = Run(g, Ioi, [Steer(vector, -1f, WriteScope.Prompt)], tokens: 3);
        // The first token is read at the prompt's last position: a new-tokens-only write has not started yet.
        Assert.Equal(plain.Steps[0].Probability, onNew.Steps[0].Probability);
        Assert.NotEqual(plain.Steps[1].Probability, onNew.Steps[1].Probability);
        Assert.Equal(John, onPrompt.Steps[0].Token);
    }

    [ToyModelFact("tiny-gpt2-past.onnx")]
    public void Sampling_is_reproducible_by_seed_and_top_k_one_is_greedy()
    {
        using var g = Load();
        GeneratedSequence Sample(int seed, int topK = 0) =>
            g.Generate(new GenerationRequest([new GenerationRow(Ioi)], 10, SamplingSettings.Sample(1.5, topK, 1.0, seed), StopTokens: []))[0];
        Assert.Equal(Sample(11).NewTokens, Sample(11).NewTokens);
        Assert.NotEqual(Sample(11).NewTokens, Sample(12).NewTokens);
        Assert.Equal(Run(g, Ioi, [], tokens: 10).NewTokens, Sample(5, topK: 1).NewTokens);
    }

    [ToyModelFact("tiny-gpt2-past.onnx")]
    public void Bad_generation_requests_are_refused_before_running()
    {
        using var g = Load();
        Assert.Contains("no hook", Assert.ThrowsAny<Exception>(() => Run(g, Ioi, [new GenerationWrite(new HookWrite("blocks.9.hook_resid_pre", WriteSource.Zeros))])).Message);
        Assert.Contains("does not match", Assert.Throws<ArgumentException>(() => Run(g, Ioi, [Steer(NamedTensor.Float("v", [32], new float[32]), 1f)])).Message);
        Assert.Contains("context window of 64", Assert.Throws<FeedException>(() => Run(g, Ioi, [], tokens: 64 - Ioi.Count + 1)).Message);
    }
}
