using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis.Patching;

/// <summary>
/// Activation patching that computes only what a patch can change, on a graph with past key/value inputs: a patch at
/// position p leaves every earlier position as the target run had it, so the variants at p run the target's tokens
/// from p on, with the target's keys and values before p as past (and, through the engine's late rows, from the patched
/// layer on). One plan runs the clean and corrupted prompts in full and reads the patched hooks and the presents; then
/// one plan per patched position. Every variant must patch one position and every metric read the last position.
/// </summary>
static class PastPatching
{
    /// <summary>Whether the request can run this way on <paramref name="model"/>.</summary>
    public static bool Applies(HookedModel model, IReadOnlyList<IReadOnlyList<PatchSite>> variants, IReadOnlyList<MetricTarget> targets, InterventionOptions? options) =>
        options is not { ReusePast: false } && options?.Output is null && PastKeyValues.Find(model.Model.Graph) is not null
        && variants.All(v => v.Count == 1 && v[0].Index.ContainsKey("pos") && model.Map[v[0].Hook].Layout.IndexOf("pos") >= 0)
        && targets.All(t => t.ReadPositions.Count == 1 && t.ReadPositions[0] == t.Tokens.Count - 1);

    /// <summary>
    /// Row results of the clean prompts, the corrupted prompts, then every (variant, pair) in order, each holding the
    /// logits at the last position; and the session runs and batch rows it took.
    /// </summary>
    public static (IReadOnlyList<RowResult> Rows, int Runs, int BatchRows) Run(HookedModel model, IReadOnlyList<PromptPair> pairs, bool reverse,
        IReadOnlyList<IReadOnlyList<PatchSite>> variants, InterventionOptions? options)
    {
        var past = PastKeyValues.Find(model.Model.Graph)!;
        int n = pairs.Count, total = pairs[0].Clean.Count, last = total - 1;
        using var engine = new InterventionEngine(model, options);
        var hooks = variants.Select(v => v[0].Hook).Distinct().ToList();
        var full = engine.Run(new InterventionPlan([.. pairs.Select(p => new PlanRow(p.Clean)).Concat(pairs.Select(p => new PlanRow(p.Corrupted)))],
            Reads: hooks, Logits: LogitReads.At(last), Outputs: [.. past.Slots.Select(s => s.Output)]));
        int runs = full.Runs, batchRows = full.BatchRows;
        var results = new RowResult[2 * n + variants.Count * n];
        for (int r = 0; r < 2 * n; r++) results[r] = full[r];

        foreach (var group in Enumerable.Range(0, variants.Count).GroupBy(v => variants[v][0].Index["pos"]))
        {
            int p = group.Key;
            var rows = new List<PlanRow>();
            var slots = new List<(int Variant, int Pair, int Row)>();
            for (int i = 0; i < n; i++)
            {
                int target = reverse ? i : n + i, source = reverse ? n + i : i;
                var tokens = (reverse ? pairs[i].Clean : pairs[i].Corrupted).Skip(p).ToList();
                var presents = past.Slots.ToDictionary(s => s.Output, s => full[target][s.Output], StringComparer.Ordinal);
                var feeds = past.PrefixFeeds(presents, p, total);
                rows.Add(new PlanRow(tokens, Feeds: feeds));
                foreach (var v in group)
                {
                    var site = variants[v][0];
                    int axis = model.Map[site.Hook].Layout.IndexOf("pos");
                    // The source's value at p, written at the row's first position (position p of the whole prompt).
                    var value = BatchTensors.Take(full[source][site.Hook], axis, p);
                    var slice = new HookSlice(site.Index.ToDictionary(e => e.Key, e => (IReadOnlyList<int>)[e.Key == "pos" ? 0 : e.Value], StringComparer.Ordinal));
                    slots.Add((v, i, rows.Count));
                    rows.Add(new PlanRow(tokens, [new HookWrite(site.Hook, new WriteSource.Fed(value), slice)], feeds));
                }
            }
            var result = engine.Run(new InterventionPlan(rows, Logits: LogitReads.At(last - p), PastLength: p));
            runs += result.Runs;
            batchRows += result.BatchRows;
            foreach (var (v, i, row) in slots)
                results[2 * n + v * n + i] = result[row].AtPositions([last]);
        }
        return (results, runs, batchRows);
    }
}
