using System.Diagnostics;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Paths;
using OnnxInterp.Analysis.Scrubbing;
using OnnxInterp.Hooks;

namespace OnnxInterp.Benchmarks;

/// <summary>
/// Causal scrubbing batched (one plan) against the node-by-node reference (a run per tree node), in one process run.
/// Usage: Benchmarks scrub MODEL HYPOTHESIS.json DATASET.jsonl [--samples N]
/// </summary>
static class ScrubBenchmark
{
    public static void Run(string model, string hypothesis, string dataset, int samples)
    {
        var graph = ResidualGraph.Build(HookedModel.Load(model));
        var request = new ScrubRequest(Hypothesis.Load(hypothesis), ScrubDataset.Load(dataset), samples, Seed: 0);
        Console.WriteLine($"model {model}, hypothesis {hypothesis}, {samples} samples, cpu");
        CausalScrubbing.Run(graph, request with { Samples = 1 }); // warm-up: sessions are per call, so this only warms the process
        var clock = Stopwatch.StartNew();
        var batched = CausalScrubbing.Run(graph, request, new InterventionOptions(RowsPerRun: 256)); // scrub's CLI default
        double b = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var reference = CausalScrubbing.Reference(graph, request);
        double r = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"batched   {b,7:F2} s  recovered {batched.Recovered:P2}, {batched.Runs} runs, {batched.BatchRows} batch rows");
        Console.WriteLine($"reference {r,7:F2} s  recovered {reference.Recovered:P2}, {reference.Runs} runs");
        Console.WriteLine($"reference / batched: {r / b:F1}x");
    }
}
