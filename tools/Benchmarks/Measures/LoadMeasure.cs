using OnnxInterp.Analysis.Engine;
using OnnxInterp.Benchmarks.Suite;
using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;

namespace OnnxInterp.Benchmarks.Measures;

/// <summary>
/// "load" (ORT only): the steps from a model file to a first patched result, each timed once (cold sessions; the OS file
/// cache is warm after the memory measure): "load" (parse the file), "recognise" (build the hook map), "type-probe"
/// (measure undeclared tensor types: a second session with every tensor exposed, run twice; its rewrite, session and
/// runs are extra.rewriteSeconds, sessionSeconds, runSeconds), "rewrite" (write points on every hook_resid_pre and logits
/// at the last position only: the rewrite the resid_pre sweep compiles), "session" (ORT session creation for it),
/// "first-run" (one run of the pair's clean and corrupted rows) and "total", their sum.
/// </summary>
public sealed class LoadMeasure : ISuiteMeasure
{
    public string Id => "load";

    public void Run(SuiteContext context)
    {
        var o = context.Options;
        var device = context.Device;
        var parts = new List<(string Name, double Seconds, Dictionary<string, object?>? Extra)>();
        var (load, model) = Timing.Once(() => OnnxModel.Load(o.Model));
        parts.Add(("load", load, null));
        var (recognise, hooked) = Timing.Once(() => HookedModel.From(model));
        parts.Add(("recognise", recognise, new() { ["hooks"] = hooked.Map.Points.Count }));

        // TypeProbe.Measure's steps, each timed (keep in step with src/OnnxInterp.Core/Runtime/TypeProbe.cs).
        var graph = hooked.Model.Graph;
        int missing = graph.IntermediateTensors.Count(t => graph.TypeOf(t) is not { ElementType: not ElementType.Undefined });
        var (probeRewrite, probeModel) = Timing.Once(() => Expose.Apply(hooked.Model, graph.IntermediateTensors.Where(t => !t.Contains("::"))).Model);
        var (probeSession, probe) = Timing.Once(() => SessionFactory.Compile(probeModel, device));
        double probeRuns;
        IReadOnlyDictionary<string, TensorType> measured;
        using (probe)
        {
            IReadOnlyDictionary<string, NamedTensor> small = new Dictionary<string, NamedTensor>();
            probeRuns = Timing.Seconds(() =>
            {
                small = probe.Run(DefaultFeeds.For(hooked.Model.Graph, 2));
                try { probe.Run(DefaultFeeds.For(hooked.Model.Graph, 3)); }
                catch (ExecutionException) { /* fixed input sizes, as TypeProbe allows */ }
            });
            measured = small.ToDictionary(p => p.Key, p => new TensorType(p.Value.ElementType, null));
        }
        var (fill, typed) = Timing.Once(() => TypeProbe.Fill(hooked.Model, measured));
        parts.Add(("type-probe", probeRewrite + probeSession + probeRuns + fill, new()
        {
            ["untypedTensors"] = missing,
            ["exposedTensors"] = probeModel.Graph.Outputs.Count,
            ["rewriteSeconds"] = probeRewrite,
            ["sessionSeconds"] = probeSession,
            ["runSeconds"] = probeRuns,
            ["fillSeconds"] = fill,
        }));

        var residPre = hooked.Map.Select("blocks.*.hook_resid_pre");
        string logits = hooked.Map["logits"].Tensor;
        var (rewrite, rewritten) = Timing.Once(() =>
        {
            var (withWrites, points) = InsertWritePoints.Apply(typed, residPre.Select(p => new WriteRequest(p.Tensor, 0, [SlotKind.Rows])));
            return (LogitsAtPositions.Apply(withWrites, logits, "metric_positions", "metric_logits").Model, points);
        });
        parts.Add(("rewrite", rewrite, new() { ["writePoints"] = rewritten.points.Count }));
        var (session, compiled) = Timing.Once(() => SessionFactory.Compile(rewritten.Item1, device));
        parts.Add(("session", session, new() { ["device"] = compiled.Device.ToString().ToLowerInvariant() }));
        using (compiled)
        {
            var pair = context.Pair;
            var feeds = BatchFeeds.For(compiled.Model.Graph, [pair.Clean, pair.Corrupted], ["metric_positions"]);
            foreach (var (point, hook) in rewritten.points.Zip(residPre))
                foreach (var slot in point.Slots)
                {
                    feeds.Add(NamedTensor.Bool(slot.Mask, [.. Enumerable.Repeat(1L, hook.Layout.Rank)], [false]));
                    if (slot.Rows is not null) feeds.Add(NamedTensor.Int64(slot.Rows, [2], [0, 1]));
                }
            feeds.Add(NamedTensor.Int64("metric_positions", [1], [pair.Clean.Count - 1]));
            parts.Add(("first-run", Timing.Seconds(() => compiled.Run(feeds, ["metric_logits"])), null));
        }
        parts.Add(("total", parts.Sum(p => p.Seconds), null));
        foreach (var (name, seconds, extra) in parts)
            context.Add(new BenchResult(Id, name, name is "first-run" or "total" ? 2 : 0, context.Pair.Clean.Count, seconds, 1, Extra: extra));
    }
}
