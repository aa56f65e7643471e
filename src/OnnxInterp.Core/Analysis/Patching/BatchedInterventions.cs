using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis.Patching;

/// <summary>
/// Runs an <see cref="InterventionPlan"/> as rows of a few session runs: one rewrite puts a patch point on every
/// hook tensor the plan touches, and each run's batch is [source rows, (first run) target rows, variant rows].
/// A variant row's masks select its sites; its gather rows point at its prompt's source row in the same batch.
/// Every row is scored by the metric as a run of its prompt. The plan is checked before the first run.
/// </summary>
public static class BatchedInterventions
{
    public static InterventionResult Run(HookedModel model, InterventionPlan plan, MetricEvaluator metric, InterventionOptions? options = null)
    {
        options ??= new InterventionOptions();
        int prompts = Check(plan, metric);
        int positions = plan.Targets[0].Count;

        var hooks = plan.Variants.SelectMany(v => v).Select(s => s.Hook).Distinct().ToList();
        var (ready, points) = hooks.Count == 0 ? (model, []) : model.Prepare(hooks);
        var byHook = points.ToDictionary(p => p.Name.Value, StringComparer.Ordinal);
        var geometry = Geometry(plan, byHook, ready.Map.Config, positions);

        var logitsHook = ready.Map.TryGet("logits", out var found) ? found : null;
        var output = options.Output ?? logitsHook?.Tensor ?? NextTokenPrediction.LogitsOutput(ready.Model.Graph);
        // Logits [batch, pos, vocab] are computed only where the metric reads them (LogitsAtPositions): a
        // GPT-2-vocabulary unembedding is most of a small model's compute, and its output most of the copying.
        bool gather = options.Output is null && logitsHook is { Layout.Rank: 3 } && logitsHook.Layout.Axes[1] == "pos";
        var (compiled, owned) = Compile(ready, geometry.Values.Select(g => g.Tensor).Distinct().ToList(), plan.Source, output, gather, options);
        try
        {
            return Execute(compiled, plan, metric, geometry, gather ? GatheredLogits : output, gather, options, prompts);
        }
        finally
        {
            if (owned) compiled.Dispose();
        }
    }

    static int Check(InterventionPlan plan, MetricEvaluator metric)
    {
        int prompts = plan.Targets.Count;
        if (prompts == 0) throw new ArgumentException("no prompts were given.");
        if (plan.Sources.Count != prompts)
            throw new ArgumentException($"{plan.Sources.Count} source prompts were given for {prompts} target prompts; each prompt needs both.");
        if (metric.Targets.Count != prompts)
            throw new ArgumentException($"the metric has {metric.Targets.Count} targets for {prompts} prompts.");
        int n = plan.Targets[0].Count;
        var all = plan.Targets.Select((t, i) => (t, $"target prompt {i}")).Concat(plan.Sources.Select((t, i) => (t, $"source prompt {i}")));
        foreach (var (tokens, what) in all)
            if (tokens.Count != n)
                throw new ArgumentException($"prompts in one batch must have the same token length: target prompt 0 has {n} tokens but {what} has {tokens.Count}.");
        if (plan.SourceOf is { } map)
        {
            if (map.Count != prompts) throw new ArgumentException($"SourceOf has {map.Count} entries for {prompts} prompts.");
            foreach (var s in map)
                if (s < 0 || s >= prompts) throw new ArgumentException($"source row {s} is outside the {prompts} source prompts.");
        }
        if (plan.Source == PatchSource.Fed && plan.FedValues is null)
            throw new ArgumentException("a fed intervention needs FedValues (one tensor per hook).");
        return prompts;
    }

    static Dictionary<string, PatchGeometry> Geometry(InterventionPlan plan, Dictionary<string, HookPoint> byHook, HookConfig config, int positions)
    {
        var sites = plan.Variants.SelectMany(v => v).ToList();
        // Hooks sharing a tensor (resid_post of layer l is resid_pre of layer l+1) share one patch point and one mask.
        var byTensor = sites.GroupBy(s => byHook[s.Hook].Tensor, StringComparer.Ordinal);
        var geometry = new Dictionary<string, PatchGeometry>(StringComparer.Ordinal);
        foreach (var group in byTensor)
        {
            var first = byHook[group.First().Hook];
            foreach (var other in group.Select(s => byHook[s.Hook]).Where(p => !p.Layout.Equals(first.Layout)))
                throw new ArgumentException($"hooks '{first.Name}' {first.Layout} and '{other.Name}' {other.Layout} are the same tensor with different layouts.");
            var g = PatchGeometry.For(first, group.SelectMany(s => s.Index.Keys), config, positions);
            foreach (var site in group)
            {
                g.Check(site);
                geometry[site.Hook] = g;
            }
        }
        if (plan.Source == PatchSource.Fed)
            foreach (var hook in geometry.Keys.Where(h => !plan.FedValues!.ContainsKey(h)))
                throw new ArgumentException($"no fed value was given for hook '{hook}'.");
        return geometry;
    }

    const string GatheredLogits = "metric_logits", ReadPositions = "metric_positions";

