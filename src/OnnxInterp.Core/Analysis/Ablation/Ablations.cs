using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Hooks;

namespace OnnxInterp.Analysis.Ablation;

/// <summary>
/// Ablation as rows of a few session runs: each variant's sites are replaced by zeros, a dataset mean, or another
/// prompt's activation (resampling) on every prompt, all variants in one batch plan, and the metric compares each
/// with the un-ablated prompts. See docs/ablation.md.
/// </summary>
public static class Ablations
{
    public static AblationResult Run(HookedModel model, AblationRequest request, InterventionOptions? options = null)
    {
        int n = request.Prompts.Count;
        if (n == 0) throw new ArgumentException("no prompts were given.");
        if (request.Variants.Count == 0) throw new ArgumentException("nothing to ablate: no variants were given.");
        var prompts = request.Prompts.Select(p => p.Tokens).ToList();
        var metric = new MetricEvaluator(request.Metric, request.Prompts);
        var hooks = request.Variants.SelectMany(v => v).Select(s => s.Hook).Distinct().ToList();

        var means = request.Method == AblationMethod.Mean
            ? MeanActivations.Compute(model, hooks, request.MeanDataset ?? prompts, request.MeanPerPosition, options) : null;
        var resampleFrom = request.Method == AblationMethod.Resample ? Shifted(n, request.ResampleShift) : null;
        WriteSource Source(PatchSite site, int prompt) => request.Method switch
        {
            AblationMethod.Zero => WriteSource.Zeros,
            AblationMethod.Mean => new WriteSource.Fed(means![site.Hook]),
            AblationMethod.Resample => new WriteSource.FromRow(resampleFrom![prompt]),
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.Method, null),
        };

        // Rows: each prompt un-ablated, then one row per (variant, prompt); resampling reads another prompt's base row.
        var chosen = WorkShare.Indices(request.Share, request.Variants.Count);
        var slot = WorkShare.Slots(chosen, request.Variants.Count);
        var rows = prompts.Select(t => new PlanRow(t)).ToList();
        foreach (var variant in chosen.Select(v => request.Variants[v]))
            for (int i = 0; i < n; i++)
                rows.Add(new PlanRow(prompts[i], [.. variant.Select(site => site.Write(Source(site, i)))]));
        using var engine = new InterventionEngine(model, options);
        var result = engine.Run(new InterventionPlan(rows, Logits: options?.Output is null ? LogitReads.At(metric.ReadPositions) : null, Output: options?.Output));
        // KL is measured against the un-ablated run of the same prompt.
        metric = metric.WithReference([.. Enumerable.Range(0, n).Select(i => result[i])]);
        var baseline = Enumerable.Range(0, n).Select(i => metric.Evaluate(result[i], i)).ToArray();
        var variants = request.Variants.Select((_, v) => slot[v] is var k and >= 0
            ? (IReadOnlyList<double>)[.. Enumerable.Range(0, n).Select(i => metric.Evaluate(result[n + k * n + i], i))]
            : [.. Enumerable.Repeat(double.NaN, n)]).ToList();
        return new AblationResult(request.Metric, request.Method, baseline.Average(), [.. variants.Select(v => v.Average())],
            baseline, variants, result.Runs, result.BatchRows);
    }

    /// <summary>One variant per attention head (its <c>attn.hook_z</c> at that head), layer-major: the knock-out sweep.</summary>
    public static IReadOnlyList<IReadOnlyList<PatchSite>> EveryHead(HookMap map) =>
        [.. Enumerable.Range(0, map.NLayers).SelectMany(l => Enumerable.Range(0, map.NHeads)
            .Select(h => (IReadOnlyList<PatchSite>)[Head(l, h)]))];

    /// <summary>Head <paramref name="head"/> of layer <paramref name="layer"/>: its z (the value-weighted sum before W_O).</summary>
    public static PatchSite Head(int layer, int head) => PatchSite.At(HookNames.Format("blocks.{l}.attn.hook_z", layer), ("head", head));

    /// <summary>A whole sublayer's output (<c>attn_out</c> or <c>mlp_out</c>) at every position.</summary>
    public static PatchSite Layer(int layer, string part) => new(HookNames.Format($"blocks.{{l}}.hook_{part}", layer));

    /// <summary>One MLP neuron: <c>mlp.hook_post</c> at index <paramref name="neuron"/> of d_mlp, every position.</summary>
    public static PatchSite Neuron(int layer, int neuron) => PatchSite.At(HookNames.Format("blocks.{l}.mlp.hook_post", layer), ("d_mlp", neuron));

    /// <summary>A hook at one position (all of its other axes).</summary>
    public static PatchSite Position(string hook, int position) => PatchSite.At(hook, ("pos", position));

    static int[] Shifted(int n, int shift)
    {
        if (n < 2) throw new ArgumentException("resample ablation needs at least two prompts: each reads its activation from another.");
        int s = ((shift % n) + n) % n;
        if (s == 0) throw new ArgumentException($"a resample shift of {shift} maps every one of the {n} prompts to itself; use a shift that is not a multiple of {n}.");
        return [.. Enumerable.Range(0, n).Select(i => (i + s) % n)];
    }
}
