using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Generation;
using OnnxInterp.Tests.Hooks;

namespace OnnxInterp.Tests.Generation;

/// <summary>The library example of docs/generate.md, as written there, with the outputs the page quotes.</summary>
public sealed class GenerateDocExamplesTests
{
    [ToyModelFact("tiny-gpt2-past.onnx")]
    public void Steer_a_continuation_from_csharp()
    {
        using var model = InterpModel.Load(HookTestSupport.Toy("tiny-gpt2-past.onnx")!);   // docs: "onnx-models/tiny-gpt2-past.onnx"
        var prompt = InterpModel.Tokenize("When Mary and John went to the store, John gave a drink to");

        // A steering vector: mean resid_pre of layer 1 over prompts ending in " Mary" minus those ending in " John" (last position).
        string[] contexts = ["The teacher called", "She smiled at", "After the game, the ball was given to"];
        var vector = SteeringVectors.DifferenceOfMeans(model.Engine, "blocks.1.hook_resid_pre",
            [.. contexts.Select(c => InterpModel.Tokenize(c + " Mary"))], [.. contexts.Select(c => InterpModel.Tokenize(c + " John"))]);

        var plain = model.Generate(prompt, maxNewTokens: 3);
        var away = model.Generate(prompt, 3, writes: new GenerationWrite(
            new HookWrite("blocks.1.hook_resid_pre", new WriteSource.Add(vector with { Data = vector.Floats.Select(v => -v).ToArray() }))));

        Assert.Equal(" Mary Mary Mary", string.Concat(plain.NewTokens.Select(Gpt2Tokens.Decode)));
        Assert.Equal(" John", Gpt2Tokens.Decode(away.NewTokens[0]));
        Assert.Equal(0.789, plain.Steps[0].Probability, 3);
    }
}
