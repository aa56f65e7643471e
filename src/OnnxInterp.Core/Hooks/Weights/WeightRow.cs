namespace OnnxInterp.Hooks.Weights;

/// <summary>
/// One recognised weight: its TransformerLens name and shape, the stored tensor it comes from (and that tensor's element
/// type and shape), and how it was derived from it.
/// </summary>
public sealed record WeightRow(string Name, IReadOnlyList<long> Shape, string Source, string StoredType, IReadOnlyList<long> StoredShape, string Derivation);
