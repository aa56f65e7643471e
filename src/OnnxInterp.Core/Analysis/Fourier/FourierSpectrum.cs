namespace OnnxInterp.Analysis.Fourier;

/// <summary>
/// The Fourier spectrum of an embedding over the residues 0..p-1. <see cref="Frequencies"/> lists k = 0..(p-1)/2 in order
/// (k and p - k are one real frequency, a cos and a sin direction). <see cref="KeyFrequencies"/> are the non-constant
/// frequencies that stand out from the rest, largest first: a norm at least <see cref="KeyRatio"/> times
/// <see cref="MedianNorm"/>, the median norm of the non-constant frequencies (the noise floor). A random embedding has
/// none (its norms all lie near the median); a grokked modular-addition model has a few.
/// </summary>
public sealed record FourierSpectrum(int P, int DModel, IReadOnlyList<FrequencyNorm> Frequencies, double KeyRatio, double MedianNorm,
    IReadOnlyList<FrequencyNorm> KeyFrequencies)
{
    /// <summary>
    /// A spectrum from the squared norm of each real frequency 0, 1, .. (index = frequency): norms, shares, the median
    /// non-constant norm, and the key frequencies (norm at least <paramref name="keyRatio"/> times that median).
    /// </summary>
    public static FourierSpectrum FromEnergies(int p, int width, IReadOnlyList<double> energy, double keyRatio)
    {
        double total = energy.Sum();
        var frequencies = energy.Select((e, k) => new FrequencyNorm(k, Math.Sqrt(e), total == 0 ? 0 : e / total)).ToList();
        var ranked = frequencies.Where(f => f.Frequency > 0).OrderByDescending(f => f.Norm).ThenBy(f => f.Frequency).ToList();
        var norms = ranked.Select(f => f.Norm).Order().ToList();
        double median = norms.Count == 0 ? 0 : norms.Count % 2 == 1 ? norms[norms.Count / 2] : (norms[norms.Count / 2 - 1] + norms[norms.Count / 2]) / 2;
        var key = ranked.Where(f => f.Norm > 0 && f.Norm >= keyRatio * median).ToList();
        return new FourierSpectrum(p, width, frequencies, keyRatio, median, key);
    }

    /// <summary>Share of the non-constant squared norm the key frequencies carry.</summary>
    public double KeyShare => TopShare(KeyFrequencies.Count);

    /// <summary>Non-constant frequencies, largest norm first.</summary>
    public IReadOnlyList<FrequencyNorm> Ranked => [.. Frequencies.Where(f => f.Frequency > 0).OrderByDescending(f => f.Norm).ThenBy(f => f.Frequency)];

    /// <summary>Share of the non-constant squared norm carried by the <paramref name="count"/> largest frequencies.</summary>
    public double TopShare(int count)
    {
        double total = Frequencies.Where(f => f.Frequency > 0).Sum(f => f.Norm * f.Norm);
        return total == 0 ? 0 : Ranked.Take(count).Sum(f => f.Norm * f.Norm) / total;
    }
}
