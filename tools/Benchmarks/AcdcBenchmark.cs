using System.Diagnostics;
using OnnxInterp.Analysis.Datasets;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Analysis.Paths;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Benchmarks;

/// <summary>
/// What ACDC costs on a model: building the residual graph, compiling the plan that touches every edge, and one edge
/// test (one plan of 2 x pairs rows); a full ACDC run is one test per edge on that session, so edges x the test time
/// estimates it. Usage: Benchmarks acdc MODEL [--pairs N] [--tests T]
/// </summary>
static class AcdcBenchmark
{
    public static void Run(string model, int pairs, int tests)
    {
        var clock = Stopwatch.StartNew();
        var hooked = HookedModel.Load(model);
        var graph = ResidualGraph.Build(hooked);
        double build = clock.Elapsed.TotalSeconds;
        var prompts = IoiPairs.Create(new IoiDataset(IoiDataset.Gpt2Tokenizer()), pairs).Pairs;
        var metric = new MetricEvaluator(MetricKind.LogitDiff, [.. prompts.Select(p => new MetricTarget(p.Clean, p.Position, p.Answer, p.Wrong))]);
        using var engine = new InterventionEngine(graph.Model, new InterventionOptions(Device: Device.Cpu));
        var sources = prompts.Select((p, i) => new PlanRow(p.Corrupted, [.. graph.Edges.Select(e => new HookWrite(e.Hook, new WriteSource.FromRow(i)))])).ToList();
        InterventionPlan Test(int edge) => new([.. sources, .. prompts.Select((p, i) => new PlanRow(p.Clean, [new HookWrite(graph.Edges[edge].Hook, new WriteSource.FromRow(i))]))],
            Logits: LogitReads.At(metric.ReadPositions));
        clock.Restart();
        engine.Run(Test(0));
        double first = clock.Elapsed.TotalSeconds;
        var times = new List<double>();
        for (int t = 1; t <= tests; t++)
        {
            clock.Restart();
            engine.Run(Test(t % graph.Edges.Count));
            times.Add(clock.Elapsed.TotalSeconds);
        }
        times.Sort();
        double median = times[times.Count / 2];
        Console.WriteLine($"model {model}: {graph.Senders.Count} senders, {graph.Receivers.Count} receivers, {graph.Edges.Count} edges; {pairs} IOI pair(s), cpu");
        Console.WriteLine($"load + residual graph {build:F1} s; first test (compiles the all-edges session) {first:F1} s; edge test median {median:F3} s over {tests}");
        Console.WriteLine($"estimated ACDC run: {graph.Edges.Count} tests x {median:F3} s = {graph.Edges.Count * median / 60:F1} min (+ compile), {graph.Edges.Count * 2 * pairs} batch rows");
    }
}
