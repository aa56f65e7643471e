namespace OnnxInterp.Cli.Experiments;

/// <summary>A step that passed validation: its output name, kind, model, and the work that produces its result.</summary>
internal sealed record PlannedStep(string Name, string Kind, string ModelPath, Func<StepRunContext, StepOutcome> Run)
{
    /// <summary>True for a step every shard runs over its share of the data (maxact); others run whole on one shard.</summary>
    public bool SplitsAcrossShards { get; init; }
}
