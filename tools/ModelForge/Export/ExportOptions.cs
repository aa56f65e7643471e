namespace OnnxInterp.ModelForge.Export;

/// <summary>
/// Graph variant: <see cref="Opset"/> 14 decomposes LayerNorm (ReduceMean/Sub/Pow/...), 17 uses
/// LayerNormalization. <see cref="WithPast"/> adds optimum's past_key_values inputs (GPT-2 only);
/// <see cref="Presents"/> adds its present.{i}.key|value outputs (with past: past and new keys concatenated).
/// </summary>
public sealed record ExportOptions(int Opset = 14, bool WithPast = false, bool Presents = false)
{
    public static ExportOptions Plain => new();
    public static ExportOptions LayerNormalizationOp => new(17);
    public static ExportOptions Past => new(14, true, true);
    /// <summary>optimum's decoder_model.onnx: no past inputs, but present outputs (the first step of generation).</summary>
    public static ExportOptions PresentsOnly => new(14, false, true);
}
