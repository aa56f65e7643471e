using OnnxInterp.Analysis.Engine;
using System.Diagnostics;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Commands.Patch;
using OnnxInterp.Cli.Reports;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Experiments.Steps;

/// <summary>
/// <c>"step": "patch"</c>: activation patching over prompt pairs, as the <c>patch</c> verb (one grid per sweep). Under
/// <c>--shard K/N</c> every shard runs variants K, K + N, ... of the sweeps and <c>merge</c> joins the cells.
/// </summary>
public sealed record PatchStep : StepSpec
{
    public override string Kind => "patch";
    public IReadOnlyList<string> Sweeps { get; init; } = ["every-block"];
    public string Metric { get; init; } = "logit-diff";
    public bool Reverse { get; init; }
    public int RowsPerRun { get; init; } = 32;

    internal override PlannedStep Plan(SpecPlanner planner, string field)
    {
        var model = planner.Model(this, field);
        var metric = SpecPlanner.At(field + ".metric", () => MetricNames.Parse(Metric, "metric"));
        var sweeps = new List<SweepSpec>();
        for (int i = 0; i < Sweeps.Count; i++)
        {
            if (!Analysis.Patching.Sweeps.ByName.TryGetValue(Sweeps[i], out var found))
                throw new SpecException($"{field}.sweeps[{i}]", $"'{Sweeps[i]}' is not a sweep; use one of {string.Join(", ", Analysis.Patching.Sweeps.ByName.Keys)}.");
            sweeps.AddRange(found.Where(f => sweeps.All(s => s.Name != f.Name)));
        }
        if (sweeps.Count == 0) throw new SpecException(field + ".sweeps", "is empty; name at least one sweep.");
        if (RowsPerRun < 1) throw new SpecException(field + ".rowsPerRun", $"must be at least 1, not {RowsPerRun}.");
        var prompts = planner.Prompts(this, model, field);
        if (!prompts.HasCorrupted) throw new SpecException(field + ".prompts", "patching needs prompt pairs: give \"corrupted\" for every pair, or use \"ioi\".");
        if (metric == MetricKind.LogitDiff && prompts.Items.Any(p => p.Answer < 0 || p.Wrong < 0))
            throw new SpecException(field + ".metric", "logit-diff needs \"answer\" and \"wrong\" in every pair; or choose loss, prob or kl.");
        if (metric is MetricKind.Probability or MetricKind.Rank or MetricKind.Loss or MetricKind.Accuracy && prompts.Items.Any(p => p.Answer < 0))
            throw new SpecException(field + ".metric", $"{Metric} needs \"answer\" in every pair.");
        var missing = sweeps.Where(s => !s.ExistsIn(model.Map)).Select(s => s.Name).ToList();
        if (missing.Count == sweeps.Count)
            throw new SpecException(field + ".sweeps", $"none of the sweeps apply to this model (it has no {string.Join(", ", sweeps.Select(s => s.Hook))} hooks).");
        var request = new PatchingRequest([.. prompts.Items.Select(p => new PromptPair(p.Clean, p.Corrupted!, p.Answer, p.Wrong))], sweeps, metric, Reverse);
        return new PlannedStep(Name ?? "patch", Kind, planner.ModelPath(this, field), run => Run(model, request, prompts, run)) { SplitsAcrossShards = true };
    }

    StepOutcome Run(HookedModel model, PatchingRequest request, ResolvedPrompts prompts, StepRunContext run)
    {
        var clock = Stopwatch.StartNew();
        // Sharded, each shard runs its share of the variants (every shard also runs the clean and corrupted prompts).
        if (run.Shard is { } shard) request = request with { Share = new WorkShare(shard.Index, shard.Count) };
        PatchingResult result;
        using (var sessions = new SessionCache(run.Device, run.Notice))
            result = ActivationPatching.Run(model, request, new InterventionOptions(RowsPerRun, run.Device, sessions, run.Notice));
        double seconds = clock.Elapsed.TotalSeconds;
        var clean = request.Pairs[0].Clean.Select(t => AnalysisInputs.Text(model, t)).ToList();
        var corrupted = request.Pairs[0].Corrupted.Select(t => AnalysisInputs.Text(model, t)).ToList();
        var label = MetricNames.Name(request.Metric);
        var grids = result.Sweeps.Select(s => SweepGrid.Of(s, clean, label)).ToList();
        var output = new PatchOutput(run.ModelPath, run.Device.ToString().ToLowerInvariant(), label, Reverse, result.Pairs, result.Positions,
            clean, corrupted, [.. request.Pairs.Select(p => PatchPairRow.Of(model, p))], result.Clean, result.Corrupted, [.. grids.Select(g => g.Row)], result.Skipped, result.Runs, result.Rows, seconds, null);
        return new StepOutcome(output, prompts.Seed, StepPrompts.Of(model, prompts), [],
            [.. grids.Select(g => new NamedGrid(g.Row.Name, g.Normalised with { FixedRange = GridRange.Normalised }))]);
    }
}
