namespace OnnxInterp.Analysis.Circuits;

/// <summary>
/// Q-, K- and V-composition between every pair of heads in different layers (the Framework's, as TransformerLens computes
/// them): the earlier head's W_OV = W_V W_O followed by the later head's W_QK = W_Q W_Kᵀ (Q), its transpose (K), or its
/// W_OV (V). Every product stays factored, so each score costs d_head-sized work.
/// </summary>
public static class CompositionScores
{
    /// <summary>||left · right||_F / (||left||_F ||right||_F); 0 when either is zero.</summary>
    public static double Score(FactoredMatrix left, FactoredMatrix right)
    {
        double denominator = left.FrobeniusNorm() * right.FrobeniusNorm();
        return denominator == 0 ? 0 : left.Then(right).FrobeniusNorm() / denominator;
    }

    /// <summary>All pairs (earlier layer's head, later layer's head) for one kind, in layer and head order.</summary>
    public static IReadOnlyList<CompositionScore> All(CircuitWeights w, CompositionKind kind)
    {
        var c = w.Config;
        var result = new List<CompositionScore>();
        for (int l1 = 0; l1 < c.NLayers; l1++)
            for (int h1 = 0; h1 < c.NHeads; h1++)
            {
                var ov = w.OV(l1, h1);
                for (int l2 = l1 + 1; l2 < c.NLayers; l2++)
                    for (int h2 = 0; h2 < c.NHeads; h2++)
                    {
                        var right = kind switch
                        {
                            CompositionKind.Q => w.QK(l2, h2),
                            CompositionKind.K => w.QK(l2, h2).Transpose(),
                            _ => w.OV(l2, h2),
                        };
                        result.Add(new CompositionScore(kind, l1, h1, l2, h2, Score(ov, right)));
                    }
            }
        return result;
    }
}
