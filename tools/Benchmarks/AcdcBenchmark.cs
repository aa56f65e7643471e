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
/// What ACDC costs on a model. Without --full: building the masked residual graph, the first plan (which compiles the
/// session and reads the corrupted senders) and the median edge test (one plan of the clean prompts), so edges x the
/// test time estimates a run. With --full: a whole ACDC run (KL, the given threshold) end to end, timed.
/// Usage: Benchmarks acdc MODEL [--pairs N] [--tests T] [--threshold X] [--full]
/// </summary>
static class AcdcBenchmark
{
    public static void Run(string model, int pairs, int tests, double threshold, bool full)
    {
        var clock = Stopwatch.StartNew();
        var hooked = HookedModel.Load(model);
        double load = clock.Elapsed.TotalSeconds;
        var prompts = IoiPairs.Create(new IoiDataset(IoiDataset.Gpt2Tokenizer()), pairs).Pairs;
        if (full)
        {
            double last = 0;
            var result = CircuitDiscovery.Run(hooked, new DiscoveryRequest(prompts, threshold, MetricKind.Kl), new InterventionOptions(Device: Device.Cpu),
                (done, total) =>
                {
                    if (clock.Elapsed.TotalSeconds - last < 60 && done < total) return;
                    last = clock.Elapsed.TotalSeconds;
                    Console.WriteLine($"  {done}/{total} edges tested, {last / 60:F1} min");
                });
            Console.WriteLine($"model {model}: {result.TotalEdges} edges; {pairs} IOI pair(s) of {prompts[0].Clean.Count} tokens, KL threshold {threshold}, cpu");
            Console.WriteLine($"ACDC: kept {result.Kept.Count} edges (circuit KL {result.Circuit:G4}, corrupted {result.Corrupted:G4}); {result.Plans} plans, {result.Rows} batch rows (forward passes of one prompt)");
            Console.WriteLine($"wall: load {load:F1} s + ACDC {result.Seconds:F1} s ({result.Seconds / 60:F1} min, {result.Seconds / result.Tests.Count:F3} s per edge test)");
            return;
        }
        clock.Restart();
        var graph = ResidualGraph.BuildMasked(hooked);
        double build = clock.Elapsed.TotalSeconds;
        var masks = graph.Masks!;
        var metric = new MetricEvaluator(MetricKind.Kl, [.. prompts.Select(p => new MetricTarget(p.Clean, p.Position, p.Answer, p.Wrong))]);
        var logits = LogitReads.At(metric.ReadPositions);
        using var engine = new InterventionEngine(graph.Model, new InterventionOptions(Device: Device.Cpu));
        clock.Restart();
        var first = engine.Run(new InterventionPlan([.. prompts.Select(p => new PlanRow(p.Corrupted))], Reads: [masks.SendersHook], Logits: logits));
        double firstPlan = clock.Elapsed.TotalSeconds;
        var references = Enumerable.Range(0, pairs).Select(i => first[i][masks.SendersHook]).ToList();
        // Tests remove a growing random set, as a run does (the mask's density does not change the work).
        var random = new Random(1);
        var times = new List<double>();
        for (int t = 0; t < tests; t++)
        {
            var cut = graph.Edges.Where(_ => random.NextDouble() < (double)t / tests).ToList();
            clock.Restart();
            engine.Run(new InterventionPlan([.. prompts.Select((p, i) => new PlanRow(p.Clean, masks.Writes(cut, references[i])))], Logits: logits));
            times.Add(clock.Elapsed.TotalSeconds);
        }
        times.Sort();
        double median = times[times.Count / 2];
        Console.WriteLine($"model {model}: {graph.Senders.Count} senders, {graph.Receivers.Count} receivers, {graph.Edges.Count} edges in {masks.Masks.Count} masks; {pairs} IOI pair(s) of {prompts[0].Clean.Count} tokens, cpu");
        Console.WriteLine($"load {load:F1} s; masked residual graph {build:F1} s; first plan (type probe, compile, corrupted senders) {firstPlan:F1} s; edge test median {median:F3} s over {tests}");
        Console.WriteLine($"estimated ACDC run: {graph.Edges.Count} tests x {median:F3} s = {graph.Edges.Count * median / 60:F1} min (+ the first plan), {graph.Edges.Count * pairs} batch rows");
    }
}
