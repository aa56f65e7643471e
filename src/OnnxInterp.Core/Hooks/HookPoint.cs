namespace OnnxInterp.Hooks;

/// <summary>
/// One hook: its canonical TransformerLens name (<c>blocks.3.attn.hook_pattern</c>), the graph tensor holding
/// its value, and the layout that tensor has. Values are those of the raw export (nothing folded or centred).
/// </summary>
/// <param name="Name">Canonical hook name.</param>
/// <param name="Tensor">Graph tensor name; for an unmaterialised derived hook, the name it will have.</param>
/// <param name="Layout">Named axes of the tensor, outermost first.</param>
/// <param name="Kind">Whether the tensor is the export's own, a layout fix, or derived on demand.</param>
/// <param name="Note">How the tensor was found or what to know about its values (shown by <c>inspect</c>).</param>
public sealed record HookPoint(HookName Name, string Tensor, HookLayout Layout, HookKind Kind = HookKind.Graph, string? Note = null)
{
    /// <summary>The block index for <c>blocks.{l}.…</c> names, null for model-level hooks.</summary>
    public int? Layer => Name.Layer;

    /// <summary>True when the tensor does not exist yet: call <see cref="HookedModel.WithDerived"/> first.</summary>
    public bool IsPending => Derivation is not null;

    /// <summary>The rewrite that creates this hook's tensor, when it is a pending derived hook.</summary>
    internal Recognition.Derivation? Derivation { get; init; }

    public override string ToString() => $"{Name} -> {Tensor} {Layout}{(IsPending ? " (derived on demand)" : "")}";
}
