namespace OnnxInterp.Analysis.Generation;

/// <summary>One chosen token: its id, its probability under the model (softmax of the logits, before temperature), and the most likely alternatives.</summary>
public sealed record GenerationStep(long Token, double Probability, IReadOnlyList<TokenProbability> Top);