    static (CompiledModel Compiled, bool Owned) Compile(HookedModel ready, List<string> tensors, PatchSource source, string output, bool gather, InterventionOptions options)
    {
        OnnxModel Build()
        {
            // Patch inputs are typed after their tensors; the probe measures types the file leaves undeclared (on CPU: it is one small run).
            var typed = TypeProbe.Fill(ready.Model);
            var patched = InsertPatchPoints.Apply(typed, tensors.Select(t => new PatchRequest(t, source))).Model;
            if (!gather) return patched.Graph.IsGraphOutput(output) ? patched : Expose.Apply(patched, [output]).Model;
            return LogitsAtPositions.Apply(patched, output, ReadPositions, GatheredLogits).Model;
        }
        var identity = $"interventions|{string.Join(";", ready.Changes)}|{source}|{string.Join(",", tensors)}|out={output}|gather={gather}";
        if (options.Sessions is { } cache) return (cache.Get(identity, Build), false);
        return (SessionFactory.Compile(Build(), options.Device, options.Log), true);
    }

    /// <summary>One batch row: which prompt it runs, which variant it carries (-1 source baseline, -2 target baseline).</summary>
    readonly record struct Row(int Prompt, int Variant);

    static InterventionResult Execute(CompiledModel compiled, InterventionPlan plan, MetricEvaluator metric,
        Dictionary<string, PatchGeometry> geometry, string output, bool gathered, InterventionOptions options, int prompts)
    {
        var sourceBaseline = new double[prompts];
        var targetBaseline = new double[prompts];
        var variants = plan.Variants.Select(_ => new double[prompts]).ToArray();
        var pending = new Queue<Row>(Enumerable.Range(0, plan.Variants.Count).SelectMany(v => Enumerable.Range(0, prompts).Select(i => new Row(i, v))));
        bool sourcesEveryRun = plan.Source == PatchSource.Rows;
        int runs = 0, rows = 0;
        do
        {
            var batch = new List<Row>();
            bool first = runs == 0;
            if (first || sourcesEveryRun) batch.AddRange(Enumerable.Range(0, prompts).Select(i => new Row(i, -1)));
            if (first && !plan.TargetsAreSources) batch.AddRange(Enumerable.Range(0, prompts).Select(i => new Row(i, -2)));
            // RowsPerRun is a target: source rows re-sent with every run may take at most a quarter of it, so with many
            // prompts a run grows to carry three times as many variant rows as source rows.
            int capacity = Math.Max(options.RowsPerRun - batch.Count, sourcesEveryRun ? 3 * prompts : prompts);
            while (capacity-- > 0 && pending.Count > 0) batch.Add(pending.Dequeue());

            var feeds = Feeds(compiled.Model.Graph, plan, batch, geometry);
            if (gathered) feeds.Add(NamedTensor.Int64(ReadPositions, [metric.ReadPositions.Length], [.. metric.ReadPositions.Select(p => (long)p)]));
            var logits = compiled.Run(feeds, [output])[output];
            runs++;
            rows += batch.Count;
            if (first && metric.NeedsReference)
                metric = metric.WithReference(logits, [.. Enumerable.Range(0, prompts)], gathered);
            for (int r = 0; r < batch.Count; r++)
            {
                var (prompt, variant) = batch[r];
                double value = metric.Evaluate(logits, r, prompt, gathered);
                if (variant == -1) { if (first) sourceBaseline[prompt] = value; }
                else if (variant == -2) targetBaseline[prompt] = value;
                else variants[variant][prompt] = value;
            }
        }
        while (pending.Count > 0);
        if (plan.TargetsAreSources) Array.Copy(sourceBaseline, targetBaseline, prompts);
        return new InterventionResult(sourceBaseline, targetBaseline, variants, runs, rows);
    }

    static List<NamedTensor> Feeds(OnnxGraph graph, InterventionPlan plan, List<Row> batch, Dictionary<string, PatchGeometry> geometry)
    {
        int b = batch.Count;
        var tokens = batch.Select(r => r.Variant == -1 ? plan.Sources[r.Prompt] : plan.Targets[r.Prompt]).ToList();
        var feeds = BatchFeeds.For(graph, tokens, [ReadPositions]);
        foreach (var g in geometry.Values.Distinct())
        {
            var point = new PatchPoint(g.Tensor, plan.Source, new TensorType(ElementType.Float, null), g.BatchAxis);
            var shape = g.MaskShape(b);
            var mask = new bool[shape.Aggregate(1L, (x, y) => x * y)];
            for (int r = 0; r < b; r++)
            {
                if (batch[r].Variant < 0) continue;
                foreach (var site in plan.Variants[batch[r].Variant])
                    if (geometry[site.Hook].Tensor == g.Tensor) g.Set(mask, b, r, site);
            }
            feeds.Add(NamedTensor.Bool(point.MaskInput, shape, mask));
            if (plan.Source == PatchSource.Rows)
            {
                // Source rows sit at 0..prompts-1 of every batch, so a variant row of prompt i gathers row SourceOf[i].
                var gather = batch.Select((row, r) => row.Variant >= 0 ? (long)plan.SourceRowOf(row.Prompt) : r).ToArray();
                feeds.Add(NamedTensor.Int64(point.RowsInput!, [b], gather));
            }
            else if (plan.Source == PatchSource.Fed)
            {
                var hook = geometry.Where(kv => kv.Value == g).Select(kv => kv.Key).First(h => plan.FedValues!.ContainsKey(h));
                feeds.Add(plan.FedValues![hook].Renamed(point.SourceInput!));
            }
        }
        return feeds;
    }
}
