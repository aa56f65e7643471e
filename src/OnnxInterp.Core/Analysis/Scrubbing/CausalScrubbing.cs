using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
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
        var chosen = WorkShare.Indices(request.Share, samples.Count);
        var (rows, index) = Needed(trees.Rows, chosen.SelectMany(k => new[] { samples[k].Clean, samples[k].Scrubbed, samples[k].Random }));
        if (rows.Count == 0) return Score(request, samples, chosen, positions, (_, _) => double.NaN, 0, 0, 0); // a share without samples
        using var engine = new InterventionEngine(graph.Model, options);
        var result = engine.Run(new InterventionPlan(rows, Logits: LogitReads.At([.. positions])));
        return Score(request, samples, chosen, positions, (example, row) => Loss(result[index[row]], request.Dataset.Examples[example].Tokens, positions), rows.Count, result.Runs, result.BatchRows);
    }

    /// <summary>
    /// The shares of one request (run with <see cref="ScrubRequest.Share"/>) as one result: each sample's losses from the
    /// share that ran it, the means and the bootstrap interval recomputed over all of them, exactly as one run computes
    /// them; plan rows, runs and batch rows are every share's.
    /// </summary>
    public static ScrubResult Join(IReadOnlyList<ScrubResult> shares)
    {
        if (shares.Count == 0) throw new ArgumentException("no shares to join.");
        var first = shares[0];
        if (shares.Any(s => s.Hypothesis != first.Hypothesis || s.Samples != first.Samples || s.Seed != first.Seed))
            throw new ArgumentException("the shares ran different hypotheses, sample counts or seeds; join the shares of one request.");
        double[] Pick(Func<ScrubResult, IReadOnlyList<double>> losses) =>
            [.. Enumerable.Range(0, first.Samples).Select(k => shares.Select(s => losses(s)[k]).FirstOrDefault(v => !double.IsNaN(v), double.NaN))];
        var scrubbed = Pick(s => s.ScrubbedPerSample);
        if (scrubbed.Any(double.IsNaN)) throw new ArgumentException("some samples were run by none of the shares; join every share.");
        return Summary(first.Hypothesis, first.Seed, first.BootstrapResamples, Pick(s => s.CleanPerSample), scrubbed, Pick(s => s.RandomPerSample),
            first.TreeSize, first.LossPositions, shares.Sum(s => s.PlanRows), shares.Sum(s => s.Runs), shares.Sum(s => s.BatchRows));
    }

    /// <summary>The rows <paramref name="roots"/> read, transitively, in plan order, with their reads renumbered; and each kept row's new index.</summary>
    static (IReadOnlyList<PlanRow> Rows, IReadOnlyDictionary<int, int> Index) Needed(IReadOnlyList<PlanRow> rows, IEnumerable<int> roots)
    {
        var keep = new SortedSet<int>();
        var pending = new Stack<int>(roots);
        while (pending.Count > 0)
        {
            int r = pending.Pop();
            if (!keep.Add(r)) continue;
            foreach (var w in rows[r].WriteList)
                if (w.Source is WriteSource.FromRow from) pending.Push(from.Row);
        }
        if (keep.Count == rows.Count) return (rows, Enumerable.Range(0, rows.Count).ToDictionary(r => r));
        var index = keep.Select((r, i) => (r, i)).ToDictionary(p => p.r, p => p.i);
        return ([.. keep.Select(r => rows[r] with { Writes = [.. rows[r].WriteList.Select(w => w.Source is WriteSource.FromRow from ? w with { Source = new WriteSource.FromRow(index[from.Row]) } : w)] })], index);
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
        return Score(request, samples, [.. Enumerable.Range(0, samples.Count)], positions, (example, row) => losses[(example, row)], trees.Rows.Count, runs + memo.Count, runs + memo.Count);
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

    /// <summary>Losses of the chosen samples (NaN for the others), summarised over them.</summary>
    static ScrubResult Score(ScrubRequest request, List<Sample> samples, IReadOnlyList<int> chosen, IReadOnlyList<int> positions, Func<int, int, double> loss, int rows, int runs, int batchRows)
    {
        double[] Losses(Func<Sample, int> row)
        {
            var values = new double[samples.Count];
            Array.Fill(values, double.NaN);
            foreach (var k in chosen) values[k] = loss(samples[k].Example, row(samples[k]));
            return values;
        }
        return Summary(request.Hypothesis.Name, request.Seed, request.BootstrapResamples, Losses(s => s.Clean), Losses(s => s.Scrubbed), Losses(s => s.Random),
            samples.Average(s => s.TreeSize), positions, rows, runs, batchRows);
    }

    /// <summary>Means and the bootstrap interval over the samples that have losses (all, unless this is one share).</summary>
    static ScrubResult Summary(string hypothesis, int seed, int resamples, double[] clean, double[] scrubbed, double[] random, double treeSize,
        IReadOnlyList<int> positions, int rows, int runs, int batchRows)
    {
        var all = Enumerable.Range(0, scrubbed.Length).Where(i => !double.IsNaN(scrubbed[i])).ToList();
        // A share may hold no samples (more shards than samples): its means are NaN, and Join fills them in.
        static double Mean(IReadOnlyList<int> pick, double[] values) => pick.Count == 0 ? double.NaN : pick.Average(i => values[i]);
        double Recovered(IReadOnlyList<int> pick) =>
            (Mean(pick, random) - Mean(pick, scrubbed)) / (Mean(pick, random) - Mean(pick, clean));
        var boot = new Random(seed + 1);
        var estimates = all.Count == 0 ? [] : Enumerable.Range(0, resamples)
            .Select(_ => Recovered([.. all.Select(_ => all[boot.Next(all.Count)])])).Where(double.IsFinite).Order().ToList();
        double Quantile(double q) => estimates.Count == 0 ? double.NaN : estimates[(int)Math.Clamp(Math.Round(q * (estimates.Count - 1)), 0, estimates.Count - 1)];
        return new ScrubResult(hypothesis, Mean(all, clean), Mean(all, scrubbed), Mean(all, random), Recovered(all), Quantile(0.025), Quantile(0.975),
            scrubbed.Length, treeSize, positions, rows, runs, batchRows, scrubbed, clean, random, seed, resamples);
    }

    sealed record Sample(int Example, int Clean, int Scrubbed, int Random, int TreeSize);
}
