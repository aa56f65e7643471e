using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Hooks;

namespace OnnxInterp.Analysis.Patching;

/// <summary>
/// Activation patching as rows of one batch plan: every variant of every requested sweep, for every prompt pair,
/// is one batch row that runs the corrupted prompt (clean with <c>Reverse</c>) and reads its site's activation from
/// the pair's clean (corrupted) row in the same batch. On a graph with past key/values, variants that patch one
/// position run from that position on (<see cref="PastPatching"/>). See docs/patching.md.
/// </summary>
public static class ActivationPatching
{
    public static PatchingResult Run(HookedModel model, PatchingRequest request, InterventionOptions? options = null)
    {
        if (request.Pairs.Count == 0) throw new ArgumentException("no prompt pairs were given.");
        for (int i = 0; i < request.Pairs.Count; i++) request.Pairs[i].Checked(i);
        int positions = request.Pairs[0].Clean.Count;
        for (int i = 1; i < request.Pairs.Count; i++)
            if (request.Pairs[i].Clean.Count != positions)
                throw new ArgumentException($"all pairs must have the same token length to share position axes: pair 0 has {positions} tokens, pair {i} has {request.Pairs[i].Clean.Count}.");

        var targets = request.Pairs.Select(p => new MetricTarget(p.Clean, p.Position, p.Answer, p.Wrong)).ToList();
        var metric = new MetricEvaluator(request.Metric, targets);
        var clean = request.Pairs.Select(p => p.Clean).ToList();
        var corrupted = request.Pairs.Select(p => p.Corrupted).ToList();

        var sweeps = new List<(SweepSpec Spec, IReadOnlyList<SweepAxis> Axes, int First, int Count)>();
        var skipped = new List<string>();
        var variants = new List<IReadOnlyList<PatchSite>>();
        foreach (var spec in request.Sweeps)
        {
            if (!spec.ExistsIn(model.Map))
            {
                skipped.Add($"{spec.Name}: the model has no {spec.Hook} hook");
                continue;
            }
            var axes = spec.Resolve(model.Map, positions);
            int first = variants.Count;
            variants.AddRange(spec.Variants(axes).Select(v => (IReadOnlyList<PatchSite>)[v.Site]));
            sweeps.Add((spec, axes, first, variants.Count - first));
        }
        if (sweeps.Count == 0) throw new ArgumentException($"none of the sweeps apply to this model: {string.Join("; ", skipped)}.");

        int n = request.Pairs.Count;
        // Variants this process runs, in order: position k of the batch's variant rows is variant chosen[k].
        var chosen = WorkShare.Indices(request.Share, variants.Count);
        var slot = WorkShare.Slots(chosen, variants.Count);
        var running = chosen.Select(v => variants[v]).ToList();
        IReadOnlyList<RowResult> results;
        int runs, batchRows;
        // Decided on every variant, so each share runs its variants the way one whole run would.
        if (PastPatching.Applies(model, variants, targets, options))
            (results, runs, batchRows) = PastPatching.Run(model, request.Pairs, request.Reverse, running, options);
        else
        {
            // Rows: clean prompts, corrupted prompts, then one row per (variant, pair) running the target prompt with the
            // variant's sites read from the pair's source row (clean into corrupted; corrupted into clean with Reverse).
            var rows = clean.Concat(corrupted).Select(t => new PlanRow(t)).ToList();
            foreach (var variant in running)
                for (int i = 0; i < n; i++)
                {
                    int source = request.Reverse ? n + i : i;
                    rows.Add(new PlanRow(request.Reverse ? clean[i] : corrupted[i], [.. variant.Select(site => site.Write(new WriteSource.FromRow(source)))]));
                }
            using var engine = new InterventionEngine(model, options);
            var result = engine.Run(new InterventionPlan(rows, Logits: options?.Output is null ? LogitReads.At(metric.ReadPositions) : null, Output: options?.Output));
            (results, runs, batchRows) = (result.Rows, result.Runs, result.BatchRows);
        }
        // KL is measured against the clean run, whichever way the patch goes.
        metric = metric.WithReference([.. Enumerable.Range(0, n).Select(i => results[i])]);
        double cleanMean = Enumerable.Range(0, n).Average(i => metric.Evaluate(results[i], i));
        double corruptedMean = Enumerable.Range(0, n).Average(i => metric.Evaluate(results[n + i], i));
        double VariantMean(int v) => slot[v] < 0 ? double.NaN : Enumerable.Range(0, n).Average(i => metric.Evaluate(results[2 * n + slot[v] * n + i], i));

        var grids = sweeps.Select(s =>
        {
            var raw = Enumerable.Range(s.First, s.Count).Select(VariantMean).ToArray();
            var normalised = raw.Select(v => PatchingMetric.Normalise(v, cleanMean, corruptedMean)).ToArray();
            return new SweepResult(s.Spec, s.Axes, raw, normalised);
        }).ToList();
        return new PatchingResult(request.Metric, request.Reverse, request.Pairs.Count, positions, cleanMean, corruptedMean, grids, skipped, runs, batchRows);
    }
}
