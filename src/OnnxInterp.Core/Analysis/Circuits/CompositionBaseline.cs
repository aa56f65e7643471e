using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace OnnxInterp.Analysis.Circuits;

/// <summary>
/// The composition score of random heads with the model's shapes: W_Q, W_K, W_V [d_model, d_head] and W_O [d_head, d_model]
/// filled with independent Gaussians, scored the same way, averaged over <see cref="Samples"/> draws (fixed seed, so reruns
/// agree). Scores of two unrelated heads sit near this value; the score does not depend on the Gaussians' scale.
/// </summary>
public sealed record CompositionBaseline(CompositionKind Kind, double Mean, double StandardDeviation, int Samples)
{
    public const int DefaultSamples = 200;

    public static CompositionBaseline Of(CompositionKind kind, int dModel, int dHead, int samples = DefaultSamples, int seed = 12)
    {
        var random = new Random(seed + (int)kind);
        var normal = new Normal(0, 1, random);
        Matrix<double> Draw(int rows, int cols) => Matrix<double>.Build.Random(rows, cols, normal);
        var scores = new double[samples];
        for (int s = 0; s < samples; s++)
        {
            var ov = new FactoredMatrix(Draw(dModel, dHead), Draw(dHead, dModel));
            var second = kind == CompositionKind.V
                ? new FactoredMatrix(Draw(dModel, dHead), Draw(dHead, dModel))
                : new FactoredMatrix(Draw(dModel, dHead), Draw(dModel, dHead).Transpose());
            scores[s] = CompositionScores.Score(ov, kind == CompositionKind.K ? second.Transpose() : second);
        }
        double mean = scores.Average();
        double sd = Math.Sqrt(scores.Sum(x => (x - mean) * (x - mean)) / Math.Max(1, samples - 1));
        return new CompositionBaseline(kind, mean, sd, samples);
    }
}
