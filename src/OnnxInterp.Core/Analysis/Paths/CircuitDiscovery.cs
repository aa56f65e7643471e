using System.Diagnostics;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Hooks;

namespace OnnxInterp.Analysis.Paths;

/// <summary>
/// Automated circuit discovery (ACDC, Conmy et al. 2023) on the residual graph. Starting from every edge, receivers are
/// visited from the logits back; each incoming edge is removed in turn (it reads the pair's corrupted run of the full
/// model instead of its sender) and stays removed when that moves the metric by less than the threshold. The graph is
/// the masked form (<see cref="ResidualGraph.BuildMasked"/>): one plan reads every pair's corrupted senders, then each
/// test is one engine plan of the clean prompts that write that reference and every receiver's mask, so all tests share
/// one compiled session whatever they remove. See docs/paths.md.
/// </summary>
public static class CircuitDiscovery
{
    public static DiscoveryResult Run(HookedModel model, DiscoveryRequest request, InterventionOptions? options = null, Action<int, int>? progress = null)
    {
        var pairs = request.Pairs;
        if (pairs.Count == 0) throw new ArgumentException("no prompt pairs were given.");
        for (int i = 0; i < pairs.Count; i++) pairs[i].Checked(i);
        if (pairs.Any(p => p.Clean.Count != pairs[0].Clean.Count)) throw new ArgumentException("all pairs must have the same token length.");
        if (!(request.Threshold >= 0)) throw new ArgumentException($"the threshold must be zero or more (got {request.Threshold}).");
        var clock = Stopwatch.StartNew();
        var graph = ResidualGraph.BuildMasked(model);
        var masks = graph.Masks!;
        var metric = new MetricEvaluator(request.Metric, [.. pairs.Select(p => new MetricTarget(p.Clean, p.Position, p.Answer, p.Wrong))]);
        int n = pairs.Count;
        using var engine = new InterventionEngine(graph.Model, options);
        var logits = LogitReads.At(metric.ReadPositions);
        int rowsRun = 0;

        var full = engine.Run(new InterventionPlan([.. pairs.Select(p => new PlanRow(p.Clean)), .. pairs.Select(p => new PlanRow(p.Corrupted))],
            Reads: [masks.SendersHook], Logits: logits));
        rowsRun += full.BatchRows;
        metric = metric.WithReference([.. Enumerable.Range(0, n).Select(i => full[i])]);
        double fullScore = Enumerable.Range(0, n).Average(i => metric.Evaluate(full[i], i));
        double corruptedScore = Enumerable.Range(0, n).Average(i => metric.Evaluate(full[n + i], i));
        var references = Enumerable.Range(0, n).Select(i => full[n + i][masks.SendersHook]).ToList();

        var removed = new List<ResidualEdge>();
        double Score(IReadOnlyList<ResidualEdge> cut)
        {
            var result = engine.Run(new InterventionPlan([.. pairs.Select((p, i) => new PlanRow(p.Clean, masks.Writes(cut, references[i])))], Logits: logits));
            rowsRun += result.BatchRows;
            return Enumerable.Range(0, n).Average(i => metric.Evaluate(result[i], i));
        }

        var tests = new List<EdgeTest>();
        double current = fullScore;
        var order = graph.Receivers.Reverse().SelectMany(r => graph.Edges.Where(e => e.Receiver == r).Reverse()).ToList();
        foreach (var edge in order)
        {
            double without = Score([.. removed, edge]);
            // How much removing the edge hurts: KL grows, a logit difference (or probability) falls, a loss grows.
            double harm = request.Metric switch
            {
                MetricKind.Kl or MetricKind.Loss or MetricKind.Rank => without - current,
                _ => current - without,
            };
            bool remove = harm < request.Threshold;
            tests.Add(new EdgeTest(edge, harm, remove));
            if (remove)
            {
                removed.Add(edge);
                current = without;
            }
            progress?.Invoke(tests.Count, order.Count);
        }
        var cut = removed.ToHashSet();
        var kept = graph.Edges.Where(e => !cut.Contains(e)).ToList();
        if (kept.Count == 0)
            throw new ArgumentException($"every edge was removed at threshold {request.Threshold}: the circuit is empty (its metric {current:G4}, the corrupted run's {corruptedScore:G4}). Lower the threshold.");
        return new DiscoveryResult(request.Metric, request.Threshold, graph.Edges.Count, kept, tests, fullScore, corruptedScore, current,
            tests.Count + 1, rowsRun, clock.Elapsed.TotalSeconds);
    }
}

/// <summary>ACDC's input: prompt pairs of one length, the metric (KL against the clean run by default) and the threshold.</summary>
public sealed record DiscoveryRequest(IReadOnlyList<PromptPair> Pairs, double Threshold, MetricKind Metric = MetricKind.Kl);

/// <summary>One edge test: how much removing the edge hurt the metric, and whether it was removed.</summary>
public sealed record EdgeTest(ResidualEdge Edge, double Harm, bool Removed);

/// <summary>
/// The circuit ACDC kept, every test in order, the metric of the full model, of the corrupted run and of the circuit
/// (the clean run with every removed edge corrupted), with the plans run, the batch rows they took and the wall time.
/// </summary>
public sealed record DiscoveryResult(MetricKind Metric, double Threshold, int TotalEdges, IReadOnlyList<ResidualEdge> Kept, IReadOnlyList<EdgeTest> Tests,
    double Full, double Corrupted, double Circuit, int Plans, int Rows, double Seconds)
{
    /// <summary>Heads whose output some kept edge carries, in graph order.</summary>
    public IReadOnlyList<string> Heads => [.. Kept.Where(e => e.Sender.Head is not null).Select(e => e.Sender.Name).Distinct()];
}
