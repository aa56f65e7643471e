using System.Diagnostics;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Paths;
using OnnxInterp.Analysis.Scrubbing;
using OnnxInterp.Hooks;

namespace OnnxInterp.Benchmarks;

/// <summary>
/// Causal scrubbing batched (one plan) against the node-by-node reference (a run per tree node), in one process run.
/// Usage: Benchmarks scrub MODEL HYPOTHESIS.json DATASET.jsonl [--samples N]. The suite's "scrub" measure runs the same
/// <see cref="Measure"/>.
/// </summary>
static class ScrubBenchmark
{
    /// <summary>One timing of each way, after a one-sample warm-up; <paramref name="batchedReps"/> batched runs give a median.</summary>
    public sealed record Timings(double Batched, double Reference, ScrubResult BatchedResult, ScrubResult ReferenceResult, IReadOnlyList<double> BatchedTimes);

    public static void Run(string model, string hypothesis, string dataset, int samples)
    {
        Console.WriteLine($"model {model}, hypothesis {hypothesis}, {samples} samples, cpu");
        var t = Measure(model, hypothesis, dataset, samples, batchedReps: 1);
        Console.WriteLine($"batched   {t.Batched,7:F2} s  recovered {t.BatchedResult.Recovered:P2}, {t.BatchedResult.Runs} runs, {t.BatchedResult.BatchRows} batch rows");
        Console.WriteLine($"reference {t.Reference,7:F2} s  recovered {t.ReferenceResult.Recovered:P2}, {t.ReferenceResult.Runs} runs");
        Console.WriteLine($"reference / batched: {t.Reference / t.Batched:F1}x");
    }

    public static Timings Measure(string model, string hypothesis, string dataset, int samples, int batchedReps, Runtime.Device device = Runtime.Device.Cpu)
    {
        var graph = ResidualGraph.Build(HookedModel.Load(model));
        var request = new ScrubRequest(Hypothesis.Load(hypothesis), ScrubDataset.Load(dataset), samples, Seed: 0);
        var options = new InterventionOptions(RowsPerRun: 256, Device: device); // scrub's CLI default
        CausalScrubbing.Run(graph, request with { Samples = 1 }, options); // warm-up: sessions are per call, so this only warms the process
        var times = new List<double>();
        ScrubResult batched = null!;
        for (int r = 0; r < Math.Max(1, batchedReps); r++)
        {
            var clock = Stopwatch.StartNew();
            batched = CausalScrubbing.Run(graph, request, options);
            times.Add(clock.Elapsed.TotalSeconds);
        }
        var referenceClock = Stopwatch.StartNew();
        var reference = CausalScrubbing.Reference(graph, request, new InterventionOptions(Device: device));
        double r0 = referenceClock.Elapsed.TotalSeconds;
        return new Timings(Suite.Timing.Median(times), r0, batched, reference, times);
    }
}
