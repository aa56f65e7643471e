using System.Diagnostics;
using OnnxInterp.Analysis.Datasets;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;
using OnnxInterp.Analysis.Engine;

namespace OnnxInterp.Benchmarks;

/// <summary>
/// The engine's resid_pre patching sweep on IOI pairs: the first plan (compiles), the same plan again and a plan with
/// other prompts (both reuse the compiled session), and how many sessions were compiled. One process run, CPU.
/// Usage: Benchmarks engine MODEL [--pairs N] [--rows-per-run R]
/// </summary>
static class EngineBenchmark
{
    public static void Run(string model, int pairs, int rowsPerRun)
    {
        var hooked = HookedModel.Load(model);
        var dataset = new IoiDataset(IoiDataset.Gpt2Tokenizer());
        var first = IoiPairs.Create(dataset, pairs, seed: 0).Pairs;
        var second = IoiPairs.Create(dataset, pairs, seed: 1).Pairs;
        using var sessions = new SessionCache(Device.Cpu);
        var options = new InterventionOptions(rowsPerRun, Device.Cpu, sessions);
        Console.WriteLine($"model {model}, {pairs} IOI pair(s) of {first[0].Clean.Count} tokens, resid_pre sweep, rows per run {rowsPerRun}, cpu");
        PatchingResult Sweep(IReadOnlyList<PromptPair> p) => ActivationPatching.Run(hooked, new PatchingRequest(p, [Sweeps.ResidPre], MetricKind.LogitDiff), options);
        foreach (var (label, p) in new[] { ("first plan (compiles)", first), ("same plan again", first), ("other prompts, same sites", second) })
        {
            var clock = Stopwatch.StartNew();
            var result = Sweep(p);
            Console.WriteLine($"{label,-28} {clock.Elapsed.TotalSeconds,7:F2} s  {result.Runs} runs, {result.Rows} batch rows, {result["resid_pre"].Raw.Length} variants, sessions compiled so far {sessions.Count}");
        }
    }
}
