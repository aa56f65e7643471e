using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Paths;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis.Scrubbing;

/// <summary>
/// Causal scrubbing (Chan et al. 2022, Redwood) on the residual graph: for each sampled example, the hypothesis is
/// treeified into rows (<see cref="ScrubTree"/>) whose claimed edges read equivalent examples and whose other edges read
/// random ones; the loss of the root row is the scrubbed loss. The clean rows and a fully resampled tree (every edge
/// into the logits from a random example) are rows of the same plan, so the whole experiment is one batched plan.
/// <see cref="Reference"/> evaluates the same trees node by node with separate runs (fed values), for checking.
/// </summary>
public static class CausalScrubbing
{
    public static ScrubResult Run(HookedModel model, ScrubRequest request, InterventionOptions? options = null) =>
        Run(ResidualGraph.Build(model), request, options);

    public static ScrubResult Run(ResidualGraph graph, ScrubRequest request, InterventionOptions? options = null)
    {
        var (trees, samples, positions) = Build(graph, request);
        using var engine = new InterventionEngine(graph.Model, options);
        var result = engine.Run(new InterventionPlan(trees.Rows, Logits: LogitReads.At([.. positions])));
        return Score(request, samples, positions, (example, row) => Loss(result[row], request.Dataset.Examples[example].Tokens, positions), trees.Rows.Count, result.Runs, result.BatchRows);
    }

    /// <summary>The same numbers, each tree evaluated node by node: every node in its own run, its children's outputs fed in.</summary>
    public static ScrubResult Reference(ResidualGraph graph, ScrubRequest request, InterventionOptions? options = null)
    {
        var (trees, samples, positions) = Build(graph, request);
        using var engine = new InterventionEngine(graph.Model, options);
        var memo = new Dictionary<(int Row, string Hook), NamedTensor>();
        NamedTensor Output(int row, string hook)
        {
            if (memo.TryGetValue((row, hook), out var known)) return known;
            var r = engine.Run(new InterventionPlan([Fed(row)], [hook], LogitReads.None))[0][hook];
            return memo[(row, hook)] = r;
        }
        PlanRow Fed(int row) => new(trees.Rows[row].Tokens, [.. trees.Rows[row].WriteList.Select(w =>
            new HookWrite(w.Hook, new WriteSource.Fed(Output(((WriteSource.FromRow)w.Source).Row, w.Hook))))]);
        int runs = 0;
        double LossOf(int example, int row)
        {
            runs++;
            var logits = engine.Run(new InterventionPlan([Fed(row)], Logits: LogitReads.At([.. positions])))[0];
            return Loss(logits, request.Dataset.Examples[example].Tokens, positions);
        }
        var losses = samples.SelectMany(x => new[] { x.Clean, x.Scrubbed, x.Random }.Select(row => (x.Example, row))).Distinct()
            .ToDictionary(p => p, p => LossOf(p.Example, p.row));
        return Score(request, samples, positions, (example, row) => losses[(example, row)], trees.Rows.Count, runs + memo.Count, runs + memo.Count);
    }

    static (ScrubTree Trees, List<Sample> Samples, IReadOnlyList<int> Positions) Build(ResidualGraph graph, ScrubRequest request)
    {
        var (hypothesis, dataset) = (request.Hypothesis, request.Dataset);
        foreach (var claim in hypothesis.Claims)
            foreach (var (s, r) in claim.Edges) graph.Edge(s, r);
        if (request.Samples < 1) throw new ArgumentException($"the number of samples must be at least 1 (got {request.Samples}).");
        int n = dataset.Length;
        if (graph.Model.Map.Config.NCtx is > 0 and var ctx && n > ctx)
            throw new ArgumentException($"dataset examples have {n} tokens but the model's context window is {ctx}.");
        var positions = hypothesis.LossPositions ?? [.. Enumerable.Range(0, n - 1)];
        foreach (var p in positions)
            if (p < 0 || p >= n - 1) throw new ArgumentException($"loss position {p} is outside 0..{n - 2} (each loss position predicts the token after it in a {n}-token example).");
        foreach (var rule in hypothesis.Claims.Select(c => c.Rule).Where(r => r.Positions is not null))
            foreach (var p in rule.Positions!)
                if (p < 0 || p >= n) throw new ArgumentException($"rule '{rule}' names position {p}, outside the {n}-token examples.");
        foreach (var rule in hypothesis.Claims.Select(c => c.Rule).Where(r => r.Feature is not null))
            if (dataset.Examples.All(e => !e.Features.ContainsKey(rule.Feature!)))
                throw new ArgumentException($"rule '{rule}' names feature '{rule.Feature}', which no dataset example has.");

        var random = new Random(request.Seed);
        var trees = new ScrubTree(graph, dataset, random);
        // Fully resampled: no edge claimed, so every edge into the logits reads a random example.
        var nothing = new Hypothesis("nothing", []);
        var samples = new List<Sample>();
        for (int k = 0; k < request.Samples; k++)
        {
            int example = random.Next(dataset.Count);
            int clean = trees.Plain(example);
            int before = trees.Rows.Count;
            int scrubbed = trees.Node("logits", example, hypothesis);
            int size = trees.Rows.Count - before;
            samples.Add(new Sample(example, clean, scrubbed, trees.Node("logits", example, nothing), size));
        }
        return (trees, samples, positions);
    }

    static double Loss(RowResult row, IReadOnlyList<long> tokens, IReadOnlyList<int> positions) =>
        positions.Average(p => LogitMetrics.Loss(row.LogitsAt(p), tokens[p + 1]));

    static ScrubResult Score(ScrubRequest request, List<Sample> samples, IReadOnlyList<int> positions, Func<int, int, double> loss, int rows, int runs, int batchRows)
    {
        var clean = samples.Select(s => loss(s.Example, s.Clean)).ToArray();
        var scrubbed = samples.Select(s => loss(s.Example, s.Scrubbed)).ToArray();
        var random = samples.Select(s => loss(s.Example, s.Random)).ToArray();
        double Recovered(IReadOnlyList<int> pick) =>
            (pick.Average(i => random[i]) - pick.Average(i => scrubbed[i])) / (pick.Average(i => random[i]) - pick.Average(i => clean[i]));
        var all = Enumerable.Range(0, samples.Count).ToList();
        var boot = new Random(request.Seed + 1);
        var estimates = Enumerable.Range(0, request.BootstrapResamples)
            .Select(_ => Recovered([.. all.Select(_ => boot.Next(all.Count))])).Where(double.IsFinite).Order().ToList();
        double Quantile(double q) => estimates.Count == 0 ? double.NaN : estimates[(int)Math.Clamp(Math.Round(q * (estimates.Count - 1)), 0, estimates.Count - 1)];
        return new ScrubResult(request.Hypothesis.Name, clean.Average(), scrubbed.Average(), random.Average(), Recovered(all), Quantile(0.025), Quantile(0.975),
            samples.Count, samples.Average(s => s.TreeSize), positions, rows, runs, batchRows, scrubbed, clean, random);
    }

    sealed record Sample(int Example, int Clean, int Scrubbed, int Random, int TreeSize);
}
