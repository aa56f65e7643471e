using System.Text.Json.Serialization;

namespace OnnxInterp.Cli.Commands.Inspect;

/// <summary>
/// The schema of <c>inspect --json</c>. Sections are independent properties so new ones can be added without
/// changing the others: <see cref="Hooks"/> is the slot for the model's hook table.
/// </summary>
public sealed record InspectOutput(
    string Model,
    long IrVersion,
    string Producer,
    string ProducerVersion,
    IReadOnlyDictionary<string, long> Opsets,
    int NodeCount,
    IReadOnlyDictionary<string, int> OpHistogram,
    int InitializerCount,
    long InitializerBytes,
    bool ExternalData,
    bool TypesMeasured,
    IReadOnlyList<InspectTensorRow> Inputs,
    IReadOnlyList<InspectTensorRow> Outputs,
    int ExposableCount,
    IReadOnlyList<InspectTensorRow> Exposable)
{
    /// <summary>Hook points (canonical names such as <c>blocks.0.attn.hook_pattern</c>); null until a hook map is resolved.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<InspectHookRow>? Hooks { get; init; }

    /// <summary>Which recogniser or hook-map file built the hook table, or why there is none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? HookSource { get; init; }

    /// <summary>
    /// How many of <see cref="Exposable"/> exist only in the hooked model (inside a merged decoder's If, or made by
    /// unfusing): patterns that name them are resolved there.
    /// </summary>
    public int HookedOnlyCount { get; init; }

    /// <summary>With <c>--weights</c>: every recognised weight, its TransformerLens shape, source initializer and derivation.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<OnnxInterp.Hooks.Weights.WeightRow>? Weights { get; init; }

    /// <summary>What OnnxInterp repaired or read the way ONNX Runtime does (duplicate tensor names, node order, an opset listed twice); null when nothing.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Repairs { get; init; }

    /// <summary>The recognised configuration (layers, heads, sizes) in TransformerLens names.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? HookConfig { get; init; }
}
