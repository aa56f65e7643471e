namespace OnnxInterp.Analysis.Generation;

/// <summary>
/// How the next token is chosen: greedily (the most likely, ties to the lower id), or sampled from the softmax of the
/// logits divided by <paramref name="Temperature"/>, restricted to the <paramref name="TopK"/> most likely (0: all) and
/// then to the smallest set whose probability reaches <paramref name="TopP"/> (1: all), drawn with a generator seeded by
/// <paramref name="Seed"/>, so one seed always gives the same tokens.
/// </summary>
public sealed record SamplingSettings(bool Greedy = true, double Temperature = 1.0, int TopK = 0, double TopP = 1.0, int Seed = 0)
{
    public static SamplingSettings GreedyDecoding { get; } = new();

    public static SamplingSettings Sample(double temperature = 1.0, int topK = 0, double topP = 1.0, int seed = 0) => new(false, temperature, topK, topP, seed);

    /// <summary>Fails naming the setting that is out of range.</summary>
    public void Check()
    {
        if (Greedy) return;
        if (!(Temperature > 0) || double.IsInfinity(Temperature)) throw new ArgumentException($"temperature must be a positive number, not {Temperature}.");
        if (TopK < 0) throw new ArgumentException($"top-k must be 0 (no limit) or more, not {TopK}.");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentException($"top-p must be in (0, 1], not {TopP}.");
    }
}
