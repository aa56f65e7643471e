using OnnxInterp.Analysis;
using OnnxInterp.Graph;
using OnnxInterp.Runtime;

namespace OnnxInterp.Tests.Generation;

/// <summary>
/// The independent reference for generation tests: greedy decoding by repeated full forward passes through a plain ONNX
/// Runtime session on a file (no rewrite, no engine), with the softmax probability of each chosen token.
/// </summary>
public static class PlainGreedy
{
    public static (List<long> Tokens, List<double> Probabilities) Generate(string path, IReadOnlyList<long> prompt, int newTokens)
    {
        using var session = SessionFactory.Compile(OnnxModel.Load(path), Device.Cpu);
        var sequence = prompt.ToList();
        var tokens = new List<long>();
        var probabilities = new List<double>();
        for (int i = 0; i < newTokens; i++)
        {
            var logits = NextTokenPrediction.LastPositionLogits(session.Run(TokenFeeds.For(session.Model.Graph, sequence), ["logits"])["logits"]);
            var best = NextTokenPrediction.TopK(logits, 1)[0];
            tokens.Add(best.Id);
            probabilities.Add(best.Probability);
            sequence.Add(best.Id);
        }
        return (tokens, probabilities);
    }
}
