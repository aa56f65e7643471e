using System.Text.Json.Serialization;
using OnnxInterp.Cli.Experiments.Steps;

namespace OnnxInterp.Cli.Experiments;

/// <summary>
/// One step of an experiment, chosen by its <c>"step"</c> field. Every step may name itself (the prefix of its output
/// files), use another model than the spec's, and bring its own prompts and seed. <see cref="Plan"/> checks the step against
/// its model before anything runs and returns the work to do.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "step")]
[JsonDerivedType(typeof(CacheStep), "cache")]
[JsonDerivedType(typeof(PatchStep), "patch")]
[JsonDerivedType(typeof(AblateStep), "ablate")]
[JsonDerivedType(typeof(LensStep), "lens")]
[JsonDerivedType(typeof(AttributeStep), "attribute")]
[JsonDerivedType(typeof(HeadsStep), "heads")]
[JsonDerivedType(typeof(MaxActStep), "maxact")]
[JsonDerivedType(typeof(PathPatchStep), "path-patch")]
[JsonDerivedType(typeof(ScrubStep), "scrub")]
[JsonDerivedType(typeof(DiscoverStep), "discover")]
[JsonDerivedType(typeof(GenerateStep), "generate")]
public abstract record StepSpec
{
    /// <summary>The step kinds a spec may use, as written in <c>"step"</c>.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["cache", "patch", "ablate", "lens", "attribute", "heads", "maxact", "path-patch", "scrub", "discover", "generate"];

    [JsonIgnore] public abstract string Kind { get; }
    public string? Name { get; init; }
    public string? Model { get; init; }
    public PromptSet? Prompts { get; init; }
    public int? Seed { get; init; }

    /// <summary>Checks every field against the model (throwing <see cref="SpecException"/> naming the field) and returns the run.</summary>
    internal abstract PlannedStep Plan(SpecPlanner planner, string field);
}
