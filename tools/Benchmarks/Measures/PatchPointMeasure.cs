using OnnxInterp.Analysis.Engine;
using OnnxInterp.Benchmarks.Suite;
using OnnxInterp.Hooks;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;

namespace OnnxInterp.Benchmarks.Measures;

/// <summary>
/// "patchpoints.inactive" (ORT only): the engine's write points (<see cref="InsertWritePoints"/>, a row-gather slot each)
/// with every mask false, against the plain forward, at --hook-batch rows, logits only, round robin. Variants: "plain",
/// "resid_pre" (one write point per layer's hook_resid_pre: the sites of the resid_pre sweep) and "all-hooks" (one on
/// every standard hook's tensor). extra.logitsMaxAbsDiffToPlain checks that inactive points change nothing.
/// </summary>
public sealed class PatchPointMeasure : ISuiteMeasure
{
    public string Id => "patchpoints.inactive";

    public void Run(SuiteContext context)
    {
        var o = context.Options;
        var hooks = SuiteContext.StandardHooks(context.Hooked);
        var residPre = context.Hooked.Map.Select("blocks.*.hook_resid_pre"); // not from hooks: resid_pre l + 1 shares resid_post l's tensor
        var rows = Enumerable.Repeat(context.Pair.Padded(o.Seq), o.HookBatch).ToList();
        using var plain = SessionFactory.Compile(context.Original, context.Device);
        string logits = ForwardMeasure.Logits(plain);
        var plainFeeds = BatchFeeds.For(plain.Model.Graph, rows);
        var reference = plain.Run(plainFeeds, [logits])[logits];

        var variants = new List<(string Name, int Points, CompiledModel Session, List<NamedTensor> Feeds)> { ("plain", 0, plain, plainFeeds) };
        try
        {
            foreach (var (name, points) in new[] { ("resid_pre", residPre), ("all-hooks", hooks) })
            {
                var (model, inserted) = InsertWritePoints.Apply(context.Typed, points.Select(Request));
                var session = SessionFactory.Compile(model, context.Device);
                var feeds = BatchFeeds.For(session.Model.Graph, rows);
                // Requests keep their order (none is receiver-restricted), so point i is hook i; masks take the hook layout's rank.
                foreach (var (point, hook) in inserted.Zip(points)) feeds.AddRange(Inactive(point, hook.Layout.Rank, o.HookBatch));
                variants.Add((name, inserted.Count, session, feeds));
            }
            var seconds = Timing.RoundRobin([.. variants.Select(v => (Action)(() => v.Session.Run(v.Feeds, [logits])))], o.Reps, warmup: 2);
            for (int v = 0; v < variants.Count; v++)
                context.Add(new BenchResult(Id, variants[v].Name, o.HookBatch, o.Seq, seconds[v], o.Reps, Extra: new()
                {
                    ["points"] = variants[v].Points,
                    ["ratioToPlain"] = seconds[v] / seconds[0],
                    ["logitsMaxAbsDiffToPlain"] = HookCostMeasure.MaxAbsDiff(reference, variants[v].Session.Run(variants[v].Feeds, [logits])[logits]),
                }));
        }
        finally
        {
            foreach (var v in variants.Skip(1)) v.Session.Dispose();
        }
    }

    static WriteRequest Request(HookPoint hook) => new(hook.Tensor, Math.Max(0, hook.Layout.IndexOf("batch")), [SlotKind.Rows]);

    /// <summary>Feeds that leave a write point inactive: every mask false (broadcast), row indices the identity.</summary>
    static IEnumerable<NamedTensor> Inactive(WritePoint point, int rank, int batch)
    {
        foreach (var slot in point.Slots)
        {
            yield return NamedTensor.Bool(slot.Mask, [.. Enumerable.Repeat(1L, rank)], [false]);
            if (slot.Rows is not null) yield return NamedTensor.Int64(slot.Rows, [batch], [.. Enumerable.Range(0, batch).Select(i => (long)i)]);
        }
    }
}
