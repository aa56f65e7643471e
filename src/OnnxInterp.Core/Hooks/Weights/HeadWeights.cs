namespace OnnxInterp.Hooks.Weights;

/// <summary>
/// One attention head's weights in TransformerLens orientation: W_Q, W_K, W_V [d_model, d_head], W_O [d_head, d_model];
/// biases [d_head] (b_O is the layer's, [d_model]); a missing bias is null (the export has none).
/// </summary>
public sealed record HeadWeights(int Layer, int Head, WeightMatrix WQ, WeightMatrix WK, WeightMatrix WV, WeightMatrix WO,
    float[]? BQ, float[]? BK, float[]? BV, float[]? BO)
{
    public string Label => $"L{Layer}H{Head}";
}
