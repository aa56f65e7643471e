using System.Text.Json.Serialization;

namespace OnnxInterp.Cli.Experiments;

/// <summary>
/// An experiment spec file (docs/experiments.md): the model, how to run it, the prompts and dataset steps share, and
/// the steps in order. Paths are relative to the spec file's folder, so a spec runs the same from anywhere.
/// </summary>
public sealed record ExperimentSpec
{
    [JsonRequired] public string Model { get; init; } = "";
    public string? HookMap { get; init; }
    /// <summary>auto, cpu or cuda, as <c>--device</c>.</summary>
    public string Device { get; init; } = "auto";
    /// <summary>Seeds every random choice (IOI names, random tokens) that a step does not seed itself.</summary>
    public int Seed { get; init; }
    /// <summary>Prompts for the steps that take prompts and do not give their own.</summary>
    public PromptSet? Prompts { get; init; }
    /// <summary>A text dataset, one example per line (as <c>maxact --data</c>), for steps that read one.</summary>
    public string? Data { get; init; }
    [JsonRequired] public IReadOnlyList<StepSpec> Steps { get; init; } = [];
}
