using System.Diagnostics;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Generation;
using OnnxInterp.Runtime;

namespace OnnxInterp.Benchmarks;

/// <summary>
/// Generation speed through the engine, all in one process run: tokens per second decoding with the past key/values
/// against recomputing the whole sequence at each step, each without and with an active steering write (a vector added
/// to blocks.1.hook_resid_pre at every position). Sessions are compiled in a warm-up generation first; variants run round robin and each
/// variant's time is the median of its repetitions. Usage: Benchmarks generate MODEL [--prompt P] [--tokens N] [--reps R].
/// </summary>
public static class GenerateBenchmark
{
    public static void Run(string path, int promptLength, int newTokens, int reps)
    {
        using var generator = Generator.Load(path, options: new InterventionOptions(Device: Device.Cpu));
        var map = generator.Hooks;
        var prompt = Enumerable.Range(0, promptLength).Select(i => (long)(i == 0 ? 50256 % map.DVocab : 1000 + 37 * i) % map.DVocab).ToList();
        var random = new Random(5);
        var vector = NamedTensor.Float("steer", [map.DModel], [.. Enumerable.Range(0, map.DModel).Select(_ => (float)(random.NextDouble() - 0.5))]);
        GenerationWrite[] steering = [new(new HookWrite("blocks.1.hook_resid_pre", new WriteSource.Add(vector)))];
        Console.WriteLine($"model {path}: prompt {promptLength} tokens, {newTokens} new tokens greedy, median of {reps} after a warm-up, device cpu, past inputs: {generator.Past is not null}");

        (string Label, GenerationRequest Request)[] variants =
        [
            ("past key/values", Request(true, [])),
            ("full recomputation", Request(false, [])),
            ("past key/values, steering write", Request(true, steering)),
            ("full recomputation, steering write", Request(false, steering)),
        ];
        foreach (var v in variants) generator.Generate(v.Request); // compiles every session
        // Round robin, so a burst of load on the shared machine hits every variant alike.
        var times = variants.Select(_ => new List<double>()).ToArray();
        for (int rep = 0; rep < reps; rep++)
            for (int v = 0; v < variants.Length; v++)
            {
                var clock = Stopwatch.StartNew();
                generator.Generate(variants[v].Request);
                times[v].Add(clock.Elapsed.TotalSeconds);
            }
        var perSecond = new double[variants.Length];
        for (int v = 0; v < variants.Length; v++)
        {
            times[v].Sort();
            perSecond[v] = newTokens / times[v][reps / 2];
            Console.WriteLine($"{variants[v].Label,-40} {perSecond[v],8:F1} tokens/s  (median {times[v][reps / 2] * 1000:F1} ms per generation, min {times[v][0] * 1000:F1})");
        }
        Console.WriteLine($"past / full: {perSecond[0] / perSecond[1]:F2}x unsteered, {perSecond[2] / perSecond[3]:F2}x steered; " +
            $"steering costs {1 - perSecond[2] / perSecond[0]:P1} with past, {1 - perSecond[3] / perSecond[1]:P1} without");

        GenerationRequest Request(bool usePast, GenerationWrite[] writes) =>
            new([new GenerationRow(prompt, writes)], newTokens, StopTokens: [], UsePast: usePast, TopAlternatives: 0);
    }
}
