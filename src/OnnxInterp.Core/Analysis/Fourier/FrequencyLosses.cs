namespace OnnxInterp.Analysis.Fourier;

/// <summary>
/// Nanda et al.'s test that the model computes with its key frequencies: the loss (cross-entropy of the answer
/// (a + b) mod p over the p answer tokens, mean over every pair) of the logits as they are, restricted to the key
/// frequencies (for each output token c, the logit as a function of (a, b) keeps only its mean and its cos/sin(w_k (a + b))
/// components for key k), excluded (those components removed), and, as a control, excluded for as many non-key
/// frequencies (the weakest in the logits).
/// </summary>
public sealed record FrequencyLosses(IReadOnlyList<int> KeyFrequencies, double Original, double Restricted, double Excluded,
    IReadOnlyList<int> ControlFrequencies, double ExcludedControl)
{
    /// <param name="logits">Row (a * p + b), <paramref name="vocab"/> logits per row; tokens 0..p-1 are the answers.</param>
    public static FrequencyLosses Of(ReadOnlySpan<float> logits, int p, int vocab, IReadOnlyList<int> keyFrequencies)
    {
        if (logits.Length != (long)p * p * vocab)
            throw new ArgumentException($"{p} x {p} inputs of {vocab} logits need {(long)p * p * vocab} values but {logits.Length} were given.", nameof(logits));
        if (keyFrequencies.Count == 0) throw new ArgumentException("no key frequencies to restrict to.", nameof(keyFrequencies));
        var answer = new double[p, p, p]; // [a, b, c]
        for (int a = 0; a < p; a++)
            for (int b = 0; b < p; b++)
                for (int c = 0; c < p; c++) answer[a, b, c] = logits[(a * p + b) * vocab + c];
        var components = SumComponents(answer, p);
        var control = components.Strength.Select((s, k) => (s, k)).Where(x => x.k > 0 && !keyFrequencies.Contains(x.k))
            .OrderBy(x => x.s).ThenBy(x => x.k).Take(keyFrequencies.Count).Select(x => x.k).ToList();
        return new FrequencyLosses(keyFrequencies,
            Loss(p, (a, b, c) => answer[a, b, c]),
            Loss(p, (a, b, c) => components.Mean[c] + keyFrequencies.Sum(k => components.Part(k, a, b, c))),
            Loss(p, (a, b, c) => answer[a, b, c] - keyFrequencies.Sum(k => components.Part(k, a, b, c))),
            control,
            Loss(p, (a, b, c) => answer[a, b, c] - control.Sum(k => components.Part(k, a, b, c))));
    }

    /// <summary>
    /// For each output c: the mean over (a, b) and the transform of h_c(s) = sum over a + b = s of the logit; the part of
    /// frequency k is 2 Re(H_c(k) e^{i w s}) / p² (orthogonal projection onto cos and sin of w (a + b)).
    /// </summary>
    sealed record Components(int P, double[] Mean, double[,] Re, double[,] Im, double[] Strength)
    {
        public double Part(int k, int a, int b, int c)
        {
            double angle = 2 * Math.PI * ((long)k * ((a + b) % P) % P) / P;
            double scale = (2 * k == P ? 1.0 : 2.0) / ((double)P * P);
            return scale * (Re[c, k] * Math.Cos(angle) - Im[c, k] * Math.Sin(angle));
        }
    }

    static Components SumComponents(double[,,] answer, int p)
    {
        int half = p / 2;
        var mean = new double[p];
        var re = new double[p, half + 1];
        var im = new double[p, half + 1];
        var strength = new double[half + 1];
        var h = new double[p];
        for (int c = 0; c < p; c++)
        {
            Array.Clear(h);
            for (int a = 0; a < p; a++)
                for (int b = 0; b < p; b++) h[(a + b) % p] += answer[a, b, c];
            mean[c] = h.Sum() / ((double)p * p);
            for (int k = 1; k <= half; k++)
            {
                for (int s = 0; s < p; s++)
                {
                    double angle = 2 * Math.PI * ((long)k * s % p) / p;
                    re[c, k] += h[s] * Math.Cos(angle);
                    im[c, k] -= h[s] * Math.Sin(angle);
                }
                strength[k] += re[c, k] * re[c, k] + im[c, k] * im[c, k];
            }
        }
        return new Components(p, mean, re, im, strength);
    }

    static double Loss(int p, Func<int, int, int, double> logit)
    {
        double total = 0;
        var row = new double[p];
        for (int a = 0; a < p; a++)
            for (int b = 0; b < p; b++)
            {
                double max = double.NegativeInfinity;
                for (int c = 0; c < p; c++) max = Math.Max(max, row[c] = logit(a, b, c));
                double sum = 0;
                for (int c = 0; c < p; c++) sum += Math.Exp(row[c] - max);
                total += Math.Log(sum) + max - row[(a + b) % p];
            }
        return total / ((double)p * p);
    }
}
