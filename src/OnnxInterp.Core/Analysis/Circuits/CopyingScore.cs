using System.Numerics;

namespace OnnxInterp.Analysis.Circuits;

/// <summary>
/// How much a head's OV circuit copies (the Framework's eigenvalue reading): a circuit that raises the logit of the token
/// it attends to has mostly positive eigenvalues. <see cref="Score"/> is the share of eigenvalue mass with a positive
/// real part, sum of |λ| over Re λ &gt; 0 divided by sum of |λ| (0 to 1; 1 = pure copying); <see cref="Ratio"/> is the
/// Framework's summary Re(Σλ) / Σ|λ| (-1 to 1).
/// </summary>
public sealed record CopyingScore(int Layer, int Head, double Score, double Ratio)
{
    public static CopyingScore Of(int layer, int head, FactoredMatrix ov) => FromEigenvalues(layer, head, ov.Eigenvalues());

    public static CopyingScore FromEigenvalues(int layer, int head, IReadOnlyList<Complex> eigenvalues)
    {
        double mass = eigenvalues.Sum(l => l.Magnitude);
        if (mass == 0) return new CopyingScore(layer, head, 0, 0);
        double positive = eigenvalues.Where(l => l.Real > 0).Sum(l => l.Magnitude);
        return new CopyingScore(layer, head, positive / mass, eigenvalues.Sum(l => l.Real) / mass);
    }
}
