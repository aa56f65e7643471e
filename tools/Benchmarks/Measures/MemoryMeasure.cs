using OnnxInterp.Analysis;
using OnnxInterp.Benchmarks.Suite;
using OnnxInterp.Hooks;

namespace OnnxInterp.Benchmarks.Measures;

/// <summary>
/// "memory.cache_all_hooks" (ORT only): the process's peak resident memory while loading the model and caching every
/// standard hook for one batch of --memory-batch rows (<see cref="HookCapture"/>: one session run, every hook copied into
/// managed arrays), against the bytes of the cached tensors plus the model's files. It runs first in the suite and
/// resets the kernel's peak counter before loading, so the peak is this measure's alone. extra.ratio uses the whole
/// process (runtime included); extra.ratioAboveBaseline subtracts the resident size before loading.
/// </summary>
public sealed class MemoryMeasure : ISuiteMeasure
{
    public string Id => "memory.cache_all_hooks";

    public void Run(SuiteContext context)
    {
        var o = context.Options;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        bool reset = ProcessMemory.TryResetPeak();
        long baseline = ProcessMemory.CurrentBytes;
        var (loadSeconds, hooked) = Timing.Once(() => HookedModel.Load(o.Model));
        var hooks = SuiteContext.StandardHooks(hooked);
        using var capture = new HookCapture(hooked, hooks.Select(h => h.Name.Value), context.Device);
        var rows = Enumerable.Repeat(context.Pair.Padded(o.Seq).Select(t => (int)t).ToList(), o.MemoryBatch).Select(r => (IReadOnlyList<int>)r).ToList();
        var (seconds, cached) = Timing.Once(() => capture.Run(rows)); // the first run compiles the session
        long peak = ProcessMemory.PeakBytes;
        long cachedBytes = cached.Values.Sum(SuiteContext.Bytes);
        long modelBytes = SuiteContext.ModelBytes(o.Model);
        var gc = GC.GetGCMemoryInfo();
        long managed = GC.GetTotalMemory(false);
        long resident = ProcessMemory.CurrentBytes;
        context.Add(new BenchResult(Id, "every-standard-hook", o.MemoryBatch, o.Seq, seconds, 1, Extra: new()
        {
            ["hooks"] = cached.Count,
            ["peakResidentBytes"] = peak,
            ["peakWasReset"] = reset,
            ["baselineResidentBytes"] = baseline,
            ["residentAfterBytes"] = resident,
            ["managedHeapBytes"] = managed,
            ["gcHeapSizeBytes"] = gc.HeapSizeBytes,
            ["nativeAfterBytes"] = Math.Max(0, resident - managed),
            ["cachedBytes"] = cachedBytes,
            ["modelBytes"] = modelBytes,
            ["ratio"] = (double)peak / (cachedBytes + modelBytes),
            ["ratioAboveBaseline"] = (double)(peak - baseline) / (cachedBytes + modelBytes),
            ["loadSeconds"] = loadSeconds,
        }));
        GC.KeepAlive(cached);
    }
}
