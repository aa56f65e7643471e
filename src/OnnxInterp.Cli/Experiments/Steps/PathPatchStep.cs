using System.Diagnostics;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Analysis.Paths;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Commands.Patch;
using OnnxInterp.Cli.Commands.PathPatch;
using OnnxInterp.Cli.Reports;
using OnnxInterp.Hooks;

namespace OnnxInterp.Cli.Experiments.Steps;

/// <summary><c>"step": "path-patch"</c>: path patching over prompt pairs, as the <c>path-patch</c> verb (one sender x receiver grid).</summary>
public sealed record PathPatchStep : StepSpec
{
    public override string Kind => "path-patch";
    public IReadOnlyList<string> Senders { get; init; } = ["all"];
    public IReadOnlyList<string> Receivers { get; init; } = ["logits"];
    public string Metric { get; init; } = "logit-diff";
    public int RowsPerRun { get; init; } = 32;

    internal override PlannedStep Plan(SpecPlanner planner, string field)
    {
        var model = planner.Model(this, field);
        var metric = SpecPlanner.At(field + ".metric", () => MetricNames.Parse(Metric));
        if (RowsPerRun < 1) throw new SpecException(field + ".rowsPerRun", $"must be at least 1, not {RowsPerRun}.");
        var prompts = planner.Prompts(this, model, field);
        if (prompts.Items.Any(p => p.Corrupted is null)) throw new SpecException(field + ".prompts", "path patching needs prompt pairs (a corrupted prompt for every clean one).");
        var pairs = prompts.Items.Select(p => new PromptPair(p.Clean, p.Corrupted!, p.Answer, p.Wrong)).ToList();
        var request = new PathPatchingRequest(pairs, Senders, Receivers, metric);
        var graph = SpecPlanner.At(field, () => PathPatching.GraphFor(model, request));
        // Names are checked now, on the built graph, so a typo stops the experiment before anything runs.
        foreach (var s in Senders.Where(s => s is not ("all" or "heads" or "mlps" or "embeds") && graph.Senders.All(x => x.Name != s)))
            throw new SpecException(field + ".senders", $"'{s}' is not a sender of this model; senders are {string.Join(", ", graph.Senders.Select(x => x.Name))} (or all, heads, mlps, embeds).");
        foreach (var r in Receivers.Where(r => r is not ("all" or "q" or "k" or "v" or "mlps") && graph.Receivers.All(x => x.Name != r)))
            throw new SpecException(field + ".receivers", $"'{r}' is not a receiver of this model; receivers are LlHh_q|k|v, mlpL and logits (or all, q, k, v, mlps).");
        return new PlannedStep(Name ?? "path-patch", Kind, planner.ModelPath(this, field), run => Run(model, graph, request, prompts, run));
    }

    StepOutcome Run(HookedModel model, ResidualGraph graph, PathPatchingRequest request, ResolvedPrompts prompts, StepRunContext run)
    {
        var clock = Stopwatch.StartNew();
        var result = PathPatching.Run(graph, request, new InterventionOptions(RowsPerRun, run.Device, Log: run.Notice));
        var output = PathPatchOutput.Of(run.ModelPath, run.Device.ToString().ToLowerInvariant(), model, request.Pairs, result, clock.Elapsed.TotalSeconds);
        var grid = PathPatchOutput.Grid(result);
        return new StepOutcome(output, prompts.Seed, StepPrompts.Of(model, prompts), [], [new NamedGrid("grid", grid)]);
    }
}
