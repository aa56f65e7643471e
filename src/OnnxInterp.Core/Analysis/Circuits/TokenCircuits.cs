namespace OnnxInterp.Analysis.Circuits;

/// <summary>
/// The Framework's end-to-end circuits of one head, kept factored (rank d_head): the QK circuit
/// W_E W_Q W_Kᵀ W_Eᵀ [vocab, vocab] (entry (i, j): how much a query on token i attends to a key on token j, before
/// scaling), the positional QK circuit W_pos W_Q W_Kᵀ W_posᵀ [n_ctx, n_ctx], and the OV circuit W_E W_V W_O W_U
/// [vocab, vocab] (entry (i, j): how attending to token i raises the logit of token j).
/// </summary>
public static class TokenCircuits
{
    public static FactoredMatrix QK(CircuitWeights w, int layer, int head)
    {
        var h = w.Head(layer, head);
        return new FactoredMatrix(w.WE * h.Q, (w.WE * h.K).Transpose());
    }

    public static FactoredMatrix PositionalQK(CircuitWeights w, int layer, int head)
    {
        var h = w.Head(layer, head);
        return new FactoredMatrix(w.WPos * h.Q, (w.WPos * h.K).Transpose());
    }

    public static FactoredMatrix OV(CircuitWeights w, int layer, int head)
    {
        var h = w.Head(layer, head);
        return new FactoredMatrix(w.WE * h.V, h.O * w.WU);
    }
}
