namespace OnnxInterp.Analysis.Fourier;

/// <summary>
/// The Fourier spectrum of the MLP neurons over the inputs (a, b), as Nanda et al. read them: a neuron of the grokked
/// model is a function of cos/sin(w a), cos/sin(w b) and their products, i.e. of the 2-D frequencies (k, 0), (0, k),
/// (k, k) and (k, -k) for a few k. For each k the energy of those terms (and their conjugates), summed over neurons and
/// normalised so that all 2-D frequencies add up to the squared activations, is one entry of the spectrum; key frequencies
/// follow the embedding's rule. Terms pairing two different nonzero frequencies are not assigned to any k.
/// </summary>
public static class NeuronFourier
{
    /// <param name="neurons">Row (a * p + b), <paramref name="width"/> neurons per row.</param>
    public static FourierSpectrum Analyze(ReadOnlySpan<float> neurons, int p, int width, double keyRatio = EmbeddingFourier.DefaultKeyRatio)
    {
        if (neurons.Length != (long)p * p * width)
            throw new ArgumentException($"{p} x {p} inputs of {width} neurons need {(long)p * p * width} values but {neurons.Length} were given.", nameof(neurons));
        int half = (p - 1) / 2;
        var energy = new double[half + 1 + (p % 2 == 0 ? 1 : 0)];
        var byA = new double[p];
        var byB = new double[p];
        var bySum = new double[p];
        var byDifference = new double[p];
        for (int n = 0; n < width; n++)
        {
            Array.Clear(byA); Array.Clear(byB); Array.Clear(bySum); Array.Clear(byDifference);
            double total = 0;
            for (int a = 0; a < p; a++)
                for (int b = 0; b < p; b++)
                {
                    double f = neurons[(a * p + b) * width + n];
                    byA[a] += f;
                    byB[b] += f;
                    bySum[(a + b) % p] += f;
                    byDifference[(a - b + p) % p] += f;
                    total += f;
                }
            energy[0] += total * total / ((double)p * p);
            for (int k = 1; k < energy.Length; k++)
            {
                // F(k,0), F(0,k), F(k,k), F(k,-k): each a 1-D transform of one of the sums; conjugates double all but k = p/2.
                double terms = Power(byA, k, p) + Power(byB, k, p) + Power(bySum, k, p) + Power(byDifference, k, p);
                energy[k] += (2 * k == p ? 1 : 2) * terms / ((double)p * p);
            }
        }
        return FourierSpectrum.FromEnergies(p, width, energy, keyRatio);
    }

    /// <summary>
    /// Splits key frequencies into fundamentals and second harmonics: a ReLU or GELU of cos(w k x) has a component at 2k
    /// (folded into 1..p/2), so a key frequency that is twice a stronger key frequency is listed as its harmonic.
    /// </summary>
    public static (IReadOnlyList<int> Fundamentals, IReadOnlyList<int> Harmonics) SplitHarmonics(FourierSpectrum spectrum)
    {
        var fundamentals = new List<int>();
        var harmonics = new List<int>();
        foreach (var f in spectrum.KeyFrequencies) // strongest first
        {
            if (fundamentals.Any(k => Fold(2 * k, spectrum.P) == f.Frequency)) harmonics.Add(f.Frequency);
            else fundamentals.Add(f.Frequency);
        }
        return (fundamentals, harmonics);
    }

    static int Fold(int k, int p)
    {
        k %= p;
        return Math.Min(k, p - k);
    }

    static double Power(double[] x, int k, int p)
    {
        double re = 0, im = 0;
        for (int t = 0; t < p; t++)
        {
            double angle = 2 * Math.PI * ((long)k * t % p) / p;
            re += x[t] * Math.Cos(angle);
            im -= x[t] * Math.Sin(angle);
        }
        return re * re + im * im;
    }
}
