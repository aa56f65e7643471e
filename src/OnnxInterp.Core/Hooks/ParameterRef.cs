namespace OnnxInterp.Hooks;

/// <summary>
/// Where a canonical weight (<c>W_U</c>, <c>blocks.3.attn.W_O</c>, …) lives in the graph and how it is stored.
/// </summary>
/// <param name="Name">Canonical TransformerLens parameter name.</param>
/// <param name="Tensor">The graph tensor holding it: an initializer, or the output of a Constant node.</param>
/// <param name="StoredAxes">
/// Axes of the tensor as stored, outermost first, e.g. <c>[head*d_head, d_model]</c> for GPT-2's Conv1D
/// <c>c_proj</c> (TransformerLens's <c>W_O</c> [head, d_head, d_model] flattened) or <c>[d_vocab, d_model]</c>
/// for an unembedding tied to <c>wte</c>.
/// </param>
/// <param name="Transposed">
/// True when the stored matrix is the transpose of the TransformerLens orientation (multiply by its transpose):
/// for example <c>W_U</c> stored [d_vocab, d_model] where TransformerLens has [d_model, d_vocab].
/// </param>
/// <param name="Columns">
/// Set when the parameter is only part of the stored tensor: these output features (the last TransformerLens axis, or
/// the elements of a bias vector), e.g. W_Q as the first third of GPT-2's fused <c>c_attn</c>.
/// </param>
/// <param name="Derivation">How the recogniser found it (the op reading it, a Transpose, a Split), for <c>inspect --weights</c>.</param>
public sealed record ParameterRef(string Name, string Tensor, IReadOnlyList<string> StoredAxes, bool Transposed = false,
    ColumnRange? Columns = null, string? Derivation = null)
{
    public override string ToString() => $"{Name} = {Tensor} [{string.Join(", ", StoredAxes)}]{(Transposed ? " (transposed)" : "")}" +
        (Columns is { } c ? $" {c}" : "");
}
