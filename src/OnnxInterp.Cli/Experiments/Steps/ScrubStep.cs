using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Analysis.Scrubbing;
using OnnxInterp.Cli.Commands.Scrub;
using OnnxInterp.Cli.Reports;

namespace OnnxInterp.Cli.Experiments.Steps;

/// <summary>
/// <c>"step": "scrub"</c>: causal scrubbing of a hypothesis file on a dataset file, as the <c>scrub</c> verb. Under
/// <c>--shard K/N</c> every shard runs samples K, K + N, ... and <c>merge</c> joins them.
/// </summary>
public sealed record ScrubStep : StepSpec
{
    public override string Kind => "scrub";
    public string? Hypothesis { get; init; }
    public string? Dataset { get; init; }
    public int Samples { get; init; } = 64;
    public int RowsPerRun { get; init; } = 256;

    internal override PlannedStep Plan(SpecPlanner planner, string field)
    {
        var model = planner.Model(this, field);
        if (Hypothesis is null) throw new SpecException(field + ".hypothesis", "is missing: name a hypothesis file (docs/scrubbing.md).");
        if (Dataset is null) throw new SpecException(field + ".dataset", "is missing: name a JSONL dataset file.");
        var hypothesisPath = planner.ExistingFile(Hypothesis, field + ".hypothesis");
        var datasetPath = planner.ExistingFile(Dataset, field + ".dataset");
        var hypothesis = SpecPlanner.At(field + ".hypothesis", () => Analysis.Scrubbing.Hypothesis.Load(hypothesisPath));
        var dataset = SpecPlanner.At(field + ".dataset", () => ScrubDataset.Load(datasetPath));
        if (Samples < 1) throw new SpecException(field + ".samples", $"must be at least 1, not {Samples}.");
        if (RowsPerRun < 1) throw new SpecException(field + ".rowsPerRun", $"must be at least 1, not {RowsPerRun}.");
        int seed = planner.Seed(this);
        return new PlannedStep(Name ?? "scrub", Kind, planner.ModelPath(this, field), run =>
        {
            var started = DateTime.UtcNow;
            // Sharded, each shard runs its share of the samples (sample k on shard k mod N); merge joins them.
            var share = run.Shard is { } shard ? new WorkShare(shard.Index, shard.Count) : null;
            var result = CausalScrubbing.Run(model, new ScrubRequest(hypothesis, dataset, Samples, seed, Share: share), new InterventionOptions(RowsPerRun, run.Device, Log: run.Notice));
            var output = new ScrubOutput(run.ModelPath, hypothesisPath, datasetPath, run.Device.ToString().ToLowerInvariant(), seed, result, (DateTime.UtcNow - started).TotalSeconds, null);
            return new StepOutcome(output, seed, [], [Table(result)], []);
        }) { SplitsAcrossShards = true };
    }

    internal static TableResult Table(ScrubResult result) =>
        new("losses", $"causal scrubbing of '{result.Hypothesis}': {result.Recovered:P1} of the loss recovered ({result.RecoveredLow:P1} to {result.RecoveredHigh:P1})",
            ["run", "mean loss"], [["clean", result.CleanLoss], ["scrubbed", result.ScrubbedLoss], ["fully resampled", result.RandomLoss]]);
}
