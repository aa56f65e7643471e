using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Analysis.Paths;
using OnnxInterp.Cli.Commands.Discover;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Commands.Patch;
using OnnxInterp.Cli.Reports;

namespace OnnxInterp.Cli.Experiments.Steps;

/// <summary><c>"step": "discover"</c>: ACDC over prompt pairs, as the <c>discover</c> verb (the kept edges as a table).</summary>
public sealed record DiscoverStep : StepSpec
{
    public override string Kind => "discover";
    public double Threshold { get; init; } = 0.01;
    public string Metric { get; init; } = "kl";

    internal override PlannedStep Plan(SpecPlanner planner, string field)
    {
        var model = planner.Model(this, field);
        var metric = SpecPlanner.At(field + ".metric", () => MetricNames.Parse(Metric));
        if (metric is not (MetricKind.Kl or MetricKind.LogitDiff)) throw new SpecException(field + ".metric", "must be kl or logit-diff.");
        if (!(Threshold >= 0)) throw new SpecException(field + ".threshold", $"must be zero or more, not {Threshold}.");
        var prompts = planner.Prompts(this, model, field);
        if (prompts.Items.Any(p => p.Corrupted is null)) throw new SpecException(field + ".prompts", "circuit discovery needs prompt pairs (a corrupted prompt for every clean one).");
        var pairs = prompts.Items.Select(p => new PromptPair(p.Clean, p.Corrupted!, p.Answer, p.Wrong)).ToList();
        return new PlannedStep(Name ?? "discover", Kind, planner.ModelPath(this, field), run =>
        {
            var result = CircuitDiscovery.Run(model, new DiscoveryRequest(pairs, Threshold, metric), new InterventionOptions(Device: run.Device, Log: run.Notice));
            var output = DiscoverOutput.Of(run.ModelPath, run.Device.ToString().ToLowerInvariant(), model, pairs, result);
            var table = new TableResult("edges", $"ACDC kept {result.Kept.Count} of {result.TotalEdges} edges (threshold {Threshold}, {MetricNames.Name(metric)})",
                ["sender", "receiver", "harm"], [.. output.Kept.Select(e => (IReadOnlyList<object?>)[e.Sender, e.Receiver, e.Harm])]);
            return new StepOutcome(output, prompts.Seed, StepPrompts.Of(model, prompts), [table], []);
        });
    }
}
