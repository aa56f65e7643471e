namespace OnnxInterp.Hooks;

/// <summary>
/// The model's shape in TransformerLens config names. Sizes the recogniser could not determine are 0
/// (for example <see cref="DMlp"/> of an attention-only model, or <see cref="DVocab"/> of a model without embeddings).
/// </summary>
/// <param name="Architecture">What was recognised: <c>gpt2</c>, <c>attn-only</c>, <c>modadd</c>, or a hook map's own label.</param>
/// <param name="Causal">True when attention may only look back (patterns are zero above the diagonal).</param>
/// <param name="Normalization"><c>LN</c> (LayerNorm before attention and MLP) or <c>none</c>.</param>
/// <param name="Eps">The LayerNorm epsilon (TransformerLens <c>eps</c>); 0 when there is no LayerNorm or it is not known.</param>
public sealed record HookConfig(
    string Architecture,
    int NLayers,
    int NHeads,
    int DModel,
    int DHead,
    int DMlp,
    int DVocab,
    int NCtx = 0,
    bool Causal = true,
    string Normalization = "LN",
    double Eps = 0)
{
    /// <summary>True when the blocks have no MLP (TransformerLens <c>attn_only</c>).</summary>
    public bool AttnOnly => DMlp == 0;

    public override string ToString() =>
        $"{Architecture}: n_layers {NLayers}, n_heads {NHeads}, d_model {DModel}, d_head {DHead}, d_mlp {DMlp}, d_vocab {DVocab}" +
        $"{(NCtx > 0 ? $", n_ctx {NCtx}" : "")}, {(Causal ? "causal" : "bidirectional")}, normalization {Normalization}" +
        (Eps > 0 ? $", eps {Eps:G3}" : "");
}
