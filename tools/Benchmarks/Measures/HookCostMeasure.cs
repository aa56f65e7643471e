using OnnxInterp.Analysis.Engine;
using OnnxInterp.Benchmarks.Suite;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;

namespace OnnxInterp.Benchmarks.Measures;

/// <summary>
/// "hooks.exposed" (ORT only): what exposing every standard hook costs a forward at --hook-batch rows. Variants, run
/// round robin: "plain" (the file as exported, logits only), "exposed.logits" (the graph with every standard hook
/// exposed, same feeds, fetching only the logits) and "exposed.all" (the same session fetching the logits and every
/// hook). exposed.logits / plain is what the changed graph costs (an exposed GELU output blocks ORT's FastGelu fusion,
/// an exposed attention tensor its attention fusion); exposed.all / exposed.logits is the copy-out of the hooks.
/// </summary>
public sealed class HookCostMeasure : ISuiteMeasure
{
    public string Id => "hooks.exposed";

    public void Run(SuiteContext context)
    {
        var o = context.Options;
        var hooks = SuiteContext.StandardHooks(context.Hooked);
        var exposed = Expose.Apply(context.Hooked.Model, hooks.Select(h => h.Tensor));
        using var plain = SessionFactory.Compile(context.Original, context.Device);
        using var hooked = SessionFactory.Compile(exposed.Model, context.Device);
        string logits = ForwardMeasure.Logits(plain);
        var rows = Enumerable.Repeat(context.Pair.Padded(o.Seq), o.HookBatch).ToList();
        var plainFeeds = BatchFeeds.For(plain.Model.Graph, rows);
        var hookedFeeds = BatchFeeds.For(hooked.Model.Graph, rows);
        var all = exposed.ExposedOutputs.Append(logits).Distinct().ToList();
        var fetched = hooked.Run(hookedFeeds, all);
        long bytes = fetched.Values.Sum(SuiteContext.Bytes);
        double maxDiff = MaxAbsDiff(plain.Run(plainFeeds, [logits])[logits], fetched[logits]);

        var seconds = Timing.RoundRobin([
            () => plain.Run(plainFeeds, [logits]),
            () => hooked.Run(hookedFeeds, [logits]),
            () => hooked.Run(hookedFeeds, all),
        ], o.Reps, warmup: 2);
        string[] names = ["plain", "exposed.logits", "exposed.all"];
        for (int v = 0; v < names.Length; v++)
            context.Add(new BenchResult(Id, names[v], o.HookBatch, o.Seq, seconds[v], o.Reps, Extra: new()
            {
                ["hooks"] = hooks.Count,
                ["outputs"] = v == 2 ? all.Count : 1,
                ["fetchedBytes"] = v == 2 ? bytes : SuiteContext.Bytes(fetched[logits]),
                ["ratioToPlain"] = seconds[v] / seconds[0],
                ["logitsMaxAbsDiffToPlain"] = v == 0 ? 0.0 : maxDiff,
            }));
    }

    public static double MaxAbsDiff(NamedTensor a, NamedTensor b)
    {
        var (x, y) = (a.ToFloats(), b.ToFloats());
        if (x.Length != y.Length) return double.NaN;
        double max = 0;
        for (int i = 0; i < x.Length; i++) max = Math.Max(max, Math.Abs(x[i] - y[i]));
        return max;
    }
}
