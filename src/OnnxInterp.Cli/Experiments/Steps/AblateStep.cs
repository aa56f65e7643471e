using OnnxInterp.Analysis.Engine;
using System.Diagnostics;
using OnnxInterp.Analysis.Ablation;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Cli.Commands.Ablate;
using OnnxInterp.Cli.Commands.Patch;
using OnnxInterp.Cli.Reports;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Experiments.Steps;

/// <summary>
/// <c>"step": "ablate"</c>: zero, mean or resample ablation, as the <c>ablate</c> verb: one variant per head
/// (<c>heads</c>, the default), per layer (<c>layers</c>), per neuron of a layer (<c>neurons</c>), and one variant of
/// <c>sites</c> ablated together. The metric defaults to the loss on the repeated half (repeated prompts) or logit-diff.
/// Under <c>--shard K/N</c> every shard runs variants K, K + N, ... and <c>merge</c> joins them.
/// </summary>
public sealed record AblateStep : StepSpec
{
    public override string Kind => "ablate";
    public string Method { get; init; } = "zero";
    public string? Metric { get; init; }
    public bool Heads { get; init; }
    public bool Layers { get; init; }
    public int? Neurons { get; init; }
    public IReadOnlyList<string>? Sites { get; init; }
    public int RowsPerRun { get; init; } = 32;

    internal override PlannedStep Plan(SpecPlanner planner, string field)
    {
        var model = planner.Model(this, field);
        var method = Method.ToLowerInvariant() switch
        {
            "zero" => AblationMethod.Zero,
            "mean" => AblationMethod.Mean,
            "resample" => AblationMethod.Resample,
            _ => throw new SpecException(field + ".method", $"'{Method}' is not an ablation method; use zero, mean or resample."),
        };
        if (RowsPerRun < 1) throw new SpecException(field + ".rowsPerRun", $"must be at least 1, not {RowsPerRun}.");
        var prompts = planner.Prompts(this, model, field);
        var metric = Metric is null
            ? prompts.Repeated || prompts.Items.Any(p => p.Wrong < 0) ? MetricKind.Loss : MetricKind.LogitDiff
            : SpecPlanner.At(field + ".metric", () => MetricNames.Parse(Metric, "metric"));
        if (metric == MetricKind.LogitDiff && prompts.Items.Any(p => p.Answer < 0 || p.Wrong < 0))
            throw new SpecException(field + ".metric", "logit-diff needs \"answer\" and \"wrong\" in every prompt.");
        if (metric is MetricKind.Probability or MetricKind.Rank && prompts.Items.Any(p => p.Answer < 0))
            throw new SpecException(field + ".metric", $"{Metric} needs \"answer\" in every prompt.");
        if (method == AblationMethod.Resample && prompts.Items.Count < 2)
            throw new SpecException(field + ".method", "resample ablation needs at least two prompts: each reads its activation from another.");
        var variants = Variants(model.Map, field);
        var targets = prompts.Items.Select(p => Target(p)).ToList();
        var request = new AblationRequest(targets, [.. variants.Select(v => v.Sites)], method, metric);
        return new PlannedStep(Name ?? "ablate", Kind, planner.ModelPath(this, field), run => Run(model, request, variants, prompts, run)) { SplitsAcrossShards = true };
    }

    static MetricTarget Target(ResolvedPrompt p) =>
        // Without an answer, loss and accuracy average over every next-token prediction inside the prompt.
        new(p.Clean, -1, p.Answer, p.Wrong, p.LossPositions ?? (p.Answer < 0 ? [.. Enumerable.Range(0, p.Clean.Length - 1)] : null));

    List<AblationVariant> Variants(HookMap map, string field)
    {
        var variants = new List<AblationVariant>();
        if (Sites is { Count: > 0 })
        {
            var parsed = Sites.Select((s, i) => SpecPlanner.At($"{field}.sites[{i}]", () => SiteSyntax.Parse(s))).ToList();
            for (int i = 0; i < parsed.Count; i++)
                if (!map.Contains(parsed[i].Hook))
                    throw new SpecException($"{field}.sites[{i}]", $"the model has no hook '{parsed[i].Hook}'. Closest: {string.Join(", ", HookNames.Closest(parsed[i].Hook, map.Points.Select(p => p.Name.Value)))}.");
            variants.Add(new AblationVariant(string.Join(" + ", parsed), parsed));
        }
        if (Layers)
            foreach (var part in new[] { "attn_out", "mlp_out" })
                for (int l = 0; l < map.NLayers; l++)
                    if (map.Contains($"blocks.{l}.hook_{part}"))
                        variants.Add(new AblationVariant($"L{l} {part}", [Ablations.Layer(l, part)], "layers", l, part == "attn_out" ? 0 : 1));
        if (Neurons is { } layer)
        {
            if (layer < 0 || layer >= map.NLayers || map.DMlp == 0 || !map.Contains($"blocks.{layer}.mlp.hook_post"))
                throw new SpecException(field + ".neurons", $"the model has no blocks.{layer}.mlp.hook_post (it has {map.NLayers} layers, 0..{map.NLayers - 1}; d_mlp {map.DMlp}).");
            for (int n = 0; n < map.DMlp; n++) variants.Add(new AblationVariant($"L{layer}N{n}", [Ablations.Neuron(layer, n)], "neurons", 0, n));
        }
        if (Heads || variants.Count == 0)
            for (int l = 0; l < map.NLayers; l++)
                for (int h = 0; h < map.NHeads; h++)
                    variants.Add(new AblationVariant($"L{l}H{h}", [Ablations.Head(l, h)], "heads", l, h));
        return variants;
    }

    StepOutcome Run(HookedModel model, AblationRequest request, List<AblationVariant> variants, ResolvedPrompts prompts, StepRunContext run)
    {
        var clock = Stopwatch.StartNew();
        // Sharded, each shard runs its share of the variants (and the un-ablated prompts, and the means).
        if (run.Shard is { } shard) request = request with { Share = new WorkShare(shard.Index, shard.Count) };
        AblationResult result;
        using (var sessions = new SessionCache(run.Device, run.Notice))
            result = Ablations.Run(model, request, new InterventionOptions(RowsPerRun, run.Device, sessions, run.Notice));
        double seconds = clock.Elapsed.TotalSeconds;
        var metric = MetricNames.Name(request.Metric);
        var rows = variants.Select((v, i) => new AblationVariantRow(v.Label, [.. v.Sites.Select(s => s.ToString())], result.Variants[i], result.Change(i), result.Ratio(i))).ToList();
        var grids = AblationVariant.Grids(variants, result, metric);
        var output = new AblateOutput(run.ModelPath, run.Device.ToString().ToLowerInvariant(), request.Method.ToString().ToLowerInvariant(), metric,
            request.Prompts.Count, request.Prompts[0].Tokens.Count, result.Baseline, rows, [.. grids.Select(g => g.Grid)], result.Runs, result.Rows, seconds, null);
        var table = new TableResult("variants", $"{request.Method.ToString().ToLowerInvariant()} ablation, {metric} (baseline {result.Baseline:G5}), {prompts.Description}",
            ["variant", "sites", "value", "change", "ratio"], TableRows(rows));
        return new StepOutcome(output, prompts.Seed, StepPrompts.Of(model, prompts), [table], grids);
    }

    internal static IReadOnlyList<IReadOnlyList<object?>> TableRows(IEnumerable<AblationVariantRow> rows) =>
        [.. rows.Select(r => (IReadOnlyList<object?>)[r.Label, string.Join(" ", r.Sites), r.Value, r.Change, r.Ratio])];
}
