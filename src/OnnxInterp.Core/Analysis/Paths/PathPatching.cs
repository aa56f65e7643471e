using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Hooks;

namespace OnnxInterp.Analysis.Paths;

/// <summary>
/// Path patching (Wang et al. 2022) on the residual graph: for each sender and receiver, the clean run with the receiver
/// reading the sender's corrupted output along the direct path only; every other path, the sender's effect on other
/// components included, stays clean. One engine plan: clean rows, corrupted rows, then one row per (sender, receiver,
/// pair) that writes the edge hook from the pair's corrupted row (on a masked graph, two plans: the first reads the
/// corrupted senders). Values are normalised like noising patching (1 = the clean behaviour, 0 = the corrupted one).
/// See docs/paths.md.
/// </summary>
public static class PathPatching
{
    /// <summary>
    /// Past this many edges a request runs on the masked graph: each edge hook adds nodes and write points, and GPT-2
    /// small's heads into every query (9,504 edges) would not compile in reasonable time.
    /// </summary>
    public const int MaxEdgeHooks = 512;

    /// <summary>Runs on the residual graph <see cref="GraphFor"/> picks for the request.</summary>
    public static PathPatchingResult Run(HookedModel model, PathPatchingRequest request, InterventionOptions? options = null) =>
        Run(GraphFor(model, request), request, options);

    /// <summary>
    /// A residual graph for the request: with exactly its edges as hooks, or the masked graph when it names more than
    /// <see cref="MaxEdgeHooks"/> edges (each row then reads its pair's corrupted senders through one mask element).
    /// </summary>
    public static ResidualGraph GraphFor(HookedModel model, PathPatchingRequest request)
    {
        bool Wanted(ResidualNode s, ResidualNode r) => request.Senders.Any(w => Matches(s, w, "sender")) && request.Receivers.Any(w => Matches(r, w, "receiver"));
        return ResidualGraph.BuildFor(model, Wanted, MaxEdgeHooks);
    }

