using OnnxInterp.Analysis.Lens;
using OnnxInterp.Hooks;

namespace OnnxInterp.Analysis.Fourier;

/// <summary>
/// The discrete Fourier transform of an embedding matrix along its token axis, as Nanda et al. read the modular-addition
/// model: rows 0..p-1 of W_E are the residues, and for each frequency k the component
/// <c>F_k = sum_a W_E[a] exp(-2 pi i k a / p)</c> is a complex d_model vector. Frequencies k and p - k are conjugate, so
/// they are reported together as one real frequency (cos and sin): its norm is <c>sqrt(|F_k|^2 + |F_(p-k)|^2)</c>
/// divided by <c>sqrt(p)</c> (an orthonormal transform, so the squared norms add up to the squared Frobenius norm of the
/// p rows). A trained modular-addition model concentrates its embedding on a few such frequencies.
/// </summary>
public static class EmbeddingFourier
{
    /// <summary>
    /// Default key-frequency threshold: 3 times the median norm. The norms of a random embedding follow a chi distribution
    /// with 2 d_model degrees of freedom, whose relative spread is about 1/(2 sqrt(d_model)) (0.18 for d_model 8), so a
    /// random frequency essentially never reaches 3x the median; the peaks of a grokked model do (5 to 7x in modadd-p113).
    /// </summary>
    public const double DefaultKeyRatio = 3.0;

    /// <summary>
    /// The spectrum of a model's token embedding W_E. <paramref name="p"/> defaults to the vocabulary minus one (the
    /// modular-addition model's tokens are 0..p-1 and '=').
    /// </summary>
    public static FourierSpectrum Of(HookedModel model, int? p = null, double keyRatio = DefaultKeyRatio)
    {
        var parameter = model.Map.Parameter("W_E");
        var (values, dims) = ParameterValues.Read(model.Model, parameter);
        if (dims.Length != 2) throw new InvalidOperationException($"W_E ('{parameter.Tensor}') has {dims.Length} dimensions; a [d_vocab, d_model] matrix was expected.");
        int rows = (int)dims[0];
        return Analyze(values, rows, (int)dims[1], p ?? rows - 1, keyRatio);
    }

    /// <param name="embedding">W_E row-major [rows, dModel]; only the first <paramref name="p"/> rows are used.</param>
    /// <param name="keyRatio">How many times the median non-constant norm a key frequency's norm must reach.</param>
    public static FourierSpectrum Analyze(ReadOnlySpan<float> embedding, int rows, int dModel, int p, double keyRatio = DefaultKeyRatio)
    {
        if (p < 2 || p > rows)
            throw new ArgumentException($"the modulus p = {p} must be between 2 and the embedding's {rows} rows.", nameof(p));
        if ((long)rows * dModel != embedding.Length)
            throw new ArgumentException($"an embedding of {rows} x {dModel} has {(long)rows * dModel} values but {embedding.Length} were given.", nameof(embedding));
        if (!(keyRatio > 0)) throw new ArgumentOutOfRangeException(nameof(keyRatio), keyRatio, "the key ratio must be positive.");

        var cos = new double[p];
        var sin = new double[p];
        for (int t = 0; t < p; t++)
        {
            cos[t] = Math.Cos(2 * Math.PI * t / p);
            sin[t] = Math.Sin(2 * Math.PI * t / p);
        }
        var power = new double[p];
        for (int k = 0; k < p; k++)
        {
            double sum = 0;
            for (int d = 0; d < dModel; d++)
            {
                double re = 0, im = 0;
                for (int a = 0; a < p; a++)
                {
                    int t = (int)((long)k * a % p);
                    double w = embedding[a * dModel + d];
                    re += w * cos[t];
                    im -= w * sin[t];
                }
                sum += re * re + im * im;
            }
            power[k] = sum / p;
        }

        int half = (p - 1) / 2;
        var energy = new double[half + 1];
        energy[0] = power[0];
        for (int k = 1; k <= half; k++) energy[k] = power[k] + (p - k != k ? power[p - k] : 0);
        if (p % 2 == 0) energy = [.. energy, power[p / 2]];
        return FourierSpectrum.FromEnergies(p, dModel, energy, keyRatio);
    }
}
