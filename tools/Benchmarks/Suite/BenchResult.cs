namespace OnnxInterp.Benchmarks.Suite;

/// <summary>
/// One measurement in the shared result format of issue #15 (tools/bench/README.md): the median of
/// <paramref name="Reps"/> timed repetitions, what was measured, and measure-specific numbers in <paramref name="Extra"/>.
/// </summary>
public sealed record BenchResult(string Measure, string Variant, int Batch, int Seq, double Seconds, int Reps,
    int? Variants = null, Dictionary<string, object?>? Extra = null);

/// <summary>One tool's result file: who measured, with what, on which machine, the results, and the measures that failed.</summary>
public sealed record BenchFile(string Tool, Dictionary<string, string> Versions, string Device, int Threads, string Model,
    MachineInfo Machine, List<BenchResult> Results, List<MeasureError>? Errors = null);

/// <summary>A measure that threw instead of producing results.</summary>
public sealed record MeasureError(string Measure, string Message);
