namespace OnnxInterp.Benchmarks.Suite;

/// <summary>One tool's result file: who measured, with what, on which machine, the results, and the measures that failed.</summary>
public sealed record BenchFile(string Tool, Dictionary<string, string> Versions, string Device, int Threads, string Model,
    MachineInfo Machine, List<BenchResult> Results, List<MeasureError>? Errors = null);
