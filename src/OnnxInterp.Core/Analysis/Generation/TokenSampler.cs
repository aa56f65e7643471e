namespace OnnxInterp.Analysis.Generation;

/// <summary>Chooses next tokens from logits as <see cref="SamplingSettings"/> say; one instance per generation, so draws follow the seed.</summary>
public sealed class TokenSampler
{
    readonly SamplingSettings settings;
    readonly Random random;

    public TokenSampler(SamplingSettings settings)
    {
        settings.Check();
        this.settings = settings;
        random = new Random(settings.Seed);
    }

    public long Next(ReadOnlySpan<float> logits)
    {
        if (settings.Greedy) return ArgMax(logits);
        var order = Enumerable.Range(0, logits.Length).ToArray();
        var keys = logits.ToArray();
        Array.Sort(order, (a, b) => keys[b].CompareTo(keys[a]) is var c && c != 0 ? c : a.CompareTo(b));
        int kept = settings.TopK > 0 ? Math.Min(settings.TopK, order.Length) : order.Length;
        // Softmax in double over the kept tokens, shifted by the maximum.
        var weights = new double[kept];
        double max = keys[order[0]] / settings.Temperature, sum = 0;
        for (int i = 0; i < kept; i++) sum += weights[i] = Math.Exp(keys[order[i]] / settings.Temperature - max);
        if (settings.TopP < 1)
        {
            double cumulative = 0;
            for (int i = 0; i < kept; i++)
                if ((cumulative += weights[i] / sum) >= settings.TopP) { kept = i + 1; break; }
            sum = weights.Take(kept).Sum();
        }
        double u = random.NextDouble() * sum;
        for (int i = 0; i < kept; i++)
            if ((u -= weights[i]) < 0) return order[i];
        return order[kept - 1];
    }

    public static long ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best]) best = i;
        return best;
    }
}
