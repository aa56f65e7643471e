using OnnxInterp.Benchmarks.Suite;

namespace OnnxInterp.Benchmarks.Measures;

/// <summary>
/// "scrub" (ORT only): causal scrubbing of --scrub-hypothesis on --scrub-model over --scrub-dataset, batched (one plan,
/// the scrub verb's 256 rows per run; median of --scrub-reps, each compiling its session as the verb does) against the
/// nested reference (a run per tree node, once). Both in <see cref="ScrubBenchmark.Measure"/>.
/// </summary>
public sealed class ScrubMeasure : ISuiteMeasure
{
    public string Id => "scrub";

    public void Run(SuiteContext context)
    {
        var o = context.Options;
        var t = ScrubBenchmark.Measure(o.ScrubModel, o.ScrubHypothesis, o.ScrubDataset, o.ScrubSamples, o.ScrubReps, context.Device);
        foreach (var (variant, seconds, reps, result) in new[] { ("batched", t.Batched, o.ScrubReps, t.BatchedResult), ("nested-reference", t.Reference, 1, t.ReferenceResult) })
            context.Add(new BenchResult(Id, variant, result.Runs > 0 ? result.BatchRows / result.Runs : 0, 0, seconds, reps, Extra: new() // batch: mean rows per run
            {
                ["model"] = o.ScrubModel,
                ["hypothesis"] = o.ScrubHypothesis,
                ["dataset"] = o.ScrubDataset,
                ["samples"] = o.ScrubSamples,
                ["recovered"] = result.Recovered,
                ["runs"] = result.Runs,
                ["batchRows"] = result.BatchRows,
                ["referenceOverBatched"] = t.Reference / t.Batched,
            }));
    }
}
