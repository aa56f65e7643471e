using MathNet.Numerics.LinearAlgebra;

namespace OnnxInterp.Analysis.Circuits;

/// <summary>
/// Q-, K- and V-composition between every pair of heads in different layers (the Framework's, as TransformerLens computes
/// them): the earlier head's W_OV = W_V W_O followed by the later head's W_QK = W_Q W_Kᵀ (Q), its transpose (K), or its
/// W_OV (V). Nothing d_model x d_model is built: with left = A1 B1 and right = A2 B2,
/// ||left · right||²_F = tr(Mᵀ (A1ᵀA1) M (B2 B2ᵀ)) for M = B1 A2, so a pair costs one d_head x d_model x d_head product.
/// </summary>
public static class CompositionScores
{
    /// <summary>||left · right||_F / (||left||_F ||right||_F); 0 when either is zero.</summary>
    public static double Score(FactoredMatrix left, FactoredMatrix right) => Score(new Factors(left), new Factors(right));

    /// <summary>All pairs (earlier layer's head, later layer's head) for one kind, in layer and head order.</summary>
    public static IReadOnlyList<CompositionScore> All(CircuitWeights w, CompositionKind kind)
    {
        var c = w.Config;
        var ov = new Dictionary<(int, int), Factors>();
        var reader = new Dictionary<(int, int), Factors>();
        Factors Ov(int l, int h) => ov.TryGetValue((l, h), out var f) ? f : ov[(l, h)] = new Factors(w.OV(l, h));
        Factors Reader(int l, int h) => reader.TryGetValue((l, h), out var f) ? f : reader[(l, h)] = kind switch
        {
            CompositionKind.Q => new Factors(w.QK(l, h)),
            CompositionKind.K => new Factors(w.QK(l, h).Transpose()),
            _ => Ov(l, h),
        };
        var result = new List<CompositionScore>();
        for (int l1 = 0; l1 < c.NLayers; l1++)
            for (int h1 = 0; h1 < c.NHeads; h1++)
                for (int l2 = l1 + 1; l2 < c.NLayers; l2++)
                    for (int h2 = 0; h2 < c.NHeads; h2++)
                        result.Add(new CompositionScore(kind, l1, h1, l2, h2, Score(Ov(l1, h1), Reader(l2, h2))));
        return result;
    }

    static double Score(Factors left, Factors right)
    {
        double denominator = left.Norm * right.Norm;
        if (denominator == 0) return 0;
        var m = left.Matrix.Right * right.Matrix.Left;
        double squared = (m.TransposeThisAndMultiply(left.LeftGram) * m).PointwiseMultiply(right.RightGram).Enumerate().Sum();
        return Math.Sqrt(Math.Max(0, squared)) / denominator;
    }

    /// <summary>A factored matrix with its two inner Gram matrices (LᵀL, R Rᵀ) and its Frobenius norm, computed once.</summary>
    sealed class Factors
    {
        public Factors(FactoredMatrix m)
        {
            Matrix = m;
            LeftGram = m.Left.TransposeThisAndMultiply(m.Left);
            RightGram = m.Right.TransposeAndMultiply(m.Right);
            Norm = Math.Sqrt(Math.Max(0, LeftGram.PointwiseMultiply(RightGram).Enumerate().Sum()));
        }

        public FactoredMatrix Matrix { get; }
        public Matrix<double> LeftGram { get; }
        public Matrix<double> RightGram { get; }
        public double Norm { get; }
    }
}
