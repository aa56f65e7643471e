namespace OnnxInterp.Benchmarks.Suite;

/// <summary>
/// One measurement in the shared result format of issue #15 (tools/bench/README.md): the median of
/// <paramref name="Reps"/> timed repetitions, what was measured, and measure-specific numbers in <paramref name="Extra"/>.
/// </summary>
public sealed record BenchResult(string Measure, string Variant, int Batch, int Seq, double Seconds, int Reps,
    int? Variants = null, Dictionary<string, object?>? Extra = null);