    public static PathPatchingResult Run(ResidualGraph graph, PathPatchingRequest request, InterventionOptions? options = null)
    {
        var pairs = request.Pairs;
        if (pairs.Count == 0) throw new ArgumentException("no prompt pairs were given.");
        for (int i = 0; i < pairs.Count; i++) pairs[i].Checked(i);
        if (pairs.Any(p => p.Clean.Count != pairs[0].Clean.Count))
            throw new ArgumentException("all pairs must have the same token length.");
        var senders = Nodes(graph.Senders, request.Senders, "sender");
        var receivers = Nodes(graph.Receivers, request.Receivers, "receiver");
        var metric = new MetricEvaluator(request.Metric, [.. pairs.Select(p => new MetricTarget(p.Clean, p.Position, p.Answer, p.Wrong))]);

        int n = pairs.Count;
        var edges = graph.Edges.ToDictionary(e => (e.Sender, e.Receiver));
        var cells = new List<(int Sender, int Receiver, ResidualEdge Edge)>();
        for (int s = 0; s < senders.Count; s++)
            for (int r = 0; r < receivers.Count; r++)
            {
                if (!ResidualGraph.Precedes(senders[s], receivers[r])) continue;
                cells.Add((s, r, edges.GetValueOrDefault((senders[s], receivers[r]))
                    ?? throw new ArgumentException($"the residual graph was built without the edge {senders[s].Name} -> {receivers[r].Name}; build it with every edge the request names (PathPatching.GraphFor).")));
            }
        if (cells.Count == 0) throw new ArgumentException("no sender comes before any receiver: nothing to patch.");

        // Rows: the clean prompts, the corrupted prompts, then one row per (cell, pair) running the clean prompt with that
        // edge reading the pair's corrupted sender: from the corrupted row's edge hook, or on a masked graph from the
        // corrupted senders read by a first plan.
        var logits = LogitReads.At(metric.ReadPositions);
        var baseRows = pairs.Select(p => new PlanRow(p.Clean)).Concat(pairs.Select(p => new PlanRow(p.Corrupted))).ToList();
        using var engine = new InterventionEngine(graph.Model, options);
        var result = new List<RowResult>();
        int runs = 0, batchRows = 0;
        void Add(PlanResult plan) { result.AddRange(plan.Rows); runs += plan.Runs; batchRows += plan.BatchRows; }
        if (graph.Masks is { } masks)
        {
            var baseline = engine.Run(new InterventionPlan(baseRows, Reads: [masks.SendersHook], Logits: logits));
            Add(baseline);
            var references = Enumerable.Range(0, n).Select(i => baseline[n + i][masks.SendersHook]).ToList();
            Add(engine.Run(new InterventionPlan([.. cells.SelectMany(c => Enumerable.Range(0, n).Select(i => new PlanRow(pairs[i].Clean, masks.Writes([c.Edge], references[i]))))],
                Logits: logits)));
        }
        else
            Add(engine.Run(new InterventionPlan([.. baseRows, .. cells.SelectMany(c => Enumerable.Range(0, n).Select(i =>
                new PlanRow(pairs[i].Clean, [new HookWrite(c.Edge.Hook, new WriteSource.FromRow(n + i))])))], Logits: logits)));
        metric = metric.WithReference([.. Enumerable.Range(0, n).Select(i => result[i])]);
        double clean = Enumerable.Range(0, n).Average(i => metric.Evaluate(result[i], i));
        double corrupted = Enumerable.Range(0, n).Average(i => metric.Evaluate(result[n + i], i));

        var raw = new double[senders.Count, receivers.Count];
        for (int s = 0; s < senders.Count; s++) for (int r = 0; r < receivers.Count; r++) raw[s, r] = double.NaN;
        for (int c = 0; c < cells.Count; c++)
            raw[cells[c].Sender, cells[c].Receiver] = Enumerable.Range(0, n).Average(i => metric.Evaluate(result[2 * n + c * n + i], i));
        var normalised = new double[senders.Count, receivers.Count];
        for (int s = 0; s < senders.Count; s++)
            for (int r = 0; r < receivers.Count; r++)
                normalised[s, r] = double.IsNaN(raw[s, r]) ? double.NaN : PatchingMetric.Normalise(raw[s, r], clean, corrupted);
        return new PathPatchingResult(request.Metric, senders, receivers, raw, normalised, clean, corrupted, n, runs, batchRows);
    }

    /// <summary>Whether a node is named by a name or keyword (all, heads, mlps, embeds; for receivers also q, k, v).</summary>
    static bool Matches(ResidualNode x, string name, string what) => name switch
    {
        "all" => true,
        "heads" => x.Head is not null && !x.Name.Contains('_'),
        "mlps" => x.Name.StartsWith("mlp", StringComparison.Ordinal),
        "embeds" => x.Layer < 0,
        "q" or "k" or "v" when what == "receiver" => x.Name.EndsWith("_" + name, StringComparison.Ordinal),
        _ => x.Name == name,
    };

    /// <summary>Names or keywords (all, heads, mlps, embeds; for receivers also q, k, v), in the order given; a keyword expands in graph order.</summary>
    static List<ResidualNode> Nodes(IReadOnlyList<ResidualNode> all, IReadOnlyList<string> wanted, string what)
    {
        var chosen = new List<ResidualNode>();
        foreach (var name in wanted)
        {
            var hits = all.Where(x => Matches(x, name, what)).ToList();
            if (hits.Count == 0)
                throw new ArgumentException($"'{name}' is not a {what} of this model; {what}s are {string.Join(", ", all.Take(12).Select(x => x.Name))}{(all.Count > 12 ? ", ..." : "")} (or all, heads, mlps, embeds{(what == "receiver" ? ", q, k, v" : "")}).");
            chosen.AddRange(hits.Where(h => !chosen.Contains(h)));
        }
        return chosen;
    }
}
