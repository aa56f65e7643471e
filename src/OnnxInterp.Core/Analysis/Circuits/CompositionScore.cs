namespace OnnxInterp.Analysis.Circuits;

/// <summary>
/// One composition score: how strongly the output of head (<see cref="FromLayer"/>, <see cref="FromHead"/>) is read by the
/// <see cref="Kind"/> input of head (<see cref="ToLayer"/>, <see cref="ToHead"/>): ||left · right||_F / (||left||_F ||right||_F)
/// with left = W_OV of the earlier head and right = W_QK (Q), W_QKᵀ (K) or W_OV (V) of the later one.
/// </summary>
public sealed record CompositionScore(CompositionKind Kind, int FromLayer, int FromHead, int ToLayer, int ToHead, double Score)
{
    public string From => $"L{FromLayer}H{FromHead}";
    public string To => $"L{ToLayer}H{ToHead}";
}
